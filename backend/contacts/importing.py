"""Contact import: each address of a list or a file gets exactly one outcome.

- ``matched``: a verified agent's address (case-insensitive) — added to one's contacts when
  asked (``add``), otherwise offered;
- ``invitable``: no such agent, but the domain belongs to an organisation — the agent may then
  send an invitation, as a separate, explicit step (services.invitation_send);
- ``outside``: the domain belongs to no organisation — reported only;
- ``invalid``: not an address; ``self``: one's own address.

The preview stores nothing and logs nothing about the addresses it reads: neither invitable
nor outside addresses are kept anywhere once the answer is sent.
"""

from __future__ import annotations

from typing import Any

from django.db.models.functions import Lower
from django.utils.translation import gettext as _

from backend.accounts.models import OrganisationDomain, User
from backend.accounts.services import normalize_email
from backend.common.errors import PreauError, TooLarge

from . import services
from .access import access_contacts, listed_agents
from .parsing import ENTRIES_MAX, Entries
from .selectors import agent_card, contact_ids_for

OUTCOMES = ("matched", "invitable", "outside", "invalid", "self")


def _organisations_for(domains: set[str]) -> dict[str, str]:
    """Domain -> name of the organisation whose registered domain covers it (one query)."""
    candidates: dict[str, list[str]] = {}
    for domain in domains:
        labels = domain.split(".")
        candidates[domain] = [".".join(labels[i:]) for i in range(len(labels) - 1)]
    wanted = {c for cs in candidates.values() for c in cs}
    rows = {
        row.domain: row
        for row in OrganisationDomain.objects.filter(domain__in=wanted).select_related(
            "organisation"
        )
    }
    found: dict[str, str] = {}
    for domain, cands in candidates.items():
        for cand in cands:  # most specific first
            row = rows.get(cand)
            if row is not None and (cand == domain or row.covers_subdomains):
                found[domain] = row.organisation.name
                break
    return found


def _clean(entries: Entries) -> tuple[list[str], list[str], int]:
    """Distinct valid addresses (lower-case, in order), invalid entries, duplicates dropped."""
    valid: list[str] = []
    invalid: list[str] = []
    seen: set[str] = set()
    duplicates = 0
    for raw in entries.addresses:
        try:
            address = normalize_email(raw)
        except PreauError:
            shown = raw.strip()[:254]
            if shown.lower() in seen:
                duplicates += 1
            else:
                seen.add(shown.lower())
                invalid.append(shown)
            continue
        if address in seen:
            duplicates += 1
            continue
        seen.add(address)
        valid.append(address)
    for raw in entries.unreadable:
        if raw.lower() in seen:
            duplicates += 1
        else:
            seen.add(raw.lower())
            invalid.append(raw)
    if len(valid) + len(invalid) > ENTRIES_MAX:
        raise TooLarge(
            _(
                "%(n)s adresses au plus par import (celui-ci en compte %(m)s) : rien n'a été "
                "importé ; découpez la liste."
            )
            % {"n": ENTRIES_MAX, "m": len(valid) + len(invalid)},
            reason="too_many_addresses",
        )
    return valid, invalid, duplicates


def contacts_import(*, actor: User, entries: Entries, add: bool = False) -> dict[str, Any]:
    """The outcome of each address; with ``add``, matched agents join one's contacts."""
    access_contacts(actor=actor)
    valid, invalid, duplicates = _clean(entries)
    own = actor.email.lower()
    agents = {
        u.email_lower: u
        for u in listed_agents()
        .annotate(email_lower=Lower("email"))
        .filter(email_lower__in=[a for a in valid if a != own])
        .select_related("organisation")
    }
    organisations = _organisations_for(
        {a.rsplit("@", 1)[1] for a in valid if a != own and a not in agents}
    )
    if add and agents:
        contact_ids = services.contacts_add_many(actor=actor, users=list(agents.values()))
    else:
        contact_ids = contact_ids_for(user=actor)
    results: list[dict[str, Any]] = []
    for address in valid:
        item: dict[str, Any] = {"email": address, "user": None, "organisation": None}
        if address == own:
            item["outcome"] = "self"
        elif address in agents:
            user = agents[address]
            item.update(
                outcome="matched", user={**agent_card(user), "contact": user.pk in contact_ids}
            )
        elif address.rsplit("@", 1)[1] in organisations:
            item.update(outcome="invitable", organisation=organisations[address.rsplit("@", 1)[1]])
        else:
            item["outcome"] = "outside"
        results.append(item)
    results.extend(
        {"email": value, "outcome": "invalid", "user": None, "organisation": None}
        for value in invalid
    )
    counts = dict.fromkeys(OUTCOMES, 0)
    for item in results:
        counts[item["outcome"]] += 1
    return {"results": results, "counts": counts, "duplicates": duplicates}
