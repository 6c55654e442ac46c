"""Reclassification: move a message, a thread, or a message and the following ones elsewhere.

The moved rows change room (and thread); the source room's earlier events about them are
redacted (no body on replay, ``moved: true``), so readers of the source room who may not read the
destination lose them from the log, search, unread counts and documents alike, all of which
follow ``Message.room``. The destination gets one ``message.created`` per message (with
``moved_from``), in the original order, then a ``message.moved`` summary.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from backend.accounts.models import User
from backend.audit.services import audit_record
from backend.common.errors import BadRequest, NotFound, TooLarge
from backend.messaging import events as message_events
from backend.messaging.models import Attachment, Mention, Message, ThreadFollow
from backend.rooms.access import access_room_readable, can_read, membership_of, refuse_direct
from backend.rooms.eventlog import event_append, room_lock
from backend.rooms.events import user_ref
from backend.rooms.models import Membership, Room, RoomEvent

from . import events
from .access import access_message_moderated, access_room_moderated, check_id
from .models import Pin, Report
from .services import check_reason

MOVE_MAX = 500
Scope = Literal["message", "thread", "following"]


@dataclass(frozen=True)
class MoveResult:
    messages: list[int]
    from_room: Room
    to_room: Room
    thread: int | None


def _selection(message: Message, scope: str) -> list[Message]:
    """The messages a move takes, in their original order."""
    base = Message.objects.select_related("author").filter(
        room_id=message.room_id, deleted_at__isnull=True
    )
    if scope == "message":
        if message.thread_id is None and message.replies.filter(deleted_at__isnull=True).exists():
            raise BadRequest(
                _("Ce message ouvre un fil : déplacez le fil entier."), reason="has_replies"
            )
        chosen = base.filter(pk=message.pk)
    elif scope == "thread":
        root_id = message.thread_id or message.pk
        chosen = base.filter(Q(pk=root_id) | Q(thread_id=root_id))
    elif scope == "following":
        if message.thread_id is None:
            later_roots = base.filter(thread__isnull=True, seq__gte=message.seq).values("pk")
            chosen = base.filter(Q(pk__in=later_roots) | Q(thread_id__in=later_roots))
        else:
            chosen = base.filter(thread_id=message.thread_id, seq__gte=message.seq)
    else:
        raise BadRequest(_("« scope » vaut message, thread ou following."))
    rows = list(chosen.order_by("seq", "pk")[: MOVE_MAX + 1])
    if len(rows) > MOVE_MAX:
        raise TooLarge(
            _("On déplace %(n)s messages au plus à la fois.") % {"n": MOVE_MAX},
            reason="too_many",
        )
    return rows


def _non_readers_q(room: Room) -> Q | None:
    """Users (as ``user_id``) who cannot read ``room``; None when everyone can."""
    members = Membership.objects.filter(room=room).values("user_id")
    if room.access == Room.Access.OPEN:
        return None
    if room.access == Room.Access.ORGANISATION:
        return ~Q(user_id__in=members) & ~Q(user__organisation_id=room.organisation_id)
    return ~Q(user_id__in=members)


@transaction.atomic
def messages_move(
    *,
    actor: User,
    message_id: Any,
    room_id: Any,
    scope: Any = "message",
    thread: Any = None,
    reason: Any = "",
) -> MoveResult:
    reason = check_reason(reason, required=True)
    message, source = access_message_moderated(actor=actor, message_id=message_id)
    room_id = check_id(room_id, "room")
    if thread is not None:
        thread = check_id(thread, "thread")
    if actor.is_staff:
        target, _m = access_room_moderated(actor=actor, room_id=room_id)
    else:
        target, target_membership = access_room_readable(actor=actor, room_id=room_id)
        if target_membership is None:
            raise NotFound(_("Rejoignez le salon de destination pour y déplacer des messages."))
    # A direct conversation's messages stay in it, and nothing is moved into one.
    refuse_direct(source)
    refuse_direct(target)
    if target.archived_at is not None:
        raise BadRequest(_("Le salon de destination est archivé."), reason="archived")
    selection = _selection(message, scope)
    moved_ids = [m.pk for m in selection]
    root: Message | None = None
    if thread is not None:
        root = Message.objects.filter(pk=thread, room=target, deleted_at__isnull=True).first()
        if root is None:
            raise NotFound(_("Le fil de destination est introuvable."))
        if root.thread_id is not None:
            root = Message.objects.get(pk=root.thread_id)
        if root.pk in moved_ids:
            raise BadRequest(_("Un fil ne peut pas être déplacé dans lui-même."))
    if target.pk == source.pk and root is None:
        raise BadRequest(_("Choisissez un autre salon ou un fil."), reason="same_place")

    # Both rooms locked in id order, so two crossing moves cannot deadlock.
    locks = {r: room_lock(r) for r in sorted({source.pk, target.pk})}
    source_locked, target_locked = locks[source.pk], locks[target.pk]
    if target.pk == source.pk:
        _rethread(selection, root, source_locked)  # type: ignore[arg-type]
    else:
        _move_rows(selection, source_locked, target_locked, root)

    # Each room's readers see their own room named, the other one only if it is not private.
    def summary(*, from_room: Room | None, to_room: Room | None) -> dict:
        return dict(
            events.messages_moved(
                ids=moved_ids,
                from_room=from_room,
                to_room=to_room,
                thread=root.pk if root else None,
                by=actor,
                reason=reason,
            )
        )

    private_target = target.kind == Room.Kind.PRIVATE and target.pk != source.pk
    private_source = source.kind == Room.Kind.PRIVATE and target.pk != source.pk
    event_append(
        room=source_locked,
        kind="message.moved",
        data=summary(from_room=source, to_room=None if private_target else target),
    )
    if target.pk != source.pk:
        event_append(
            room=target_locked,
            kind="message.moved",
            data=summary(from_room=None if private_source else source, to_room=target),
        )
    for room_id_ in {source.pk, target.pk}:
        audit_record(
            action="message.moved",
            actor=actor,
            target=f"message:{message.pk}",
            reason=f"{len(moved_ids)} message(s), salon {source.pk} → {target.pk}: {reason}",
            room_id=room_id_,
        )
    _notify_authors(selection, source=source, target=target, actor=actor, reason=reason)
    return MoveResult(
        messages=moved_ids, from_room=source, to_room=target, thread=root.pk if root else None
    )


def _rethread(selection: list[Message], root: Message, room: Room) -> None:
    """Within one room: the messages become replies of another thread."""
    from backend.messaging.services.threads import thread_reply_recorded, thread_reply_removed

    for message in selection:
        if message.thread_id is not None:
            thread_reply_removed(reply=message)
        message.thread_id = root.pk
        message.save(update_fields=["thread"])
        thread_reply_recorded(reply=message, root_author_id=root.author_id)
        for event in RoomEvent.objects.filter(message_id=message.pk, kind="message.created"):
            event.data = {**event.data, "thread": root.pk}
            event.save(update_fields=["data"])
    Message.objects.filter(pk__in=[m.pk for m in selection]).update(reply_count=0)


def _move_rows(selection: list[Message], source: Room, target: Room, root: Message | None) -> None:
    from backend.messaging.services.threads import thread_reply_recorded, thread_reply_removed

    ids = {m.pk for m in selection}
    # Earlier events in the source room no longer carry the content on replay.
    for event in RoomEvent.objects.filter(room=source, message_id__in=ids).exclude(
        kind__in=("message.deleted", "message.moved")
    ):
        event.data = events.message_moved_away(event.data)
        event.save(update_fields=["data"])
    for message in selection:
        old_thread = message.thread_id
        if old_thread is not None and old_thread not in ids:
            thread_reply_removed(reply=message)  # a reply leaving a thread that stays
        if root is not None:
            message.thread_id = root.pk
        elif old_thread is not None and old_thread not in ids:
            message.thread_id = None  # a lone reply becomes a message of the destination
        message.room = target
        message.seq = target.last_seq + 1
        if root is not None:
            message.reply_count = 0
        message.save(update_fields=["room", "seq", "thread", "reply_count"])
        Attachment.objects.filter(message=message).update(room=target)
        Mention.objects.filter(message=message).update(room=target, seq=message.seq)
        files = list(Attachment.objects.filter(message=message))
        mentions = list(Mention.objects.filter(message=message).values_list("user_id", flat=True))
        data = dict(message_events.message_created(message, mentions=mentions, files=files))
        data["moved_from"] = source.pk if source.kind != Room.Kind.PRIVATE else None
        event_append(room=target, kind="message.created", data=data, message_id=message.pk)
        if root is not None:
            thread_reply_recorded(reply=message, root_author_id=root.author_id)
    Pin.objects.filter(message_id__in=ids).delete()
    Report.objects.filter(message_id__in=ids).update(room=target)
    hidden_from = _non_readers_q(target)
    if hidden_from is not None:
        # Who cannot read the destination loses the mentions and thread follows with it.
        Mention.objects.filter(message_id__in=ids).filter(hidden_from).delete()
        ThreadFollow.objects.filter(root_id__in=ids).filter(hidden_from).delete()


def _notify_authors(
    selection: list[Message], *, source: Room, target: Room, actor: User, reason: str
) -> None:
    from realtime import publish

    by_author: dict[int, list[int]] = {}
    authors: dict[int, User] = {}
    for message in selection:
        by_author.setdefault(message.author_id, []).append(message.pk)
        authors[message.author_id] = message.author
    for author_id, ids in by_author.items():
        author = authors[author_id]
        if author_id == actor.pk or author.is_bot:
            continue
        sees_target = can_read(
            user=author, room=target, membership=membership_of(user=author, room_id=target.pk)
        )
        frame = {
            "type": "message.moved",
            "messages": ids,
            "from_room": events.room_ref(source),
            "to_room": events.room_ref(target) if sees_target else None,
            "by": user_ref(actor),
            "reason": reason,
        }
        transaction.on_commit(
            lambda author_id=author_id, frame=frame: publish.user_event(
                user_id=author_id, frame=frame
            )
        )
