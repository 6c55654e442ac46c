"""REST endpoints for rooms, membership and the room event log."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.responses import Status
from pydantic import Field, StrictInt, StrictStr

from backend.common.api import AUTH, ERRORS, StrictIn, positive_id

from . import selectors, services
from .models import Territory, Theme

router = Router(tags=["salons"], auth=AUTH)


class ThemeOut(Schema):
    slug: str
    name: str


class TerritoryOut(Schema):
    insee_code: str
    name: str
    level: str


class OrganisationOut(Schema):
    id: int
    name: str


class RoomOut(Schema):
    id: int
    name: str
    description: str
    kind: str
    access: str
    theme: ThemeOut | None
    territory: TerritoryOut | None
    organisation: OrganisationOut | None
    seq: int = Field(description="Last event sequence number of the room")
    member_count: int | None
    role: str | None
    is_member: bool
    invited: bool
    read: int | None = Field(None, description="The caller's read position (members)")
    unread: int = Field(0, description="Messages by others after the read position")
    mentions: int = Field(0, description="Unread messages mentioning the caller")
    posting: str = Field("all", description="all, announcement or read_only (readers)")
    slow_mode_seconds: int = Field(0, description="Slow mode delay, 0 when off (readers)")
    pinned: list[dict[str, Any]] = Field(default_factory=list, description="Pinned messages")
    muted_until: str | None = Field(None, description="The caller is muted until then")


class RoomIn(StrictIn):
    name: StrictStr
    kind: Literal["thematic", "geographic", "private"]
    access: Literal["open", "organisation", "invite"]
    description: StrictStr = ""
    theme: StrictStr | None = Field(None, description="Theme slug (thematic rooms)")
    territory: StrictStr | None = Field(None, description="INSEE code (geographic rooms)")
    territory_level: Literal["commune", "departement", "region"] | None = None
    organisation: StrictInt | None = Field(
        None, description="Organisation id (organisation access)"
    )


@router.post("/rooms", response={201: RoomOut, **ERRORS}, summary="Créer un salon")
def room_create(request: HttpRequest, payload: RoomIn) -> Status:
    result = services.room_create(actor=request.auth, **payload.dict())
    return Status(201, selectors.room_detail_for(user=request.auth, room_id=result.room.pk))


class RoomFilter(Schema):
    q: str | None = Field(None, max_length=200)
    kind: Literal["thematic", "geographic", "private"] | None = None
    theme: str | None = Field(None, max_length=64)
    territory: str | None = Field(None, max_length=5, description="INSEE code")
    mine: bool = False
    limit: int = Field(100, ge=1, le=500)
    offset: int = Field(0, ge=0, le=100_000)


@router.get("/rooms", response={200: list[RoomOut], **ERRORS}, summary="Salons visibles")
def room_list(request: HttpRequest, filters: Query[RoomFilter]) -> list[dict]:
    return selectors.room_list_for(user=request.auth, **filters.dict())


@router.get("/rooms/{room_id}", response={200: RoomOut, **ERRORS}, summary="Un salon")
def room_detail(request: HttpRequest, room_id: int) -> dict:
    return selectors.room_detail_for(user=request.auth, room_id=positive_id(room_id, "room_id"))


@router.post("/rooms/{room_id}/join", response={200: RoomOut, **ERRORS}, summary="Rejoindre")
def room_join(request: HttpRequest, room_id: int) -> dict:
    services.room_join(actor=request.auth, room_id=positive_id(room_id, "room_id"))
    return selectors.room_detail_for(user=request.auth, room_id=room_id)


class OkOut(Schema):
    status: str


@router.post("/rooms/{room_id}/leave", response={200: OkOut, **ERRORS}, summary="Quitter")
def room_leave(request: HttpRequest, room_id: int) -> dict:
    services.room_leave(actor=request.auth, room_id=positive_id(room_id, "room_id"))
    return {"status": "left"}


class InviteIn(StrictIn):
    email: StrictStr | None = None
    user: StrictInt | None = None


class InvitationOut(Schema):
    room: int
    user: int
    created_at: datetime


@router.post("/rooms/{room_id}/invite", response={201: InvitationOut, **ERRORS}, summary="Inviter")
def room_invite(request: HttpRequest, room_id: int, payload: InviteIn) -> Status:
    invitation = services.room_invite(
        actor=request.auth,
        room_id=positive_id(room_id, "room_id"),
        email=payload.email,
        user_id=payload.user,
    )
    return Status(
        201,
        {
            "room": invitation.room_id,
            "user": invitation.invitee_id,
            "created_at": invitation.created_at,
        },
    )


class ReadIn(StrictIn):
    seq: StrictInt = Field(ge=0)


class ReadOut(Schema):
    room: int
    seq: int


@router.post(
    "/rooms/{room_id}/read",
    response={200: ReadOut, **ERRORS},
    summary="Marquer le salon comme lu jusqu'à seq (ne recule jamais)",
)
def room_read(request: HttpRequest, room_id: int, payload: ReadIn) -> dict:
    seq = services.read_mark(
        actor=request.auth, room_id=positive_id(room_id, "room_id"), seq=payload.seq
    )
    return {"room": room_id, "seq": seq}


class MemberUserOut(Schema):
    id: int
    name: str
    organisation: str | None
    job_title: str
    is_bot: bool


class MemberOut(Schema):
    user: MemberUserOut
    role: str
    joined_at: datetime


@router.get(
    "/rooms/{room_id}/members", response={200: list[MemberOut], **ERRORS}, summary="Membres"
)
def room_members(request: HttpRequest, room_id: int) -> list[dict]:
    return selectors.member_list_for(user=request.auth, room_id=positive_id(room_id, "room_id"))


class PresentUserOut(Schema):
    id: int
    name: str
    status: Literal["online", "away", "dnd"]


class PresenceOut(Schema):
    room: int
    online_count: int
    online: list[PresentUserOut]


@router.get(
    "/rooms/{room_id}/presence",
    response={200: PresenceOut, **ERRORS},
    summary="Membres en ligne (nombre, et les 200 premiers)",
)
def room_presence(request: HttpRequest, room_id: int) -> dict:
    return selectors.room_presence_for(user=request.auth, room_id=positive_id(room_id, "room_id"))


class EventOut(Schema):
    type: Literal["event"]
    room: int
    seq: int
    event: str
    data: dict[str, Any]


class EventPageOut(Schema):
    room: int
    events: list[EventOut]
    last_seq: int
    has_more: bool


class EventQuery(Schema):
    after: int | None = Field(None, ge=0, description="Events with seq > after (catch up)")
    before: int | None = Field(None, ge=1, description="The newest events with seq < before")
    limit: int = Field(100, ge=1, le=500)


@router.get(
    "/rooms/{room_id}/events",
    response={200: EventPageOut, **ERRORS},
    summary="Journal des événements du salon (du plus ancien au plus récent)",
)
def room_events(request: HttpRequest, room_id: int, query: Query[EventQuery]) -> dict:
    page = selectors.event_page_for(
        user=request.auth,
        room_id=positive_id(room_id, "room_id"),
        after=query.after,
        before=query.before,
        limit=query.limit,
    )
    return {
        "room": page.room_id,
        "events": page.events,
        "last_seq": page.last_seq,
        "has_more": page.has_more,
    }


@router.get("/themes", response={200: list[ThemeOut], **ERRORS}, summary="Thèmes")
def theme_list(request: HttpRequest) -> list[dict]:
    return list(Theme.objects.values("slug", "name"))


class TerritoryQuery(Schema):
    q: str | None = Field(None, max_length=100)
    level: Literal["commune", "departement", "region"] | None = None
    limit: int = Field(50, ge=1, le=500)


@router.get("/territories", response={200: list[TerritoryOut], **ERRORS}, summary="Territoires")
def territory_list(request: HttpRequest, query: Query[TerritoryQuery]) -> list[dict]:
    rows = Territory.objects.all()
    if query.level:
        rows = rows.filter(level=query.level)
    if query.q:
        rows = rows.filter(name__icontains=query.q) | rows.filter(insee_code=query.q.upper())
    return list(rows.values("insee_code", "name", "level")[: query.limit])
