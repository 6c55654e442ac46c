"""REST endpoints of the personal home feed (« Accueil »)."""

from __future__ import annotations

from typing import Literal

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field, StrictStr

from backend.common.api import AUTH, ERRORS, StrictIn, iso_datetime
from backend.rooms.events import iso

from . import selectors, services

router = Router(tags=["home"], auth=AUTH)


class RoomRef(Schema):
    id: int
    name: str


class HomeItemOut(Schema):
    kind: Literal["announcement", "mention", "thread", "webinar", "fiche", "member"]
    id: str = Field(description="Stable: the same thing keeps its id (e.g. « thread:42 »)")
    at: str = Field(description="ISO 8601, UTC: when it happened (newest first)")
    title: str = Field(description="A name: the author, the fiche, the webinar, the new member")
    summary: str = Field(description="Plain text, short")
    url: str = Field(description="Where the web client opens it")
    room: RoomRef | None
    seen: bool = Field(description="At or before the « seen up to » mark")
    starts_at: str | None = Field(None, description="Webinars only: when it begins")


class HomeOut(Schema):
    items: list[HomeItemOut]
    unseen: int = Field(description="Items after the « seen up to » mark (99 at most)")
    seen_until: str | None
    next: str | None = Field(description="Pass as « before » for the next page; null at the end")


class HomeQuery(Schema):
    before: str | None = Field(
        None,
        max_length=selectors.CURSOR_MAX,
        description="A page's « next », or an ISO 8601 time with its offset",
    )
    limit: int = Field(30, ge=1, le=selectors.LIMIT_MAX)


class SeenIn(StrictIn):
    until: StrictStr | None = Field(
        None, description="ISO 8601 time with its offset (default and latest: now)"
    )


class SeenOut(Schema):
    seen_until: str
    unseen: int


@router.get("/home", response={200: HomeOut, **ERRORS}, summary="Mon accueil")
def home(request: HttpRequest, query: Query[HomeQuery]) -> dict:
    return selectors.home_page_for(user=request.auth, before=query.before, limit=query.limit)


@router.post("/home/seen", response={200: SeenOut, **ERRORS}, summary="Tout marquer comme vu")
def home_seen(request: HttpRequest, payload: SeenIn) -> dict:
    result = services.home_seen_mark(actor=request.auth, until=iso_datetime(payload.until, "until"))
    return {"seen_until": iso(result.seen_until), "unseen": result.unseen}
