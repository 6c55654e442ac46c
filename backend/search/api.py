"""REST endpoint for full-text search."""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from backend.common.api import AUTH, ERRORS
from backend.messaging.api import MessageOut

from .selectors import SearchFilters, search_for

router = Router(tags=["recherche"], auth=AUTH)


class SearchQueryIn(Schema):
    q: str = Field(max_length=200, description="Words to find (French stemming, accents ignored)")
    room: int | None = Field(None, ge=1, le=2**62)
    author: int | None = Field(None, ge=1, le=2**62)
    after: datetime | None = None
    before: datetime | None = None
    has_document: bool | None = None
    limit: int = Field(20, ge=1, le=100)
    offset: int = Field(0, ge=0, le=10_000)


class RoomRefOut(Schema):
    id: int
    name: str


class SearchResultOut(Schema):
    message: MessageOut
    room: RoomRefOut
    rank: float
    snippet: str
    highlights: list[list[int]] = Field(description="[start, end) ranges of the snippet")


class SearchOut(Schema):
    query: str
    total: int
    engine: str
    results: list[SearchResultOut]


@router.get("/search", response={200: SearchOut, **ERRORS}, summary="Rechercher des messages")
def search(request: HttpRequest, query: Query[SearchQueryIn]) -> dict:
    filters = SearchFilters(
        room=query.room,
        author=query.author,
        after=query.after,
        before=query.before,
        has_document=query.has_document,
    )
    return search_for(
        user=request.auth, q=query.q, filters=filters, limit=query.limit, offset=query.offset
    )
