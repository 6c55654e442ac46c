"""Reads for moderators: a room's moderation state, pins, the newcomer marks."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import F, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from backend.accounts.models import User
from backend.messaging.models import Message
from backend.rooms.access import access_room_readable
from backend.rooms.events import iso, user_ref
from backend.rooms.models import Room

from .access import access_room_moderated
from .models import Ban, Mute, Pin, RoomPolicy


def is_newcomer_message(message: Message) -> bool:
    """One of its author's first PREAU_NEWCOMER_MESSAGES messages in the room."""
    limit = settings.PREAU["NEWCOMER_MESSAGES"]
    earlier = Message.objects.filter(
        room_id=message.room_id, author_id=message.author_id, pk__lt=message.pk
    ).values_list("pk", flat=True)[:limit]
    return len(earlier) < limit  # reads at most `limit` rows, however prolific the author


def newcomer_message_ids(*, room_id: int, limit: int = 200) -> list[int]:
    ranked = (
        Message.objects.filter(room_id=room_id, author__is_bot=False)
        .annotate(n=Window(RowNumber(), partition_by=[F("author_id")], order_by=F("pk").asc()))
        .filter(n__lte=settings.PREAU["NEWCOMER_MESSAGES"], deleted_at__isnull=True)
        .order_by("-pk")
        .values_list("pk", flat=True)
    )
    return list(ranked[:limit])


def policy_dict(room: Room) -> dict[str, Any]:
    policy = RoomPolicy.objects.filter(room=room).first()
    return {
        "posting": policy.posting if policy else RoomPolicy.Posting.ALL,
        "slow_mode_seconds": policy.slow_mode_seconds if policy else 0,
    }


def pins_in(room: Room) -> list[dict[str, Any]]:
    pins = Pin.objects.filter(room=room, message__deleted_at__isnull=True).select_related(
        "message__author", "pinned_by"
    )
    return [
        {
            "message": pin.message_id,
            "author": user_ref(pin.message.author),
            "excerpt": pin.message.body[:280],
            "pinned_by": user_ref(pin.pinned_by) if pin.pinned_by_id else None,
            "pinned_at": iso(pin.pinned_at),
        }
        for pin in pins
    ]


def room_moderation_info(*, room: Room, user: User) -> dict[str, Any]:
    """What every reader of a room sees of its moderation: policy, pins, the caller's mute."""
    mute = Mute.objects.filter(room=room, user=user, until__gt=timezone.now()).first()
    return {
        **policy_dict(room),
        "pinned": pins_in(room),
        "muted_until": iso(mute.until) if mute else None,
    }


def pins_for(*, user: User, room_id: int) -> list[dict[str, Any]]:
    room, _membership = access_room_readable(actor=user, room_id=room_id)
    return pins_in(room)


def moderation_state_for(*, user: User, room_id: int) -> dict[str, Any]:
    """The moderators' view of a room: policy, mutes, bans, newcomer messages."""
    room, _membership = access_room_moderated(actor=user, room_id=room_id)
    now = timezone.now()
    mutes = Mute.objects.filter(room=room, until__gt=now).select_related("user", "muted_by")
    bans = Ban.objects.filter(room=room).select_related("user", "banned_by")
    return {
        "room": room.pk,
        **policy_dict(room),
        "pinned": pins_in(room),
        "mutes": [
            {"user": user_ref(m.user), "until": iso(m.until), "by": _ref(m.muted_by)} for m in mutes
        ],
        "bans": [
            {"user": user_ref(b.user), "since": iso(b.created_at), "by": _ref(b.banned_by)}
            for b in bans
        ],
        "newcomer_messages": newcomer_message_ids(room_id=room.pk),
    }


def _ref(user: User | None) -> dict[str, Any] | None:
    return user_ref(user) if user is not None else None
