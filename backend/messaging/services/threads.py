"""Threads: reply bookkeeping on the root, following, and read positions in a thread."""

from __future__ import annotations

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from backend.accounts.models import User
from backend.common.errors import BadRequest, NotFound
from backend.rooms.access import access_room_readable

from ..models import Message, ThreadFollow


def thread_reply_recorded(*, reply: Message, root_author_id: int) -> None:
    """Count a new reply on its root; its author and the root's author follow the thread."""
    Message.objects.filter(pk=reply.thread_id).update(
        reply_count=F("reply_count") + 1, last_reply_at=reply.created_at
    )
    for user_id in {reply.author_id, root_author_id}:
        ThreadFollow.objects.get_or_create(root_id=reply.thread_id, user_id=user_id)
    ThreadFollow.objects.filter(root_id=reply.thread_id, user_id=reply.author_id).update(
        last_read_seq=reply.seq
    )


def thread_reply_removed(*, reply: Message) -> None:
    Message.objects.filter(pk=reply.thread_id, reply_count__gt=0).update(
        reply_count=F("reply_count") - 1
    )


def _readable_root(*, actor: User, root_id: int) -> Message:
    root = Message.objects.filter(pk=root_id, thread__isnull=True).first()
    if root is None:
        raise NotFound()
    access_room_readable(actor=actor, room_id=root.room_id)
    return root


@transaction.atomic
def thread_follow(*, actor: User, root_id: int, follow: bool) -> bool:
    root = _readable_root(actor=actor, root_id=root_id)
    if follow:
        ThreadFollow.objects.get_or_create(root=root, user=actor)
    else:
        ThreadFollow.objects.filter(root=root, user=actor).delete()
    return follow


@transaction.atomic
def thread_read_mark(*, actor: User, root_id: int, seq: int, room_id: int | None = None) -> int:
    """Move the actor's read position in a followed thread forward; returns it.

    ``room_id`` (the socket's ``read`` frame names the room): a thread of another room is not
    found, so the ack never pairs a room with a thread that is not in it.
    """
    if seq < 0:
        raise BadRequest(_("« seq » doit être un entier positif."))
    root = _readable_root(actor=actor, root_id=root_id)
    if room_id is not None and root.room_id != room_id:
        raise NotFound()
    follow = ThreadFollow.objects.filter(root=root, user=actor).first()
    if follow is None:
        raise NotFound(_("Vous ne suivez pas ce fil."))
    seq = min(seq, root.room.last_seq)
    if seq <= follow.last_read_seq:
        return follow.last_read_seq
    ThreadFollow.objects.filter(pk=follow.pk, last_read_seq__lt=seq).update(last_read_seq=seq)
    from realtime import publish

    # The user's other devices update the thread's unread count, as for a room's read position.
    frame = {"type": "read", "room": root.room_id, "thread": root.pk, "seq": seq}
    transaction.on_commit(lambda: publish.user_event(user_id=actor.pk, frame=frame))
    return seq
