"""Reads: one's contacts with their presence."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _

from backend.accounts.models import User
from backend.common.errors import BadRequest, TooLarge

from .access import access_contacts
from .models import Contact

QUERY_MAX = 200


def agent_card(user: User) -> dict[str, Any]:
    """What the directory already shows of any agent (never the address)."""
    return {
        "id": user.pk,
        "name": user.name,
        "job_title": user.job_title,
        "organisation": user.organisation.name if user.organisation else None,
    }


def contact_ids_for(*, user: User) -> set[int]:
    return set(Contact.objects.filter(owner=user).values_list("contact_id", flat=True))


def contact_list_for(*, user: User, q: Any = "") -> list[dict[str, Any]]:
    """One's contacts who are still listed agents, by name, each with their presence now
    (``online``, ``away``, ``dnd`` or ``offline``); ``q`` filters on name or organisation."""
    access_contacts(actor=user)
    if not isinstance(q, str):
        raise BadRequest(_("« q » doit être une chaîne de caractères."))
    if len(q) > QUERY_MAX:
        raise TooLarge(_("« q » est trop long."))
    rows = Contact.objects.filter(
        owner=user,
        contact__is_active=True,
        contact__is_verified=True,
        contact__is_bot=False,
    ).select_related("contact__organisation")
    q = q.strip()
    if q:
        rows = rows.filter(
            Q(contact__name__icontains=q) | Q(contact__organisation__name__icontains=q)
        )
    found = list(rows.order_by("contact__name", "contact_id"))
    from realtime import publish

    statuses = publish.presence_of([row.contact_id for row in found])
    return [
        {
            **agent_card(row.contact),
            "status": statuses.get(row.contact_id, "offline"),
            "added_at": row.created_at.isoformat(),
        }
        for row in found
    ]
