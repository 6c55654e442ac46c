"""Announcements delivered to rooms the user is a member of (and may read), one item each."""

from __future__ import annotations

from datetime import datetime

from backend.accounts.models import User
from backend.integrations.models import AnnouncementDelivery

from ..items import Item, message_url, plain, room_ref
from . import member_room_ids, window

# An announcement reaches one room per delivery: a few more rows than items, merged by id.
_SPARE = 20


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
    rows = (
        AnnouncementDelivery.objects.filter(
            window("message__created_at", since=since, before=before),
            room__in=member_room_ids(user),
            message__deleted_at__isnull=True,
        )
        .exclude(announcement__author=user)
        .select_related("announcement__author", "room", "message")
        .order_by("-message__created_at", "-pk")[: limit + _SPARE]
    )
    found: dict[int, Item] = {}
    for d in rows:
        if d.announcement_id in found:
            continue
        found[d.announcement_id] = item(
            announcement_id=d.announcement_id,
            room=d.room,
            message_id=d.message_id,
            author_name=d.announcement.author.name,
            body=d.announcement.body,
            at=d.message.created_at,
        )
    return list(found.values())[:limit]
