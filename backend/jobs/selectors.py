"""Reads: the jobs board (filtered, newest first, paginated) and one offer."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from backend.accounts.models import User
from backend.rooms.events import iso
from backend.rooms.models import Territory
from backend.rooms.services import territory_lookup

from .access import access_job, may_edit
from .models import JobAnnouncement, JobOffer
from .services import clean_category, clean_field


def _place(territory: Territory | None) -> dict[str, str] | None:
    if territory is None:
        return None
    return {"code": territory.insee_code, "name": territory.name}


def is_closed(offer: JobOffer) -> bool:
    """Listed through its closing day, in the site's time zone."""
    return offer.closes_on < timezone.localdate()


def job_out(offer: JobOffer, *, viewer: User, announced: list[int] | None = None) -> dict:
    editable = may_edit(actor=viewer, offer=offer)
    return {
        "id": offer.pk,
        "title": offer.title,
        "description": offer.description,
        "organisation": {"id": offer.organisation.pk, "name": offer.organisation.name},
        "location": {
            "commune": _place(offer.commune),
            "departement": _place(offer.departement),
            "region": _place(offer.region),
        },
        "category": offer.category,
        "field": offer.field,
        "field_label": str(JobOffer.Filiere(offer.field).label),
        "closes_on": offer.closes_on.isoformat(),
        "closed": is_closed(offer),
        "link": offer.link,
        "author": (
            {"id": offer.author.pk, "name": offer.author.name} if offer.author is not None else None
        ),
        "created_at": iso(offer.created_at),
        "updated_at": iso(offer.updated_at),
        "may_edit": editable,
        "announced_in": announced if editable else None,
    }


def published() -> QuerySet[JobOffer]:
    """Offers on the board: not withdrawn, closing today or later (site time zone)."""
    return JobOffer.objects.filter(
        withdrawn_at__isnull=True, closes_on__gte=timezone.localdate()
    ).select_related("organisation", "commune", "departement", "region", "author")


def job_board(
    *,
    viewer: User,
    territory: str = "",
    territory_level: str | None = None,
    category: str = "",
    field: str = "",
    mine: bool = False,
    limit: int = 20,
    offset: int = 0,
) -> dict[str, Any]:
    """A territory filter takes a commune, département or région: a département includes its
    communes (each offer stores all three levels of its place)."""
    if not viewer.is_agent:
        return {"jobs": [], "total": 0, "limit": limit, "offset": offset}
    offers = published()
    if territory.strip():
        place = territory_lookup(territory, territory_level)
        offers = offers.filter(Q(commune=place) | Q(departement=place) | Q(region=place))
    if category.strip():
        offers = offers.filter(category=clean_category(category))
    if field.strip():
        offers = offers.filter(field=clean_field(field))
    if mine:
        offers = offers.filter(author=viewer)
    total = offers.count()
    page = list(offers.order_by("-created_at", "-pk")[offset : offset + limit])
    return {
        "jobs": [job_out(o, viewer=viewer) for o in page],
        "total": total,
        "limit": limit,
        "offset": offset,
    }


def job_detail_for(*, user: User, job_id: int) -> dict[str, Any]:
    """A closed offer stays readable (with ``closed``) so the links that announced it still
    lead somewhere; a withdrawn one is not found."""
    offer = access_job(actor=user, job_id=job_id)
    announced = list(
        JobAnnouncement.objects.filter(offer=offer)
        .order_by("room_id")
        .values_list("room_id", flat=True)
    )
    return job_out(offer, viewer=user, announced=announced)


def offers_for_export(user: User) -> list[dict[str, Any]]:
    """The offers a person posted, withdrawn ones included (their personal data export)."""
    offers = JobOffer.objects.filter(author=user).select_related("organisation", "commune")
    return [
        {
            "id": o.pk,
            "title": o.title,
            "description": o.description,
            "organisation": o.organisation.name,
            "commune": o.commune.insee_code,
            "category": o.category,
            "field": o.field,
            "closes_on": o.closes_on.isoformat(),
            "link": o.link,
            "created_at": iso(o.created_at),
            "withdrawn_at": iso(o.withdrawn_at),
        }
        for o in offers.order_by("pk")
    ]
