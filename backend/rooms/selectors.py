"""Reads for rooms: directory, members, event log. No query in a loop."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Count, Q
from django.utils.translation import gettext as _

from backend.accounts.models import User
from backend.common.errors import BadRequest, NotFound

from .access import access_room_readable, access_room_visible, visible_rooms
from .models import Invitation, Membership, Room, RoomEvent


def room_dict(
    room: Room, *, role: str | None, member_count: int | None = None, invited: bool = False
) -> dict[str, Any]:
    return {
        "id": room.pk,
        "name": room.name,
        "description": room.description,
        "kind": room.kind,
        "access": room.access,
        "theme": {"slug": room.theme.slug, "name": room.theme.name} if room.theme_id else None,
        "territory": (
            {
                "insee_code": room.territory.insee_code,
                "name": room.territory.name,
                "level": room.territory.level,
            }
            if room.territory_id
            else None
        ),
        "organisation": (
            {"id": room.organisation.pk, "name": room.organisation.name}
            if room.organisation_id
            else None
        ),
        "seq": room.last_seq,
        "member_count": member_count,
        "role": role,
        "is_member": role is not None,
        "invited": invited,
    }


def room_list_for(
    *,
    user: User,
    q: str | None = None,
    kind: str | None = None,
    theme: str | None = None,
    territory: str | None = None,
    mine: bool = False,
    limit: int = 100,
    offset: int = 0,
) -> list[dict[str, Any]]:
    rooms = visible_rooms(user)
    if mine:
        rooms = rooms.filter(memberships__user=user)
    if q:
        q = q.strip()
        rooms = rooms.filter(
            Q(name__icontains=q)
            | Q(description__icontains=q)
            | Q(theme__name__icontains=q)
            | Q(territory__name__icontains=q)
            | Q(territory__insee_code=q)
        )
    if kind:
        rooms = rooms.filter(kind=kind)
    if theme:
        rooms = rooms.filter(theme__slug=theme)
    if territory:
        rooms = rooms.filter(
            Q(territory__insee_code=territory)
            | Q(territory__parent__insee_code=territory)
            | Q(territory__parent__parent__insee_code=territory)
        )
    # distinct() ids first, then annotate: annotations over the visibility joins would double count.
    ids = list(rooms.order_by("name", "pk").values_list("pk", flat=True)[offset : offset + limit])
    page = (
        Room.objects.filter(pk__in=ids)
        .select_related("theme", "territory", "organisation")
        .annotate(n_members=Count("memberships", distinct=True))
        .order_by("name", "pk")
    )
    roles = dict(
        Membership.objects.filter(user=user, room_id__in=ids).values_list("room_id", "role")
    )
    invited = set(
        Invitation.objects.filter(invitee=user, room_id__in=ids).values_list("room_id", flat=True)
    )
    return [
        room_dict(
            room, role=roles.get(room.pk), member_count=room.n_members, invited=room.pk in invited
        )
        for room in page
    ]


def room_detail_for(*, user: User, room_id: int) -> dict[str, Any]:
    """A room's card: for readers, and for anyone the directory shows it to."""
    try:
        room, membership = access_room_readable(actor=user, room_id=room_id)
    except NotFound:
        room, membership = access_room_visible(actor=user, room_id=room_id), None
    count = Membership.objects.filter(room=room).count()
    invited = membership is None and Invitation.objects.filter(room=room, invitee=user).exists()
    return room_dict(
        room, role=membership.role if membership else None, member_count=count, invited=invited
    )


def member_list_for(*, user: User, room_id: int) -> list[dict[str, Any]]:
    room, _membership = access_room_readable(actor=user, room_id=room_id)
    members = (
        Membership.objects.filter(room=room)
        .select_related("user", "user__organisation")
        .order_by("user__name", "user_id")
    )
    return [
        {
            "user": {
                "id": m.user.pk,
                "name": m.user.name,
                "organisation": m.user.organisation.name if m.user.organisation_id else None,
                "job_title": m.user.job_title,
                "is_bot": m.user.is_bot,
            },
            "role": m.role,
            "joined_at": m.joined_at,
        }
        for m in members
    ]


@dataclass(frozen=True)
class EventPage:
    room_id: int
    events: list[dict[str, Any]]
    last_seq: int
    has_more: bool


def event_page_for(
    *,
    user: User,
    room_id: int,
    after: int | None = None,
    before: int | None = None,
    limit: int = 100,
) -> EventPage:
    """Room events oldest first: after ``after`` (catch up) or just before ``before`` (page back)."""
    room, _membership = access_room_readable(actor=user, room_id=room_id)
    return event_page(room=room, after=after, before=before, limit=limit)


def event_page(
    *, room: Room, after: int | None = None, before: int | None = None, limit: int = 100
) -> EventPage:
    if after is not None and before is not None:
        raise BadRequest(_("« after » et « before » ne peuvent pas être combinés."))
    limit = max(1, min(limit, settings.PREAU["EVENTS_PAGE_MAX"]))
    events = RoomEvent.objects.filter(room_id=room.pk)
    if before is not None:
        rows = list(events.filter(seq__lt=before).order_by("-seq")[: limit + 1])
        has_more = len(rows) > limit
        rows = list(reversed(rows[:limit]))
    else:
        rows = list(events.filter(seq__gt=after or 0).order_by("seq")[: limit + 1])
        has_more = len(rows) > limit
        rows = rows[:limit]
    return EventPage(
        room_id=room.pk,
        events=[row.as_frame() for row in rows],
        last_seq=room.last_seq,
        has_more=has_more,
    )
