"""Announcements delivered to rooms the user is a member of (and may read), one item each."""

from __future__ import annotations

from datetime import datetime

from backend.accounts.models import User
from backend.integrations.models import Announcement, AnnouncementDelivery

from ..items import Item, message_url, plain, room_ref
from . import member_room_ids, window


def item(
    *,
    announcement_id: int,
    room: object,
    message_id: int,
    author_name: str,
    body: str,
    at: datetime,
) -> Item:
    return Item(
        kind="announcement",
        id=f"announcement:{announcement_id}",
        at=at,
        title=author_name,
        summary=plain(body),
        url=message_url(room.pk, message_id),  # type: ignore[attr-defined]
        room=room_ref(room),
    )


def items_for(*, user: User, since: datetime, before: datetime | None, limit: int) -> list[Item]:
    """Dated by the announcement's sending (one date for all its rooms, so it never spans two
    pages); the first of one's rooms it reached is the one linked."""
    rooms = member_room_ids(user)
    reached = AnnouncementDelivery.objects.filter(room__in=rooms, message__deleted_at__isnull=True)
    found = list(
        Announcement.objects.filter(
            window("sent_at", since=since, before=before),
            pk__in=reached.values("announcement_id"),
        )
        .exclude(author=user)
        .select_related("author")
        .order_by("-sent_at", "-pk")[:limit]
    )
    first: dict[int, AnnouncementDelivery] = {}
    for d in (
        reached.filter(announcement__in=[a.pk for a in found])
        .select_related("room")
        .order_by("room_id")
    ):
        first.setdefault(d.announcement_id, d)
    return [
        item(
            announcement_id=a.pk,
            room=first[a.pk].room,
            message_id=first[a.pk].message_id,
            author_name=a.author.name,
            body=a.body,
            at=a.sent_at,
        )
        for a in found
        if a.pk in first and a.sent_at is not None
    ]
