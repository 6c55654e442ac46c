"""Who has a home feed: verified, active human agents (a bot's token has none)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from backend.accounts.models import User
from backend.common.errors import Forbidden


def access_home(*, actor: User) -> User:
    if actor.is_bot:
        raise Forbidden(_("Les robots n'ont pas de page d'accueil."))
    if not (actor.is_active and actor.is_verified):
        raise Forbidden()
    return actor
