"""Writes: « Tout marquer comme vu »."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.accounts.models import User
from backend.common.errors import BadRequest
from backend.rooms.events import iso

from . import events
from .access import access_home
from .models import HomeSeen
from .selectors import unseen_count


@dataclass(frozen=True)
class SeenResult:
    seen_until: datetime
    unseen: int


@transaction.atomic
def home_seen_mark(*, actor: User, until: datetime | None = None) -> SeenResult:
    """Every item up to ``until`` (now by default, never later) counts as seen; the mark only
    moves forward. The user's other tabs hear of it (``home.seen``) after commit."""
    access_home(actor=actor)
    now = timezone.now()
    if until is not None and until.tzinfo is None:
        raise BadRequest(
            _("« until » doit indiquer son fuseau horaire (par exemple 2026-12-01T09:00:00Z)."),
            reason="naive_until",
        )
    until = min(until or now, now)
    seen, _created = HomeSeen.objects.select_for_update().get_or_create(
        user=actor, defaults={"seen_until": until}
    )
    if seen.seen_until < until:
        seen.seen_until = until
        seen.save(update_fields=["seen_until"])
    unseen = unseen_count(user=actor, seen_until=seen.seen_until, now=now)
    frame = events.home_seen(seen_until=iso(seen.seen_until) or "", unseen=unseen)

    from realtime import publish

    user_id = actor.pk
    transaction.on_commit(lambda: publish.user_event(user_id=user_id, frame=dict(frame)))
    return SeenResult(seen_until=seen.seen_until, unseen=unseen)
