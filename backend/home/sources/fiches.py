"""New fiches the user may read, about the themes of its rooms or its territory.

"Its themes": the themes of the thematic rooms it is a member of. "Its territory": the commune
of its profile (or of its organisation), with its département. A fiche counts as new when it
was created, or published for every agent, within the window.
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import F, Q
from django.db.models.functions import Coalesce, Greatest

from backend.accounts.models import User
from backend.fiches.selectors import readable_fiches
from backend.rooms.models import Room

from ..items import Item, plain
from . import window
from .members import commune_of


def _interests(user: User) -> Q:
    themes = Room.objects.filter(
        memberships__user=user, kind=Room.Kind.THEMATIC, theme__isnull=False
    ).values("theme_id")
    wanted = Q(theme_id__in=themes)
    commune = commune_of(user)
    if commune is not None:
        codes = [commune.insee_code]
        if commune.parent is not None:
            codes.append(commune.parent.insee_code)
        wanted |= (
            Q(territory__insee_code__in=codes)
            | Q(territory__parent__insee_code__in=codes)
            | Q(territory__parent__parent__insee_code__in=codes)
        )
    return wanted


def items_for(*, user: User, since: datetime, before: datetime | None, limit: int) -> list[Item]:
    rows = (
        readable_fiches(user)
        .filter(_interests(user))
        .annotate(home_at=Greatest(F("created_at"), Coalesce(F("published_at"), F("created_at"))))
        .filter(window("home_at", since=since, before=before))
        .exclude(created_by=user)
        .order_by("-home_at", "-pk")[:limit]
    )
    return [
        Item(
            kind="fiche",
            id=f"fiche:{f.pk}",
            at=f.home_at,
            title=f.title,
            summary=plain(f.summary),
            url=f"/fiches/{f.pk}/",
        )
        for f in rows
    ]
