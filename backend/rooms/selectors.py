"""Reads for rooms: directory, members, event log. No query in a loop."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Count, Q
from django.utils.translation import gettext as _

from backend.accounts.models import User
from backend.common.errors import BadRequest, NotFound

from .access import (
    access_room_readable,
    access_room_visible,
    bot_readable_memberships_q,
    can_read,
    visible_rooms,
)
from .models import Invitation, Membership, Room, RoomEvent


def _unread(*, user: User, room_ids: list[int]) -> dict[int, dict[str, int]]:
    from backend.messaging.selectors import unread_counts_for

    return unread_counts_for(user=user, room_ids=room_ids) if room_ids else {}


def _direct_name(names: list[str]) -> str:
    return ", ".join(names)[:200]


def direct_names_for(*, user: User, room_ids: list[int]) -> dict[int, str]:
    """The name a direct conversation shows to ``user``: the other participants' names."""
    rows = (
        Membership.objects.filter(room_id__in=room_ids, room__kind=Room.Kind.DIRECT)
        .exclude(user=user)
        .order_by("user__name", "user_id")
        .values_list("room_id", "user__name")
    )
    names: dict[int, list[str]] = {}
    for room_id, name in rows:
        names.setdefault(room_id, []).append(name)
    return {room_id: _direct_name(found) for room_id, found in names.items()}


def direct_names_by_reader(*, room_id: int, user_ids: set[int]) -> dict[int, str]:
    """The name one direct conversation shows to each of ``user_ids`` (one query), as
    ``direct_names_for`` gives it to each of them."""
    members = list(
        Membership.objects.filter(room_id=room_id, room__kind=Room.Kind.DIRECT)
        .order_by("user__name", "user_id")
        .values_list("user_id", "user__name")
    )
    return {
        user_id: _direct_name([name for other, name in members if other != user_id])
        for user_id in user_ids
    }


def _named(card: dict[str, Any], names: dict[int, str]) -> dict[str, Any]:
    if card["kind"] == Room.Kind.DIRECT and names.get(card["id"]):
        card["name"] = names[card["id"]]
    return card


