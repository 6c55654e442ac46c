"""A bot's picture and description: uploaded image (checked), or initials on a colour.

Message authors that are bots carry ``avatar``: the URL of ``GET /bots/{id}/avatar``, which
serves the uploaded image, or an SVG of the bot's initials when there is none, always with
``nosniff`` and a CSP that runs nothing. The URL is the same for every bot message, so author
data needs no look-up; ``?v=`` changes only for clients that re-read the bot.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape

import filetype
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.accounts.models import User
from backend.common.errors import BadRequest, NotFound, TooLarge

from .access import access_bot
from .models import BotAvatar

AVATAR_MAX_BYTES = 256 * 1024
AVATAR_TYPES = ("image/png", "image/jpeg", "image/webp", "image/gif")
DESCRIPTION_MAX = 150
NAME_MAX = 150
# Dark enough for white initials to pass WCAG AA contrast (4.5:1).
COLOURS = ("#1f4e9a", "#7a2e8f", "#0b6e4f", "#a4361b", "#5b4a00", "#8a1c4a", "#2f5d62", "#3d3d9e")


def avatar_url(bot_id: int) -> str:
    return f"/api/v1/bots/{bot_id}/avatar"


def colour_of(bot_id: int) -> str:
    return COLOURS[bot_id % len(COLOURS)]


def initials_of(name: str) -> str:
    firsts = [next((c for c in w if c.isalnum()), "") for w in name.replace("-", " ").split()]
    letters = "".join(c for c in firsts if c)[:2]
    return (letters or "?").upper()


def author_extra(user: User) -> dict[str, Any]:
    """What a message author that is a bot carries beyond ``{id, name}``."""
    if not user.is_bot:
        return {}
    return {"is_bot": True, "avatar": avatar_url(user.pk), "description": user.job_title}


@transaction.atomic
def bot_avatar_set(*, actor: User, bot_id: int, upload: Any) -> BotAvatar:
    """``upload``: an uploaded file; its type is read from its content, never its name."""
    bot = access_bot(actor=actor, bot_id=bot_id)
    if upload.size is None or upload.size > AVATAR_MAX_BYTES:
        raise TooLarge(_("L'image dépasse 256 Kio."))
    data = upload.read(AVATAR_MAX_BYTES + 1)
    if len(data) > AVATAR_MAX_BYTES:
        raise TooLarge(_("L'image dépasse 256 Kio."))
    kind = filetype.guess(data)
    if kind is None or kind.mime not in AVATAR_TYPES:
        raise BadRequest(
            _("L'image doit être au format PNG, JPEG, WebP ou GIF."), reason="bad_image_type"
        )
    avatar, _created = BotAvatar.objects.update_or_create(
        bot=bot,
        defaults={
            "content_type": kind.mime,
            "data": data,
            "digest": hashlib.sha256(data).hexdigest(),
            "updated_at": timezone.now(),
        },
    )
    _audit("bot.avatar_set", actor=actor, bot=bot)
    return avatar


@transaction.atomic
def bot_avatar_remove(*, actor: User, bot_id: int) -> None:
    bot = access_bot(actor=actor, bot_id=bot_id)
    removed, _rows = BotAvatar.objects.filter(bot=bot).delete()
    if removed:
        _audit("bot.avatar_removed", actor=actor, bot=bot)


@transaction.atomic
def bot_update(
    *, actor: User, bot_id: int, name: str | None = None, description: str | None = None
) -> User:
    bot = access_bot(actor=actor, bot_id=bot_id)
    if name is not None:
        name = name.strip()
        if len(name) > NAME_MAX:
            raise TooLarge(_("Le nom est trop long (150 caractères au plus)."))
        if not name:
            raise BadRequest(_("Le nom du robot est obligatoire."))
        bot.name = name
    if description is not None:
        description = description.strip()
        if len(description) > DESCRIPTION_MAX:
            raise TooLarge(_("La description est trop longue (150 caractères au plus)."))
        bot.job_title = description
    bot.save(update_fields=["name", "job_title"])
    _audit("bot.updated", actor=actor, bot=bot)
    return bot


def _audit(action: str, *, actor: User, bot: User) -> None:
    from backend.audit.services import audit_record

    audit_record(action=action, actor=actor, target=f"user:{bot.pk}")


@dataclass(frozen=True)
class Picture:
    content_type: str
    data: bytes
    etag: str


def bot_picture(*, bot_id: int) -> Picture:
    """The bot's image, or its initials on its colour; any signed-in user may see it."""
    bot = User.objects.filter(pk=bot_id, is_bot=True).only("pk", "name").first()
    if bot is None:
        raise NotFound()
    avatar = BotAvatar.objects.filter(bot=bot).first()
    if avatar is not None:
        return Picture(avatar.content_type, bytes(avatar.data), avatar.digest[:32])
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64" viewBox="0 0 64 64">'
        f'<rect width="64" height="64" rx="12" fill="{colour_of(bot.pk)}"/>'
        '<text x="32" y="41" font-family="sans-serif" font-size="26" font-weight="700" '
        f'fill="#ffffff" text-anchor="middle">{escape(initials_of(bot.name))}</text></svg>'
    ).encode()
    return Picture("image/svg+xml", svg, hashlib.sha256(svg).hexdigest()[:32])
