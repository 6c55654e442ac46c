"""Writes for job offers: post, edit, withdraw, announce. Same functions behind REST and CLI."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from backend.accounts.models import Organisation, User
from backend.common.errors import BadRequest, Forbidden, TooLarge
from backend.rooms.access import banned_from
from backend.rooms.models import Room, Territory
from backend.rooms.services import territory_lookup

from .access import access_job_editable, require_may_post_job
from .fields import themes_for
from .models import JobAnnouncement, JobOffer

TITLE_MAX = 200
DESCRIPTION_MAX = 10_000
LINK_MAX = 2048
# An offer closes within a year of being posted (or edited).
CLOSING_DAYS_MAX = 366
EDITABLE = ("title", "description", "commune", "category", "field", "closes_on", "link")


@dataclass(frozen=True)
class JobResult:
    offer: JobOffer
    announced: list[int]


# --- checks ------------------------------------------------------------------------------------


def _text(value: Any, name: str) -> str:
    if not isinstance(value, str):
        raise BadRequest(_("« %(name)s » doit être une chaîne de caractères.") % {"name": name})
    return value


def clean_title(value: Any) -> str:
    title = _text(value, "title").strip()
    if len(title) > TITLE_MAX:
        raise TooLarge(_("L'intitulé est trop long (200 caractères au plus)."))
    if not title:
        raise BadRequest(_("L'intitulé du poste est obligatoire."), reason="empty_title")
    return title


def clean_description(value: Any) -> str:
    description = _text(value, "description")
    if len(description) > DESCRIPTION_MAX:
        raise TooLarge(_("La description est trop longue (10 000 caractères au plus)."))
    return description.strip()


def clean_link(value: Any) -> str:
    link = _text(value, "link").strip()
    if len(link) > LINK_MAX:
        raise TooLarge(_("Le lien est trop long (2 048 caractères au plus)."))
    try:
        parts = urlsplit(link)
    except ValueError:
        parts = None
    usable = (
        parts is not None
        and parts.scheme.lower() == "https"
        and bool(parts.hostname)
        and all(c.isprintable() and not c.isspace() for c in link)
    )
    if not usable:
        raise BadRequest(
            _("Le lien de l'offre doit être une adresse https:// complète."), reason="bad_link"
        )
    return link


def clean_category(value: Any) -> str:
    category = _text(value, "category").strip().upper()
    if category not in JobOffer.Category.values:
        raise BadRequest(
            _("Catégorie inconnue : %(c)s (A, B ou C).") % {"c": value[:10]},
            reason="unknown_category",
        )
    return category


def clean_field(value: Any) -> str:
    field = _text(value, "field").strip().lower()
    if field not in JobOffer.Filiere.values:
        raise BadRequest(_("Filière inconnue : %(f)s.") % {"f": value[:40]}, reason="unknown_field")
    return field


def clean_closes_on(value: Any) -> date:
    """A date (YYYY-MM-DD) from today, in the site's time zone, to a year ahead."""
    text = _text(value, "closes_on").strip()
    try:
        closes_on = date.fromisoformat(text) if len(text) == 10 else None
    except ValueError:
        closes_on = None
    if closes_on is None:
        raise BadRequest(
            _("« closes_on » est une date au format AAAA-MM-JJ."), reason="bad_closing_date"
        )
    today = timezone.localdate()
    if closes_on < today:
        raise BadRequest(_("La date limite de candidature est passée."), reason="closing_date_past")
    if closes_on > today + timedelta(days=CLOSING_DAYS_MAX):
        raise BadRequest(
            _("La date limite de candidature est à un an au plus."),
            reason="closing_date_too_far",
        )
    return closes_on


def locate(value: Any) -> tuple[Territory, Territory | None, Territory | None]:
    """A commune's INSEE code, resolved with the rooms' territory look-up: the commune, its
    département and its région."""
    code = _text(value, "commune").strip()
    if len(code) > 5:
        raise BadRequest(
            _("Territoire inconnu : %(c)s") % {"c": code[:10]}, reason="unknown_territory"
        )
    commune = territory_lookup(code, Territory.Level.COMMUNE)
    departement = commune.parent
    if departement is not None and departement.level != Territory.Level.DEPARTEMENT:
        departement = None
    region = departement.parent if departement is not None else None
    if region is not None and region.level != Territory.Level.REGION:
        region = None
    return commune, departement, region


def _organisation_for(*, actor: User, organisation: Any) -> Organisation:
    """The poster's organisation by default; staff may post for another."""
    if organisation is None:
        if actor.organisation_id is None:
            raise BadRequest(
                _("Indiquez l'organisation qui recrute."), reason="unknown_organisation"
            )
        return Organisation.objects.get(pk=actor.organisation_id)
    if not isinstance(organisation, int) or isinstance(organisation, bool):
        raise BadRequest(_("« organisation » est un identifiant d'organisation."))
    found = Organisation.objects.filter(pk=organisation).first()
    if found is None:
        raise BadRequest(_("Organisation inconnue."), reason="unknown_organisation")
    if found.pk != actor.organisation_id and not actor.is_staff:
        raise Forbidden(_("Vous ne publiez des offres que pour votre propre organisation."))
    return found


# --- writes ------------------------------------------------------------------------------------


@transaction.atomic
def job_create(
    *,
    actor: User,
    title: Any,
    commune: Any,
    category: Any,
    field: Any,
    closes_on: Any,
    link: Any,
    description: Any = "",
    organisation: Any = None,
    announce: bool = False,
) -> JobResult:
    require_may_post_job(actor=actor)
    place, departement, region = locate(commune)
    offer = JobOffer.objects.create(
        title=clean_title(title),
        description=clean_description(description),
        organisation=_organisation_for(actor=actor, organisation=organisation),
        commune=place,
        departement=departement,
        region=region,
        category=clean_category(category),
        field=clean_field(field),
        closes_on=clean_closes_on(closes_on),
        link=clean_link(link),
        author=actor,
    )
    announced = job_announce(actor=actor, job_id=offer.pk) if announce else []
    return JobResult(offer=offer, announced=announced)


