"""Upcoming (or live) webinars the user registered for and may still attend.

The item dates from the registration, whatever the feed's window: a webinar one registered
for weeks ago stays on the home page until it ends. ``starts_at`` tells when it begins.
"""

from __future__ import annotations

from datetime import datetime

from backend.accounts.models import User
from backend.rooms.events import iso
from backend.webinars.models import Registration, Webinar
from backend.webinars.selectors import visible_webinars

from ..items import Item, plain, room_ref


def items_for(*, user: User, since: datetime, before: datetime | None, limit: int) -> list[Item]:
    rows = Registration.objects.filter(
        user=user,
        webinar__in=visible_webinars(user).exclude(state=Webinar.State.ENDED).values("pk"),
    )
    if before is not None:
        rows = rows.filter(created_at__lte=before)
    rows = rows.select_related("webinar__room").order_by("-created_at", "-pk")[:limit]
    return [
        Item(
            kind="webinar",
            id=f"webinar:{r.webinar_id}",
            at=r.created_at,
            title=r.webinar.title,
            summary=plain(r.webinar.description),
            url=f"/webinaires/{r.webinar_id}/",
            room=room_ref(r.webinar.room),
            extra={"starts_at": iso(r.webinar.starts_at)},
        )
        for r in rows
    ]
