"""One module per source of the home feed, each with ``items_for(*, user, since, before, limit)``.

``since`` bounds how old an item may be (the feed's window), ``before`` (inclusive, or None)
where a page starts; each returns at most ``limit`` items, newest first. Every source reaches
room content only through the rooms the user may read now (``readable_rooms_q``), so an item
from a room the user cannot read — private, direct, left, banned from, or content moved
there — never appears.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import Q, QuerySet

from backend.accounts.models import User
from backend.rooms.access import readable_rooms_q
from backend.rooms.models import Membership, Room


def readable_room_ids(user: User) -> QuerySet[Room, Any]:
    """Rooms whose content the user may read, as a subquery."""
    return Room.objects.filter(readable_rooms_q(user)).values("pk")


def member_room_ids(user: User) -> QuerySet[Room, Any]:
    """Rooms the user is a member of and may read: where announcements reach them."""
    return (
        Room.objects.filter(readable_rooms_q(user))
        .filter(pk__in=Membership.objects.filter(user=user).values("room_id"))
        .values("pk")
    )


def window(field: str, *, since: datetime, before: datetime | None) -> Q:
    q = Q(**{f"{field}__gte": since})
    if before is not None:
        q &= Q(**{f"{field}__lte": before})
    return q