@transaction.atomic
def job_update(*, actor: User, job_id: int, **fields: Any) -> JobOffer:
    """Change some fields of an offer (its poster or staff). The closing date may be moved,
    not into the past; an offer closed by its date comes back once it is moved later."""
    unknown = set(fields) - {*EDITABLE, "organisation"}
    if unknown:
        raise BadRequest(_("Champ inconnu : %(f)s") % {"f": sorted(unknown)[0]})
    found = access_job_editable(actor=actor, job_id=job_id)
    offer = JobOffer.objects.select_for_update().get(pk=found.pk)
    if "title" in fields:
        offer.title = clean_title(fields["title"])
    if "description" in fields:
        offer.description = clean_description(fields["description"])
    if "commune" in fields:
        offer.commune, offer.departement, offer.region = locate(fields["commune"])
    if "category" in fields:
        offer.category = clean_category(fields["category"])
    if "field" in fields:
        offer.field = clean_field(fields["field"])
    if "closes_on" in fields and fields["closes_on"] != offer.closes_on.isoformat():
        # Unchanged, it may be past: a closed offer can still be corrected.
        offer.closes_on = clean_closes_on(fields["closes_on"])
    if "link" in fields:
        offer.link = clean_link(fields["link"])
    if "organisation" in fields:
        offer.organisation = _organisation_for(actor=actor, organisation=fields["organisation"])
    offer.updated_at = timezone.now()
    offer.save()
    if actor.pk != offer.author_id:
        _audit("job.updated", actor=actor, offer=offer)
    return offer


@transaction.atomic
def job_withdraw(*, actor: User, job_id: int) -> None:
    """Take an offer off the board for good (its poster or staff). The messages that announced
    it stay in their rooms' history; its page answers 404."""
    found = access_job_editable(actor=actor, job_id=job_id)
    JobOffer.objects.filter(pk=found.pk).update(withdrawn_at=timezone.now())
    if actor.pk != found.author_id:
        _audit("job.withdrawn", actor=actor, offer=found)


def _audit(action: str, *, actor: User, offer: JobOffer) -> None:
    from backend.audit.services import audit_record

    audit_record(action=action, actor=actor, target=f"job:{offer.pk}")


# --- announcements -----------------------------------------------------------------------------


def announcement_rooms(offer: JobOffer) -> list[Room]:
    """The open rooms an offer concerns: the geographic rooms of its commune, département and
    région, and the thematic rooms of its filière. Never a private, invite-only, organisation
    or archived room."""
    places = [t for t in (offer.commune_id, offer.departement_id, offer.region_id) if t]
    concerned = Q(kind=Room.Kind.GEOGRAPHIC, territory_id__in=places) | Q(
        kind=Room.Kind.THEMATIC, theme__slug__in=themes_for(offer.field)
    )
    return list(
        Room.objects.filter(concerned, access=Room.Access.OPEN, archived_at__isnull=True)
        .exclude(kind__in=(Room.Kind.PRIVATE, Room.Kind.DIRECT))
        .order_by("pk")
    )


def _announcement_body(offer: JobOffer) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        where = offer.commune.name
        if offer.departement is not None:
            where += f" ({offer.departement.insee_code})"
        return _(
            "**Offre d'emploi** : %(title)s — %(organisation)s, %(where)s. "
            "Catégorie %(category)s, filière %(field)s. Candidatures jusqu'au %(date)s.\n%(url)s"
        ) % {
            "title": offer.title,
            "organisation": offer.organisation.name,
            "where": where,
            "category": offer.category,
            "field": str(JobOffer.Filiere(offer.field).label).lower(),
            "date": offer.closes_on.strftime("%d/%m/%Y"),
            "url": f"{settings.PREAU_BASE_URL.rstrip('/')}/emplois/{offer.pk}/",
        }


@transaction.atomic
def job_announce(*, actor: User, job_id: int) -> list[int]:
    """Post the offer once in each room it concerns (see ``announcement_rooms``), as its poster.

    Idempotent: the offer's row lock serialises concurrent calls, and a room already announced
    in is skipped, so a repeat posts nothing. Rooms the poster is banned from are skipped.
    Returns the rooms posted in by this call.
    """
    from backend.messaging import services as messaging

    found = access_job_editable(actor=actor, job_id=job_id)
    offer = (
        JobOffer.objects.select_for_update(of=("self",))
        .select_related("organisation", "commune", "departement", "author")
        .get(pk=found.pk)
    )
    poster = offer.author or actor
    done = set(JobAnnouncement.objects.filter(offer=offer).values_list("room_id", flat=True))
    body = _announcement_body(offer)
    posted = []
    for room in announcement_rooms(offer):
        if room.pk in done or banned_from(user=poster, room_id=room.pk):
            continue
        message = messaging.message_send(
            actor=poster, room_id=room.pk, body=body, meta={"job": offer.pk}, authorized=True
        ).message
        JobAnnouncement.objects.create(offer=offer, room=room, message=message)
        posted.append(room.pk)
    return posted


@transaction.atomic
def jobs_withdraw_of_erased(*, user: User) -> int:
    """Account erasure in ``delete`` mode: the person's offers still on the board leave it
    (withdrawn, as if by their poster; the announcing messages are erased with the rest of
    their messages). Returns how many were withdrawn."""
    return JobOffer.objects.filter(author=user, withdrawn_at__isnull=True).update(
        withdrawn_at=timezone.now()
    )
