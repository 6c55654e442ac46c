"""Secret calendar feed URLs: issue (or rotate) and revoke a user's feed token."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from backend.accounts.models import User
from backend.accounts.services import token_digest
from backend.common.errors import Forbidden

from ..models import FeedToken


def feed_url(secret: str) -> str:
    return f"{settings.PREAU_BASE_URL}/webinars/feed/{secret}.ics"


@dataclass(frozen=True)
class FeedResult:
    record: FeedToken
    secret: str

    @property
    def url(self) -> str:
        return feed_url(self.secret)


@transaction.atomic
def feed_token_rotate(*, actor: User) -> FeedResult:
    """A new secret feed URL for the actor; any previous one stops working at once."""
    if not actor.is_agent or actor.is_bot:
        raise Forbidden(_("Seuls les agents ont un agenda."))
    secret = secrets.token_urlsafe(32)
    FeedToken.objects.filter(user=actor).delete()
    record = FeedToken.objects.create(user=actor, digest=token_digest(secret), prefix=secret[:6])
    return FeedResult(record=record, secret=secret)


def feed_token_revoke(*, actor: User) -> bool:
    deleted, _n = FeedToken.objects.filter(user=actor).delete()
    return bool(deleted)
