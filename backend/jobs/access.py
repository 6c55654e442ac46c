"""Who may read, post and change a job offer.

Every agent may read the board and an offer still published (not withdrawn); the same
``NotFound`` answers "does not exist" and "withdrawn". Editing is for the poster and staff.
"""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _

from backend.accounts.models import User
from backend.common.errors import Forbidden, NotFound

from .models import JobOffer


def access_job(*, actor: User, job_id: int) -> JobOffer:
    if not actor.is_agent:
        raise NotFound()
    offer = (
        JobOffer.objects.select_related(
            "organisation", "commune", "departement", "region", "author"
        )
        .filter(pk=job_id, withdrawn_at__isnull=True)
        .first()
    )
    if offer is None:
        raise NotFound()
    return offer


def may_edit(*, actor: User, offer: JobOffer) -> bool:
    if actor.is_staff:
        return True
    return offer.author_id is not None and offer.author_id == actor.pk


def access_job_editable(*, actor: User, job_id: int) -> JobOffer:
    offer = access_job(actor=actor, job_id=job_id)
    if not may_edit(actor=actor, offer=offer):
        raise Forbidden(_("Seuls l'auteur de l'offre et l'équipe de la plateforme la modifient."))
    return offer


def require_may_post_job(*, actor: User) -> None:
    """Verified agents from PREAU_LEVEL_FOR_JOBS (staff always; bots never)."""
    from backend.community.levels import LEVEL_NAMES, level_of

    if not actor.is_agent or actor.is_bot:
        raise Forbidden(_("Seuls les agents vérifiés publient des offres d'emploi."))
    if actor.is_staff:
        return
    needed = settings.PREAU["LEVEL_FOR_JOBS"]
    level = level_of(actor.pk)
    if level < needed:
        raise Forbidden(
            _("Publier une offre d'emploi demande le niveau « %(level)s ».")
            % {"level": LEVEL_NAMES[needed]},
            reason="level_too_low",
            level=level,
            needed=needed,
        )
