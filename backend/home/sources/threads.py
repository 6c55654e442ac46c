"""Followed threads with a reply from someone else: one item per thread, its latest reply."""

from __future__ import annotations

from datetime import datetime

from django.db.models import OuterRef, Subquery

from backend.accounts.models import User
from backend.messaging.models import Message, ThreadFollow

from ..items import Item, message_url, plain, room_ref
from . import readable_room_ids, window


def item(
    *,
    root_id: int,
    root_body: str,
    reply_id: int,
    room: object,
    author_name: str,
    body: str,
    at: datetime,
) -> Item:
    return Item(
        kind="thread",
        id=f"thread:{root_id}",
        at=at,
        title=plain(root_body, 80),
        summary=f"{author_name} : {plain(body)}",
        url=message_url(room.pk, reply_id),  # type: ignore[attr-defined]
        room=room_ref(room),
    )


def items_for(*, user: User, since: datetime, before: datetime | None, limit: int) -> list[Item]:
    readable = readable_room_ids(user)
    # The thread's latest reply by someone else, whatever the page: a thread is one item, dated
    # by that reply, and shows on the one page that date falls in.
    replies = Message.objects.filter(
        thread_id=OuterRef("root_id"),
        created_at__gte=since,
        deleted_at__isnull=True,
        room__in=readable,
    ).exclude(author=user)
    latest = Subquery(replies.order_by("-created_at", "-pk").values("pk")[:1])
    reply_ids = (
        ThreadFollow.objects.filter(
            user=user,
            root__deleted_at__isnull=True,
            root__room__in=readable,
            root__last_reply_at__gte=since,
        )
        .annotate(reply=latest)
        .filter(reply__isnull=False)
        .values("reply")
    )
    rows = (
        Message.objects.filter(window("created_at", since=since, before=before), pk__in=reply_ids)
        .select_related("author", "room", "thread")
        .order_by("-created_at", "-pk")[:limit]
    )
    return [
        item(
            root_id=r.thread_id,
            root_body=r.thread.body if r.thread else "",
            reply_id=r.pk,
            room=r.room,
            author_name=r.author.name,
            body=r.body,
            at=r.created_at,
        )
        for r in rows
    ]
