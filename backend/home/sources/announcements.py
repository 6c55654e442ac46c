"""Announcements addressed to the user, one item each: those delivered to rooms the user is a
member of (and may read), and those sent to the agents of the user's kind of organisation —
which reach them here even when no room of theirs received it."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Q

from backend.accounts.models import User
from backend.integrations.models import Announcement, AnnouncementDelivery

from ..items import Item, message_url, plain, room_ref
from . import member_room_ids, readable_room_ids, window

# An announcement read on the home page alone (no room of the reader holds it) shows whole.
FULL_TEXT_MAX = 2000


def item(
    *,
    announcement_id: int,
    room: object | None,
    message_id: int | None,
    author_name: str,
    body: str,
    at: datetime,
) -> Item:
    if room is None or message_id is None:
        return Item(
            kind="announcement",
            id=f"announcement:{announcement_id}",
            at=at,
            title=author_name,
            summary=plain(body, FULL_TEXT_MAX),
            url="",
        )
    return Item(
        kind="announcement",
        id=f"announcement:{announcement_id}",
        at=at,
        title=author_name,
        summary=plain(body),
        url=message_url(room.pk, message_id),  # type: ignore[attr-defined]
        room=room_ref(room),
    )


def addressed_to_kind(kind: str | None) -> Q:
    """Sent announcements whose audience is the agents of this kind of organisation."""
    if not kind:
        return Q(pk__in=[])
    return Q(
        audience=Announcement.Audience.ORGANISATION_KIND,
        target__organisation_kind=kind,
        status=Announcement.Status.SENT,
    )


def items_for(*, user: User, since: datetime, before: datetime | None, limit: int) -> list[Item]:
    """Dated by the announcement's sending (one date for all its rooms, so it never spans two
    pages); the first of one's rooms it reached is the one linked, else the first room of it
    the user may read, else none (the item then carries the whole text)."""
    rooms = member_room_ids(user)
    reached = AnnouncementDelivery.objects.filter(room__in=rooms, message__deleted_at__isnull=True)
    kind = user.organisation.kind if user.organisation_id else None
    found = list(
        Announcement.objects.filter(
            window("sent_at", since=since, before=before),
            Q(pk__in=reached.values("announcement_id")) | addressed_to_kind(kind),
        )
        .exclude(author=user)
        .select_related("author")
        .order_by("-sent_at", "-pk")[:limit]
    )
    ids = [a.pk for a in found]
    first: dict[int, AnnouncementDelivery] = {}
    for d in reached.filter(announcement__in=ids).select_related("room").order_by("room_id"):
        first.setdefault(d.announcement_id, d)
    missing = [pk for pk in ids if pk not in first]
    if missing:
        readable = AnnouncementDelivery.objects.filter(
            announcement__in=missing,
            room__in=readable_room_ids(user),
            message__deleted_at__isnull=True,
        )
        for d in readable.select_related("room").order_by("room_id"):
            first.setdefault(d.announcement_id, d)
    out = []
    for a in found:
        if a.sent_at is None:
            continue
        delivery = first.get(a.pk)
        if delivery is None and a.audience != Announcement.Audience.ORGANISATION_KIND:
            continue
        out.append(
            item(
                announcement_id=a.pk,
                room=delivery.room if delivery else None,
                message_id=delivery.message_id if delivery else None,
                author_name=a.author.name,
                body=a.body,
                at=a.sent_at,
            )
        )
    return out
