"""Reads for bots: the bots an agent manages, with their rooms."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch

from backend.accounts.models import ApiToken, User

from .access import access_bot
from .avatars import avatar_url
from .models import BotGrant


def grant_dict(grant: BotGrant) -> dict[str, Any]:
    return {
        "room": grant.room_id,
        "room_name": grant.room.name,
        "can_post": grant.can_post,
        "can_read": grant.can_read,
    }


def bot_dict(bot: User, grants: list[BotGrant] | None = None) -> dict[str, Any]:
    return {
        "id": bot.pk,
        "name": bot.name,
        "description": bot.job_title,
        "is_bot": True,
        "owner": {"id": bot.bot_owner.pk, "name": bot.bot_owner.name} if bot.bot_owner else None,
        "active": bot.is_active,
        "created_at": bot.date_joined,
        "grants": [grant_dict(g) for g in grants or []],
        "avatar": avatar_url(bot.pk),
    }


def bot_detail(bot: User) -> dict[str, Any]:
    grants = list(BotGrant.objects.filter(bot=bot).select_related("room").order_by("room_id"))
    return bot_dict(bot, grants)


def bot_list_for(*, user: User) -> list[dict[str, Any]]:
    """The bots this agent owns, oldest first."""
    bots = (
        User.objects.filter(is_bot=True, bot_owner=user, is_active=True)
        .select_related("bot_owner")
        .prefetch_related(
            Prefetch(
                "bot_grants",
                queryset=BotGrant.objects.select_related("room").order_by("room_id"),
                to_attr="grant_list",
            )
        )
        .order_by("date_joined", "pk")
    )
    return [bot_dict(bot, bot.grant_list) for bot in bots]


def bot_tokens_for(*, actor: User, bot_id: int) -> list[dict[str, Any]]:
    """A bot's tokens, newest first, for its owner (the secrets themselves are never kept)."""
    bot = access_bot(actor=actor, bot_id=bot_id)
    return [
        {
            "id": t.pk,
            "kind": t.kind,
            "name": t.name,
            "prefix": t.prefix,
            "created_at": t.created_at,
            "last_used_at": t.last_used_at,
            "revoked_at": t.revoked_at,
            "expires_at": t.expires_at,
        }
        for t in ApiToken.objects.filter(user=bot).order_by("-created_at", "-pk")
    ]
