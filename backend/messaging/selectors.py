"""Reads for messages: single messages, threads, edit history, reactions, mentions, unread."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db.models import Count, F, Q

from backend.accounts.models import User
from backend.common.errors import NotFound
from backend.community.models import UsefulMark
from backend.integrations.avatars import author_extra
from backend.rooms.access import access_room_readable
from backend.rooms.events import iso
from backend.rooms.models import Membership

from .events import file_ref
from .models import Mention, Message, MessageRevision, Reaction, ThreadFollow


def message_dict(
    message: Message, *, reactions: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    deleted = message.deleted_at is not None
    out = {
        "id": message.pk,
        "room": message.room_id,
        "seq": message.seq,
        "author": {
            "id": message.author.pk,
            "name": message.author.name,
            **author_extra(message.author),
        },
        "body": "" if deleted else message.body,
        "thread": message.thread_id,
        "documents": [] if deleted else list(message.documents),
        "client_id": message.client_id,
        "meta": dict(message.meta),
        "created_at": iso(message.created_at),
        "edited_at": iso(message.edited_at),
        "deleted": deleted,
        "reply_count": message.reply_count,
        "last_reply_at": iso(message.last_reply_at),
        "files": [] if deleted else [file_ref(a) for a in message.attachments.all()],
    }
    if reactions is not None:
        out["reactions"] = reactions
    return out


def reactions_by_message(message_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    """Per message: each emoji with its count and who reacted, in first-reaction order."""
    rows = (
        Reaction.objects.filter(message_id__in=message_ids)
        .select_related("user")
        .order_by("created_at", "pk")
    )
    grouped: dict[int, dict[str, dict[str, Any]]] = defaultdict(dict)
    for row in rows:
        entry = grouped[row.message_id].setdefault(
            row.emoji, {"emoji": row.emoji, "count": 0, "users": []}
        )
        entry["count"] += 1
        entry["users"].append({"id": row.user_id, "name": row.user.name})
    return {mid: list(by_emoji.values()) for mid, by_emoji in grouped.items()}


def _readable_message(*, user: User, message_id: int) -> Message:
    message = Message.objects.select_related("author").filter(pk=message_id).first()
    if message is None:
        raise NotFound()
    access_room_readable(actor=user, room_id=message.room_id)
    return message


def message_detail_for(*, user: User, message_id: int) -> dict[str, Any]:
    message = _readable_message(user=user, message_id=message_id)
    return message_dict(message, reactions=reactions_by_message([message.pk]).get(message.pk, []))


def message_history_for(*, user: User, message_id: int) -> dict[str, Any]:
    """Every version of a message, oldest first, the current one last."""
    message = _readable_message(user=user, message_id=message_id)
    if message.deleted_at is not None:
        return {"message": message.pk, "versions": []}
    revisions = MessageRevision.objects.filter(message=message).select_related("written_by")
    versions = [
        {
            "body": r.body,
            "documents": r.documents,
            "written_at": iso(r.written_at),
            "written_by": {"id": r.written_by_id, "name": r.written_by.name}
            if r.written_by
            else None,
        }
        for r in revisions
    ]
    editor = message.edited_by or message.author
    versions.append(
        {
            "body": message.body,
            "documents": message.documents,
            "written_at": iso(message.edited_at or message.created_at),
            "written_by": {"id": editor.pk, "name": editor.name},
        }
    )
    return {"message": message.pk, "versions": versions}


def thread_for(*, user: User, root_id: int) -> dict[str, Any]:
    root = _readable_message(user=user, message_id=root_id)
    if root.thread_id is not None:
        root = _readable_message(user=user, message_id=root.thread_id)
    replies = list(
        Message.objects.filter(thread=root)
        .select_related("author")
        .prefetch_related("attachments")
        .order_by("seq")
    )
    ids = [root.pk, *(r.pk for r in replies)]
    reactions = reactions_by_message(ids)
    participants: dict[int, dict[str, Any]] = {}
    for reply in replies:
        if reply.deleted_at is None:
            participants.setdefault(
                reply.author_id, {"id": reply.author_id, "name": reply.author.name}
            )
    follow = ThreadFollow.objects.filter(root=root, user=user).first()
    useful = set(
        UsefulMark.objects.filter(message_id__in=ids[1:]).values_list("message_id", flat=True)
    )
    return {
        "root": message_dict(root, reactions=reactions.get(root.pk, [])),
        "replies": [
            {**message_dict(r, reactions=reactions.get(r.pk, [])), "useful": r.pk in useful}
            for r in replies
        ],
        "participants": list(participants.values()),
        "following": follow is not None,
        "read": follow.last_read_seq if follow else None,
        "unread": sum(
            1
            for r in replies
            if follow
            and r.seq > follow.last_read_seq
            and r.deleted_at is None
            and r.author_id != user.pk
        ),
    }


def unread_counts_for(
    *, user: User, room_ids: list[int] | None = None
) -> dict[int, dict[str, int]]:
    """Per room of the user: messages by others after its read position, and mentions of it."""
    memberships = Membership.objects.filter(user=user)
    if room_ids is not None:
        memberships = memberships.filter(room_id__in=room_ids)
    unread = dict(
        memberships.annotate(
            n=Count(
                "room__messages",
                filter=Q(room__messages__seq__gt=F("last_read_seq"))
                & Q(room__messages__deleted_at__isnull=True)
                & ~Q(room__messages__author=user),
            )
        ).values_list("room_id", "n")
    )
    mentions = dict(
        memberships.annotate(
            n=Count(
                "room__messages__mention_rows",
                filter=Q(room__messages__mention_rows__user=user)
                & Q(room__messages__seq__gt=F("last_read_seq"))
                & Q(room__messages__deleted_at__isnull=True),
            )
        ).values_list("room_id", "n")
    )
    return {rid: {"unread": unread.get(rid, 0), "mentions": mentions.get(rid, 0)} for rid in unread}


def mention_inbox_for(
    *, user: User, limit: int = 50, before: int | None = None
) -> list[dict[str, Any]]:
    """Messages that mention the user in rooms it may still read, newest first."""
    rows = (
        Mention.objects.filter(
            user=user, message__deleted_at__isnull=True, message__room__memberships__user=user
        )
        .select_related("message", "message__author", "message__room")
        .prefetch_related("message__attachments")
        .order_by("-pk")
    )
    if before is not None:
        rows = rows.filter(pk__lt=before)
    rows = list(rows[:limit])
    from backend.rooms.selectors import direct_names_for

    names = direct_names_for(
        user=user, room_ids=[m.message.room_id for m in rows if m.message.room.direct_key]
    )
    reads = dict(
        Membership.objects.filter(
            user=user, room_id__in={m.message.room_id for m in rows}
        ).values_list("room_id", "last_read_seq")
    )
    return [
        {
            "id": m.pk,
            "everyone": m.everyone,
            "unread": m.message.seq > reads.get(m.message.room_id, 0),
            "room": {
                "id": m.message.room_id,
                "name": names.get(m.message.room_id) or m.message.room.name,
            },
            "message": message_dict(m.message),
        }
        for m in rows
    ]


def documents_for(
    *,
    user: User,
    room_id: int,
    q: str | None = None,
    kind: str | None = None,
    thread: int | None = None,
    limit: int = 100,
) -> list[dict[str, Any]]:
    """Links and files shared in a room (or one of its threads), newest first."""
    access_room_readable(actor=user, room_id=room_id)
    messages = (
        Message.objects.filter(room_id=room_id, deleted_at__isnull=True)
        .filter(~Q(documents=[]) | Q(attachments__isnull=False))
        .select_related("author")
        .prefetch_related("attachments")
        .distinct()
        .order_by("-seq")
    )
    if thread is not None:
        messages = messages.filter(Q(pk=thread) | Q(thread_id=thread))
    needle = (q or "").casefold().strip()
    out: list[dict[str, Any]] = []
    for message in messages[:1000]:
        shared = []
        if kind in (None, "link"):
            shared += [
                {
                    "type": "link",
                    "url": d["url"],
                    "title": d.get("title", ""),
                    "description": d.get("description", ""),
                    "file": None,
                }
                for d in message.documents
            ]
        if kind in (None, "file"):
            shared += [
                {
                    "type": "file",
                    "url": ref["url"],
                    "title": ref["name"],
                    "description": "",
                    "file": ref,
                }
                for ref in (file_ref(a) for a in message.attachments.all())
            ]
        for item in shared:
            text = f"{item['title']} {item['description']} {item['url']}".casefold()
            if needle and needle not in text:
                continue
            out.append(
                {
                    **item,
                    "message": message.pk,
                    "thread": message.thread_id,
                    "author": {"id": message.author_id, "name": message.author.name},
                    "shared_at": iso(message.created_at),
                }
            )
            if len(out) >= limit:
                return out
    return out