def room_dict(
    room: Room,
    *,
    role: str | None,
    member_count: int | None = None,
    invited: bool = False,
    unread: dict[str, int] | None = None,
    read: int | None = None,
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
        "read": read,
        "unread": (unread or {}).get("unread", 0),
        "mentions": (unread or {}).get("mentions", 0),
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
        # One's direct conversations come with one's rooms (kind "direct"), never otherwise.
        rooms = rooms.filter(memberships__user=user)
    else:
        rooms = rooms.exclude(kind=Room.Kind.DIRECT)
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
    mine_rows = Membership.objects.filter(user=user, room_id__in=ids)
    roles = dict(mine_rows.values_list("room_id", "role"))
    reads = dict(mine_rows.values_list("room_id", "last_read_seq"))
    unread = _unread(user=user, room_ids=list(roles))
    invited = set(
        Invitation.objects.filter(invitee=user, room_id__in=ids).values_list("room_id", flat=True)
    )
    names = direct_names_for(user=user, room_ids=[r.pk for r in page if r.direct_key])
    return [
        _named(
            room_dict(
                room,
                role=roles.get(room.pk),
                member_count=room.n_members,
                invited=room.pk in invited,
                unread=unread.get(room.pk),
                read=reads.get(room.pk),
            ),
            names,
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
    card = room_dict(
        room,
        role=membership.role if membership else None,
        member_count=count,
        invited=invited,
        unread=_unread(user=user, room_ids=[room.pk]).get(room.pk) if membership else None,
        read=membership.last_read_seq if membership else None,
    )
    if can_read(user=user, room=room, membership=membership):
        from backend.moderation.selectors import room_moderation_info

        card.update(room_moderation_info(room=room, user=user))
    if room.kind == Room.Kind.DIRECT:
        _named(card, direct_names_for(user=user, room_ids=[room.pk]))
    return card


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


# --- reads for the realtime layer ------------------------------------------------------------


def room_last_seq(*, room_id: int) -> int:
    return Room.objects.filter(pk=room_id).values_list("last_seq", flat=True).first() or 0


def event_frames_between(*, room_id: int, after: int, upto: int | None) -> list[dict[str, Any]]:
    """Events ``after < seq <= upto`` of a room, for a hub that already authorised its readers."""
    rows = RoomEvent.objects.filter(room_id=room_id, seq__gt=after)
    if upto is not None:
        rows = rows.filter(seq__lte=upto)
    return [row.as_frame() for row in rows.order_by("seq")[:5000]]


@dataclass(frozen=True)
class SocketRoom:
    id: int
    seq: int
    read: int
    member_count: int
    unread: int = 0
    mentions: int = 0


def socket_rooms_for(*, user: User) -> list[SocketRoom]:
    """Every room the user is a member of, with its last seq and the user's read position."""
    rows = (
        Membership.objects.filter(user=user, room__archived_at__isnull=True)
        .filter(bot_readable_memberships_q())
        .select_related("room")
        .annotate(n_members=Count("room__memberships"))
        .order_by("room_id")
    )
    rows = list(rows)
    unread = _unread(user=user, room_ids=[m.room_id for m in rows])
    return [
        SocketRoom(
            id=m.room_id,
            seq=m.room.last_seq,
            read=m.last_read_seq,
            member_count=m.n_members,
            unread=unread.get(m.room_id, {}).get("unread", 0),
            mentions=unread.get(m.room_id, {}).get("mentions", 0),
        )
        for m in rows
    ]


def readable_room_seq(*, user: User, room_id: int) -> int:
    """The last seq of a room the user may read (raises NotFound otherwise)."""
    room, _membership = access_room_readable(actor=user, room_id=room_id)
    return room.last_seq


def sync_page_for(*, user: User, room_id: int, since: int, limit: int) -> tuple[list[dict], bool]:
    """Events after ``since`` for a reader; only the newest ``limit`` when more were missed."""
    room, _membership = access_room_readable(actor=user, room_id=room_id)
    missed = room.last_seq - since
    if missed <= limit:
        return event_page(room=room, after=since, limit=limit).events, False
    return event_page(room=room, before=room.last_seq + 1, limit=limit).events, True


@dataclass(frozen=True)
class PresenceRooms:
    name: str
    room_ids: list[int]


def presence_rooms_for(*, user_id: int, max_members: int = 200) -> PresenceRooms:
    """Rooms small enough for presence broadcasts that this user belongs to."""
    user = User.objects.filter(pk=user_id).only("name").first()
    ids = list(
        Membership.objects.filter(user_id=user_id)
        .annotate(n=Count("room__memberships"))
        .filter(n__lte=max_members)
        .values_list("room_id", flat=True)
    )
    return PresenceRooms(name=user.name if user else "", room_ids=ids)


def member_room_for(*, user: User, room_id: int) -> SocketRoom | None:
    membership = (
        Membership.objects.filter(user=user, room_id=room_id)
        .filter(bot_readable_memberships_q())
        .select_related("room")
        .first()
    )
    if membership is None:
        return None
    count = Membership.objects.filter(room_id=room_id).count()
    return SocketRoom(
        id=room_id, seq=membership.room.last_seq, read=membership.last_read_seq, member_count=count
    )


def room_presence_for(*, user: User, room_id: int, limit: int = 200) -> dict[str, Any]:
    """Online members of a room a user may read: the count, and up to ``limit`` of them."""
    room, _membership = access_room_readable(actor=user, room_id=room_id)
    members = list(
        Membership.objects.filter(room=room)
        .select_related("user")
        .order_by("user__name", "user_id")
        .values_list("user_id", "user__name")
    )
    from realtime import publish

    statuses = publish.presence_of([uid for uid, _name in members])
    online = [
        {"id": uid, "name": name, "status": statuses[uid]}
        for uid, name in members
        if statuses.get(uid, "offline") != "offline"
    ]
    return {"room": room.pk, "online_count": len(online), "online": online[:limit]}
