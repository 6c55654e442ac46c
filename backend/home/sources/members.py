"""Agents who joined recently in the user's organisation or commune."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Q

from backend.accounts.models import User
from backend.community.models import MemberProfile
from backend.rooms.models import Territory

from ..items import Item
from . import window


def commune_of(user: User) -> Territory | None:
    """The commune of the agent's profile, or of its organisation."""
    profile = MemberProfile.objects.filter(user=user).select_related("territory__parent").first()
    if profile is not None and profile.territory is not None:
        return profile.territory
    code = user.organisation.insee_code if user.organisation else ""
    if not code:
        return None
    return (
        Territory.objects.filter(level=Territory.Level.COMMUNE, insee_code=code)
        .select_related("parent")
        .first()
    )


def items_for(*, user: User, since: datetime, before: datetime | None, limit: int) -> list[Item]:
    near = Q(pk__in=[])
    if user.organisation_id is not None:
        near |= Q(organisation_id=user.organisation_id)
    commune = commune_of(user)
    if commune is not None:
        near |= Q(profile__territory=commune) | Q(
            profile__territory__isnull=True, organisation__insee_code=commune.insee_code
        )
    rows = (
        User.objects.filter(near, is_active=True, is_verified=True, is_bot=False)
        .filter(window("date_joined", since=since, before=before))
        .exclude(pk=user.pk)
        .select_related("organisation")
        .order_by("-date_joined", "-pk")[:limit]
    )
    return [
        Item(
            kind="member",
            id=f"member:{u.pk}",
            at=u.date_joined,
            title=u.name,
            summary=" · ".join(
                x for x in (u.job_title, u.organisation.name if u.organisation else "") if x
            ),
            url=f"/members/{u.pk}/",
        )
        for u in rows
    ]
