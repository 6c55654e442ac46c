"""Secret calendar feed URLs, outside the REST API: calendar clients carry no session cookie.

``GET /webinars/feed/<secret>.ics`` lists the webinars the secret's owner is registered to or
hosts; ``GET /webinars/feed/<secret>/rooms/<room_id>.ics`` a room's webinars if the owner may read
the room. An unknown, rotated or revoked secret, or an unreadable room, is a bare 404 that says
nothing more (the same for each). Responses keep ``X-Robots-Tag: noindex`` (middleware).
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from backend.accounts.models import User
from backend.common.errors import PreauError
from backend.rooms.access import access_room_readable

from . import calendar, selectors


def _not_found() -> HttpResponse:
    return HttpResponse(_("Introuvable."), status=404, content_type="text/plain; charset=utf-8")


def ics_response(request: HttpRequest, name: str, webinars: object) -> HttpResponse:
    base = request.build_absolute_uri("/").rstrip("/")
    body = calendar.feed(name=name, webinars=webinars, base_url=base)  # type: ignore[arg-type]
    return HttpResponse(body, content_type="text/calendar; charset=utf-8")


def _owner(secret: str) -> User | None:
    return selectors.feed_owner(secret=secret)


@require_GET
@never_cache
def user_feed(request: HttpRequest, secret: str) -> HttpResponse:
    user = _owner(secret)
    if user is None:
        return _not_found()
    return ics_response(request, _("Mes webinaires Préau"), selectors.my_webinars(user=user))


@require_GET
@never_cache
def room_feed(request: HttpRequest, secret: str, room_id: int) -> HttpResponse:
    user = _owner(secret)
    if user is None:
        return _not_found()
    try:
        room, _m = access_room_readable(actor=user, room_id=room_id)
    except PreauError:
        return _not_found()
    return ics_response(request, room.name, selectors.room_webinars(room_id=room.pk))
