"""iCalendar (RFC 5545) feeds of webinars, built with the icalendar library."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from icalendar import Calendar, Event

from .models import Webinar


def _uid(webinar: Webinar) -> str:
    host = getattr(settings, "PREAU_PUBLIC_HOST", "") or "preau"
    return f"webinar-{webinar.pk}@{host}"


def feed(*, name: str, webinars: Iterable[Webinar], base_url: str = "") -> bytes:
    cal = Calendar()
    cal.add("prodid", "-//Préau//Webinaires//FR")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    for webinar in webinars:
        event = Event()
        event.add("uid", _uid(webinar))
        event.add("dtstamp", webinar.created_at)
        event.add("dtstart", webinar.starts_at)
        event.add("dtend", webinar.ends_at)
        event.add("summary", webinar.title)
        if webinar.description:
            event.add("description", webinar.description)
        event.add("location", webinar.room.name)
        if base_url:
            event.add("url", f"{base_url}/webinaires/{webinar.pk}/")
        status = "CONFIRMED"
        event.add("status", status)
        cal.add_component(event)
    return cal.to_ical()
