"""Who may hold direct conversations, with whom, and who may still write in one."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from backend.accounts.models import User
from backend.common.errors import BadRequest, Forbidden, NotFound, TooLarge
from backend.rooms.models import Membership, Room

from .models import Block

OTHERS_MAX = 7  # a conversation holds at most 8 people, its starter included


def listed_agents() -> QuerySet[User]:
    """The agents the directory lists (verified, active, human): the only possible partners."""
    return User.objects.filter(is_active=True, is_verified=True, is_bot=False)


def access_direct(*, actor: User) -> User:
    """Direct conversations and blocks belong to verified human agents, never to robots."""
    if actor.is_bot:
        raise Forbidden(_("Les robots n'ont pas de messages directs."))
    if not (actor.is_active and actor.is_verified):
        raise Forbidden()
    return actor


def _check_id(value: Any, name: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0 or value > 2**62:
        raise BadRequest(_("« %(name)s » doit être un identifiant.") % {"name": name})
    return value


def access_partners(*, actor: User, user_ids: Any) -> list[User]:
    """The people ``actor`` may open a conversation with: 1 to 7 listed agents, not oneself,
    none blocking or blocked by ``actor``. Unknown and unlisted ids get the same 404."""
    access_direct(actor=actor)
    if not isinstance(user_ids, list):
        raise BadRequest(_("« user_ids » doit être une liste d'identifiants."))
    if len(user_ids) > 50:
        raise TooLarge(_("Trop de participants (%(n)s au plus).") % {"n": OTHERS_MAX})
    ids = sorted({_check_id(value, "user_ids") for value in user_ids})
    if actor.pk in ids:
        raise BadRequest(
            _("Ne vous comptez pas parmi les destinataires : vous participez d'office."),
            reason="self",
        )
    if not ids:
        raise BadRequest(_("Choisissez au moins une personne."), reason="no_participant")
    if len(ids) > OTHERS_MAX:
        raise BadRequest(
            _("Une conversation réunit au plus %(n)s personnes, vous compris.")
            % {"n": OTHERS_MAX + 1},
            reason="too_many_participants",
        )
    partners = list(listed_agents().filter(pk__in=ids).order_by("pk"))
    if len(partners) != len(ids):
        raise NotFound(_("Aucun agent actif ne correspond."))
    if blocked_between(user=actor, others=ids):
        raise Forbidden(_("Vous ne pouvez pas écrire à ces personnes."), reason="blocked")
    return partners


def blocked_between(*, user: User, others: list[int]) -> bool:
    """Whether ``user`` blocked any of ``others`` or is blocked by any of them."""
    return Block.objects.filter(
        Q(blocker=user, blocked_id__in=others) | Q(blocker_id__in=others, blocked=user)
    ).exists()


def require_not_blocked(*, actor: User, room: Room) -> None:
    """Someone blocked by a participant of a direct room may not write in it any more. The
    refusal is neutral: it does not say who blocked."""
    others = Membership.objects.filter(room=room).exclude(user=actor).values("user_id")
    if Block.objects.filter(blocker_id__in=others, blocked=actor).exists():
        raise Forbidden(_("Vous ne pouvez plus écrire dans cette conversation."), reason="blocked")


def access_block_target(*, actor: User, user_id: int) -> User:
    """An agent ``actor`` may block: listed in the directory, and not oneself."""
    access_direct(actor=actor)
    if user_id == actor.pk:
        raise BadRequest(_("Vous ne pouvez pas vous bloquer vous-même."), reason="self")
    user = listed_agents().select_related("organisation").filter(pk=user_id).first()
    if user is None:
        raise NotFound()
    return user
