"""The room event log: gap-free per-room sequence numbers, published after commit."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from backend.common.errors import NotFound

from .models import Room, RoomEvent


def room_lock(room_id: int) -> Room:
    """Lock a room row for the rest of the transaction.

    Every writer that appends an event takes this lock first, so concurrent writers of one room
    are serialised and ``last_seq`` is incremented without gaps; a rolled-back transaction
    rolls its increment back too.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("room_lock() must run inside transaction.atomic")
    room = Room.objects.select_for_update().filter(pk=room_id).first()
    if room is None:
        raise NotFound()
    return room


def event_append(
    *, room: Room, kind: str, data: dict[str, Any], message_id: int | None = None
) -> RoomEvent:
    """Append one event to a locked room and publish it once the transaction commits."""
    room.last_seq += 1
    Room.objects.filter(pk=room.pk).update(last_seq=room.last_seq)
    event = RoomEvent.objects.create(
        room=room, seq=room.last_seq, kind=kind, data=data, message_id=message_id
    )
    frame = event.as_frame()

    from realtime import publish

    transaction.on_commit(lambda: publish.room_event(frame))
    return event
