"""Who may manage a bot, and what a bot may do in a room.

A bot acts only in the rooms it was granted (``BotGrant``), with the rights it was granted.
As elsewhere, "does not exist" and "may not know about it" raise the same ``NotFound``.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from backend.accounts.models import User
from backend.common.errors import Forbidden, NotFound
from backend.rooms.access import access_room_readable, is_moderator, refuse_direct
from backend.rooms.models import Membership, Room

from .models import BotGrant


def access_bot(*, actor: User, bot_id: int) -> User:
    """A bot the actor manages: its owner, or platform staff."""
    bot = User.objects.filter(pk=bot_id, is_bot=True).first()
    if bot is None:
        raise NotFound()
    if actor.is_bot:
        raise NotFound()
    if bot.bot_owner_id != actor.pk and not actor.is_staff:
        raise NotFound()
    return bot


def may_grant(*, actor: User, bot: User, room: Room, membership: Membership | None) -> bool:
    """Staff and room moderators may let any bot in; its owner, a non-private room it is in."""
    if is_moderator(user=actor, membership=membership):
        return True
    if bot.bot_owner_id != actor.pk:
        return False
    if membership is None:
        return False
    return room.access != Room.Access.INVITE


def access_bot_grantable(*, actor: User, bot_id: int, room_id: int) -> tuple[User, Room]:
    """A bot and a room in which the actor may grant (or withdraw) the bot's rights."""
    if actor.is_bot:
        raise NotFound()
    bot = User.objects.filter(pk=bot_id, is_bot=True, is_active=True).first()
    if bot is None:
        raise NotFound()
    room, membership = access_room_readable(actor=actor, room_id=room_id)
    refuse_direct(room)  # no robot in a direct conversation
    manages_bot = bot.bot_owner_id == actor.pk or actor.is_staff
    if not manages_bot and not is_moderator(user=actor, membership=membership):
        raise NotFound()
    if not may_grant(actor=actor, bot=bot, room=room, membership=membership):
        raise Forbidden(_("Seuls les modérateurs de ce salon peuvent y admettre un robot."))
    return bot, room


def bot_grant_for(*, bot: User, room_id: int) -> BotGrant | None:
    return BotGrant.objects.filter(bot=bot, room_id=room_id).first()


def bot_may_read(*, bot: User, room_id: int) -> bool:
    return BotGrant.objects.filter(bot=bot, room_id=room_id, can_read=True).exists()


def require_bot_may_post(*, bot: User, room_id: int) -> BotGrant:
    grant = bot_grant_for(bot=bot, room_id=room_id)
    if grant is None:
        raise NotFound()
    if not grant.can_post:
        raise Forbidden(_("Ce robot n'a pas le droit d'écrire dans ce salon."))
    return grant
