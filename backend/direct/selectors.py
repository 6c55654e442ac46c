"""Reads: one's direct conversations and one's blocks."""

from __future__ import annotations

from typing import Any

from django.db.models import Max

from backend.accounts.models import User
from backend.rooms.events import iso
from backend.rooms.models import Membership, Room

from .access import access_direct
from .models import Block


def _person(user: User) -> dict[str, Any]:
    return {
        "id": user.pk,
        "name": user.name,
        "job_title": user.job_title,
        "organisation": user.organisation.name if user.organisation_id else None,
    }


def direct_list_for(*, user: User, room_ids: list[int] | None = None) -> list[dict[str, Any]]:
    """One's direct conversations, latest activity first, each with the other participants,
    the caller's read position and unread counts."""
    from backend.messaging.selectors import unread_counts_for

    access_direct(actor=user)
    mine = Membership.objects.filter(
        user=user, room__kind=Room.Kind.DIRECT, room__archived_at__isnull=True
    )
    if room_ids is not None:
        mine = mine.filter(room_id__in=room_ids)
    reads = dict(mine.values_list("room_id", "last_read_seq"))
    rooms = list(
        Room.objects.filter(pk__in=list(reads))
        .annotate(last_event_at=Max("events__created_at"))
        .order_by("pk")
    )
    others: dict[int, list[dict[str, Any]]] = {}
    for membership in (
        Membership.objects.filter(room_id__in=list(reads))
        .exclude(user=user)
        .select_related("user__organisation")
        .order_by("user__name", "user_id")
    ):
        others.setdefault(membership.room_id, []).append(_person(membership.user))
    unread = unread_counts_for(user=user, room_ids=list(reads)) if reads else {}
    cards = []
    for room in rooms:
        people = others.get(room.pk, [])
        counts = unread.get(room.pk, {})
        cards.append(
            {
                "id": room.pk,
                "kind": room.kind,
                "name": ", ".join(p["name"] for p in people) or room.name,
                "participants": people,
                "seq": room.last_seq,
                "read": reads[room.pk],
                "unread": counts.get("unread", 0),
                "mentions": counts.get("mentions", 0),
                "created_at": iso(room.created_at),
                "last_activity": iso(room.last_event_at or room.created_at),
            }
        )
    cards.sort(key=lambda c: (c["last_activity"] or "", c["id"]), reverse=True)
    return cards


def direct_card_for(*, user: User, room_id: int) -> dict[str, Any]:
    return direct_list_for(user=user, room_ids=[room_id])[0]


def block_list_for(*, user: User) -> list[dict[str, Any]]:
    """The agents one has blocked, by name."""
    access_direct(actor=user)
    rows = (
        Block.objects.filter(blocker=user)
        .select_related("blocked__organisation")
        .order_by("blocked__name", "blocked_id")
    )
    return [{**_person(row.blocked), "blocked_at": iso(row.created_at)} for row in rows]


def block_card(block: Block) -> dict[str, Any]:
    return {**_person(block.blocked), "blocked_at": iso(block.created_at)}
