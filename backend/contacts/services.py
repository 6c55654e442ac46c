"""Writes: adding and removing contacts, and inviting a colleague who has no account."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone, translation
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from backend.accounts.models import User
from backend.accounts.services import normalize_email, organisation_for_email
from backend.common.errors import BadRequest, Conflict, NotFound, RateLimited

from .access import access_contact_target, access_contacts, listed_agents
from .models import Contact, ContactInvitation

CONTACTS_MAX = 1000
INVITATIONS_PER_MINUTE = 5
INVITATIONS_PER_DAY = 20
# The same person is not invited again by the same agent within this delay, nor more than
# INVITATIONS_PER_ADDRESS times by everyone together.
INVITATION_REPEAT_DAYS = 30
INVITATIONS_PER_ADDRESS = 3
_DIGEST_SALT = "preau.contacts.invitation"


@dataclass(frozen=True)
class ContactResult:
    contact: User
    created: bool


def _check_room(owner: User, adding: int) -> None:
    if Contact.objects.filter(owner=owner).count() + adding > CONTACTS_MAX:
        raise Conflict(
            _("Vous avez atteint le nombre maximal de contacts (%(n)s).") % {"n": CONTACTS_MAX},
            reason="contacts_full",
        )


@transaction.atomic
def contact_add(*, actor: User, user_id: int) -> ContactResult:
    target = access_contact_target(actor=actor, user_id=user_id)
    User.objects.select_for_update().filter(pk=actor.pk).first()  # one writer per owner
    if Contact.objects.filter(owner=actor, contact=target).exists():
        return ContactResult(contact=target, created=False)
    _check_room(actor, 1)
    Contact.objects.create(owner=actor, contact=target)
    return ContactResult(contact=target, created=True)


@transaction.atomic
def contacts_add_many(*, actor: User, users: list[User]) -> set[int]:
    """Add listed agents (already checked by the caller); the ids now in one's contacts."""
    access_contacts(actor=actor)
    User.objects.select_for_update().filter(pk=actor.pk).first()
    have = set(Contact.objects.filter(owner=actor).values_list("contact_id", flat=True))
    new = [u for u in users if u.pk not in have and u.pk != actor.pk]
    _check_room(actor, len(new))
    Contact.objects.bulk_create([Contact(owner=actor, contact=u) for u in new])
    return have | {u.pk for u in new}


@transaction.atomic
def contact_remove(*, actor: User, user_id: int) -> None:
    """Remove one of one's contacts (listed or not any more); 404 if not among them."""
    access_contacts(actor=actor)
    deleted, _rows = Contact.objects.filter(owner=actor, contact_id=user_id).delete()
    if not deleted:
        raise NotFound(_("Cet agent ne fait pas partie de vos contacts."))


# --- invitations -----------------------------------------------------------------------------


def address_digest(email: str) -> str:
    return salted_hmac(_DIGEST_SALT, email.lower()).hexdigest()


def signup_url(email: str) -> str:
    return f"{settings.PREAU_BASE_URL}/signup/?{urlencode({'email': email})}"


@dataclass(frozen=True)
class InvitationResult:
    email: str
    organisation: str


def _limit(count: int, most: int, message: str, retry_after: int) -> None:
    if count >= most:
        raise RateLimited(message, retry_after=retry_after)


@transaction.atomic
def invitation_send(*, actor: User, email: str) -> InvitationResult:
    """Email a colleague whose domain belongs to an organisation but who has no account an
    invitation to sign up. Only the fact that an invitation was sent is kept (a digest of the
    address, for the limits); an address outside every organisation is refused and leaves no
    trace."""
    access_contacts(actor=actor)
    email = normalize_email(email)
    if email == actor.email.lower():
        raise BadRequest(_("Vous ne pouvez pas vous inviter vous-même."), reason="self")
    organisation = organisation_for_email(email)
    if organisation is None:
        raise BadRequest(
            _(
                "Ce domaine n'est rattaché à aucune organisation inscrite sur Préau : aucune "
                "invitation ne peut y être envoyée."
            ),
            reason="outside",
        )
    if listed_agents().filter(email__iexact=email).exists():
        raise Conflict(
            _("Cette personne a déjà un compte : ajoutez-la à vos contacts."),
            reason="already_member",
        )
    User.objects.select_for_update().filter(pk=actor.pk).first()  # one inviter at a time
    now = timezone.now()
    digest = address_digest(email)
    sent = ContactInvitation.objects.filter(inviter=actor)
    if sent.filter(
        address_digest=digest, created_at__gte=now - timedelta(days=INVITATION_REPEAT_DAYS)
    ).exists():
        raise Conflict(
            _("Vous avez déjà invité cette personne récemment."), reason="already_invited"
        )
    _limit(
        sent.filter(created_at__gte=now - timedelta(minutes=1)).count(),
        INVITATIONS_PER_MINUTE,
        _("Trop d'invitations d'un coup ; réessayez dans une minute."),
        60,
    )
    _limit(
        sent.filter(created_at__gte=now - timedelta(days=1)).count(),
        INVITATIONS_PER_DAY,
        _("Vous avez envoyé %(n)s invitations aujourd'hui : c'est le maximum.")
        % {"n": INVITATIONS_PER_DAY},
        3600,
    )
    _limit(
        ContactInvitation.objects.filter(
            address_digest=digest,
            created_at__gte=now - timedelta(days=INVITATION_REPEAT_DAYS),
        ).count(),
        INVITATIONS_PER_ADDRESS,
        _("Cette personne a déjà reçu plusieurs invitations récemment."),
        24 * 3600,
    )
    ContactInvitation.objects.create(inviter=actor, address_digest=digest, created_at=now)
    inviter_name, inviter_org = actor.name, actor.organisation.name if actor.organisation else ""

    def deliver() -> None:
        with translation.override(settings.LANGUAGE_CODE):
            send_mail(
                subject=_("Préau — %(name)s vous invite") % {"name": inviter_name},
                message=_(
                    "Bonjour,\n\n%(name)s (%(org)s) vous invite à rejoindre Préau, l'espace "
                    "d'échange des agents publics, où votre organisation, %(yours)s, est "
                    "inscrite.\n\nPour créer votre compte avec cette adresse, ouvrez ce lien :\n"
                    "%(url)s\n\nSi vous ne souhaitez pas vous inscrire, ignorez ce message : "
                    "votre adresse n'a pas été enregistrée."
                )
                % {
                    "name": inviter_name,
                    "org": inviter_org,
                    "yours": organisation.name,
                    "url": signup_url(email),
                },
                from_email=None,
                recipient_list=[email],
            )

    transaction.on_commit(deliver)
    return InvitationResult(email=email, organisation=organisation.name)
