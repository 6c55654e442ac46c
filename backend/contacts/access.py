"""Who may keep contacts, and which agents may be kept as one."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from backend.accounts.models import User
from backend.common.errors import BadRequest, Forbidden, NotFound


def listed_agents() -> QuerySet[User]:
    """The agents the directory lists (verified, active, human): the only possible contacts."""
    return User.objects.filter(is_active=True, is_verified=True, is_bot=False)


def access_contacts(*, actor: User) -> User:
    """Contacts belong to verified human agents; a bot's token may not read or change them."""
    if actor.is_bot:
        raise Forbidden(_("Les robots n'ont pas de contacts."))
    if not (actor.is_active and actor.is_verified):
        raise Forbidden()
    return actor


def access_contact_target(*, actor: User, user_id: int) -> User:
    """An agent ``actor`` may add: listed in the directory, and not oneself. The same 404
    whether the id does not exist or names someone the directory does not list."""
    access_contacts(actor=actor)
    if user_id == actor.pk:
        raise BadRequest(_("Vous ne pouvez pas vous ajouter à vos contacts."), reason="self")
    user = listed_agents().select_related("organisation").filter(pk=user_id).first()
    if user is None:
        raise NotFound()
    return user
