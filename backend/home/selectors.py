"""Reads: the home feed, merged from every source newest first, with its cursor and seen state."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from backend.accounts.models import User
from backend.common.errors import BadRequest
from backend.rooms.events import iso

from .access import access_home
from .items import Item
from .models import HomeSeen
from .sources import announcements, fiches, members, mentions, threads, webinars

SOURCES = (announcements, mentions, threads, webinars, fiches, members)
WINDOW_DAYS = 30
LIMIT_MAX = 100
UNSEEN_MAX = 99
CURSOR_MAX = 120


@dataclass(frozen=True)
class Cursor:
    at: datetime
    id: str | None  # None: every item at ``at`` or before

    def admits(self, item: Item) -> bool:
        if self.id is None:
            return item.at <= self.at
        return item.key < (self.at, self.id)


def cursor_parse(value: str | None) -> Cursor | None:
    """``before``: a page's ``next`` (``AT|ID``) or a plain ISO-8601 time with its zone."""
    if value is None or value == "":
        return None
    if len(value) > CURSOR_MAX:
        raise BadRequest(_("« before » est trop long."), reason="bad_cursor")
    at_text, _sep, item_id = value.partition("|")
    try:
        at = parse_datetime(at_text)
    except ValueError:
        at = None
    if at is None or at.tzinfo is None:
        raise BadRequest(
            _("« before » est une date ISO 8601 avec son fuseau, ou le « next » d'une page."),
            reason="bad_cursor",
        )
    return Cursor(at=at, id=item_id or None)


def seen_until_of(user: User) -> datetime | None:
    return HomeSeen.objects.filter(user=user).values_list("seen_until", flat=True).first()


def _collect(*, user: User, since: datetime, before: datetime | None, limit: int) -> list[Item]:
    merged: dict[str, Item] = {}
    for source in SOURCES:
        for item in source.items_for(user=user, since=since, before=before, limit=limit):
            if item.id not in merged or merged[item.id].at < item.at:
                merged[item.id] = item
    return sorted(merged.values(), key=lambda i: i.key, reverse=True)


def unseen_count(*, user: User, seen_until: datetime | None, now: datetime | None = None) -> int:
    """Items newer than the seen mark (at most UNSEEN_MAX: the client shows « 99+ »)."""
    since = (now or timezone.now()) - timedelta(days=WINDOW_DAYS)
    if seen_until is not None and seen_until > since:
        since = seen_until
    items = _collect(user=user, since=since, before=None, limit=UNSEEN_MAX + 1)
    return min(UNSEEN_MAX, sum(1 for i in items if seen_until is None or i.at > seen_until))


def _direct_rooms_named(user: User, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A direct conversation is shown by the other participants' names (one query)."""
    from backend.rooms.selectors import direct_names_for

    room_ids = sorted({i["room"]["id"] for i in items if i.get("room")})
    names = direct_names_for(user=user, room_ids=room_ids) if room_ids else {}
    for i in items:
        if i.get("room") and i["room"]["id"] in names:
            i["room"] = {**i["room"], "name": names[i["room"]["id"]]}
    return items


def home_page_for(
    *, user: User, before: str | None = None, limit: int = 30, now: datetime | None = None
) -> dict[str, Any]:
    access_home(actor=user)
    if not 1 <= limit <= LIMIT_MAX:
        raise BadRequest(_("« limit » va de 1 à %(n)d.") % {"n": LIMIT_MAX}, reason="bad_limit")
    cursor = cursor_parse(before)
    since = (now or timezone.now()) - timedelta(days=WINDOW_DAYS)
    items = _collect(user=user, since=since, before=cursor.at if cursor else None, limit=limit + 1)
    if cursor is not None:
        items = [i for i in items if cursor.admits(i)]
    page, more = items[:limit], len(items) > limit
    seen_until = seen_until_of(user)
    if cursor is None and (not more or (seen_until is not None and page[-1].at <= seen_until)):
        # The first page already holds every unseen item: no second round of queries.
        unseen = min(UNSEEN_MAX, sum(1 for i in page if seen_until is None or i.at > seen_until))
    else:
        unseen = unseen_count(user=user, seen_until=seen_until, now=now)
    return {
        "items": _direct_rooms_named(user, [i.out(seen_until=seen_until) for i in page]),
        "unseen": unseen,
        "seen_until": iso(seen_until),
        "next": f"{iso(page[-1].at)}|{page[-1].id}" if more else None,
    }
