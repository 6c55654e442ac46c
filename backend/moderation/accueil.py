"""The *Accueil* room: open to every agent, who may post there; its animateurs reclassify the
posts into the right room. ``preau accueil`` creates it in production (idempotent)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from backend.accounts.models import User
from backend.common.errors import BadRequest
from backend.rooms import services as rooms
from backend.rooms.models import Membership, Room, Theme

from . import services as moderation

THEME_SLUG = "accueil"
THEME_NAME = "Accueil et orientation"
DEFAULT_NAME = "Accueil"
DEFAULT_DESCRIPTION = (
    "Posez ici votre question, présentez-vous, proposez un sujet : les animateurs rangent "
    "ensuite chaque message dans le salon qui lui convient."
)


@dataclass(frozen=True)
class AccueilResult:
    room: Room
    created: bool
    animateurs_added: list[User]


def accueil_room() -> Room | None:
    """The platform's Accueil: the oldest open thematic room of the « accueil » theme."""
    return (
        Room.objects.filter(
            theme__slug=THEME_SLUG,
            kind=Room.Kind.THEMATIC,
            access=Room.Access.OPEN,
            archived_at__isnull=True,
        )
        .order_by("pk")
        .first()
    )


@transaction.atomic
def accueil_setup(
    *,
    owner: User,
    animateurs: Sequence[User] = (),
    name: str = DEFAULT_NAME,
    description: str = DEFAULT_DESCRIPTION,
) -> AccueilResult:
    """Create the Accueil (owned by ``owner``) unless it exists, and make ``animateurs`` its
    moderators. Running it again changes nothing but the animateurs it adds."""
    if not owner.is_agent or owner.is_bot:
        raise BadRequest(_("Le propriétaire de l'Accueil doit être un agent actif."))
    Theme.objects.get_or_create(slug=THEME_SLUG, defaults={"name": THEME_NAME})
    room = accueil_room()
    created = room is None
    if room is None:
        room = rooms.room_create(
            actor=owner,
            name=name,
            kind=Room.Kind.THEMATIC,
            access=Room.Access.OPEN,
            theme=THEME_SLUG,
            description=description,
        ).room
    # The operator acts as the room's owner: the same services and checks as in the client.
    room_owner = (
        Membership.objects.filter(room=room, role=Membership.Role.OWNER)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    acting = room_owner.user if room_owner is not None else owner
    added = []
    for animateur in animateurs:
        membership = rooms.room_join(actor=animateur, room_id=room.pk).membership
        if membership.role in (Membership.Role.OWNER, Membership.Role.MODERATOR):
            continue
        moderation.member_role_set(
            actor=acting, room_id=room.pk, user_id=animateur.pk, role=Membership.Role.MODERATOR
        )
        added.append(animateur)
    return AccueilResult(room=room, created=created, animateurs_added=added)
