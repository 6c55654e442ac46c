"""REST endpoints of webinar calendars: iCalendar feeds and the caller's secret feed URL."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Schema
from ninja.responses import Status
from pydantic import Field

from backend.common.api import ERRORS, positive_id
from backend.rooms.access import access_room_readable

from . import selectors, services
from .api import router
from .views import ics_response


@router.get(
    "/me/webinars.ics", response={200: None, **ERRORS}, summary="Mes webinaires (iCalendar)"
)
def my_calendar(request: HttpRequest) -> HttpResponse:
    return ics_response(
        request, _("Mes webinaires Préau"), selectors.my_webinars(user=request.auth)
    )


@router.get(
    "/rooms/{room_id}/webinars.ics",
    response={200: None, **ERRORS},
    summary="Webinaires d'un salon (iCalendar)",
)
def room_calendar(request: HttpRequest, room_id: int) -> HttpResponse:
    room, _m = access_room_readable(actor=request.auth, room_id=positive_id(room_id, "room_id"))
    return ics_response(request, room.name, selectors.room_webinars(room_id=room.pk))


class FeedStatusOut(Schema):
    exists: bool
    prefix: str | None = Field(description="The first characters of the secret, to recognise it")
    created_at: str | None


class FeedOut(FeedStatusOut):
    url: str = Field(description="The secret feed URL; shown once, only its digest is kept")
    room_url: str = Field(description="A room's feed: replace {room_id}")


@router.get(
    "/me/webinars/feed",
    response={200: FeedStatusOut, **ERRORS},
    summary="Mon lien d'agenda secret (état)",
)
def feed_status(request: HttpRequest) -> dict:
    return selectors.feed_status_for(user=request.auth)


@router.post(
    "/me/webinars/feed",
    response={201: FeedOut, **ERRORS},
    summary="Créer ou renouveler mon lien d'agenda secret (l'ancien cesse aussitôt)",
)
def feed_rotate(request: HttpRequest) -> Status:
    result = services.feed_token_rotate(actor=request.auth)
    return Status(
        201,
        {
            **selectors.feed_status_for(user=request.auth),
            "url": result.url,
            "room_url": result.url.removesuffix(".ics") + "/rooms/{room_id}.ics",
        },
    )


@router.delete(
    "/me/webinars/feed",
    response={200: FeedStatusOut, **ERRORS},
    summary="Révoquer mon lien d'agenda secret",
)
def feed_revoke(request: HttpRequest) -> dict:
    services.feed_token_revoke(actor=request.auth)
    return selectors.feed_status_for(user=request.auth)
