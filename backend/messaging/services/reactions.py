"""Emoji reactions: one of each per user and message, as room events."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from backend.accounts.models import User
from backend.common.errors import BadRequest, Forbidden, NotFound, TooLarge
from backend.community.levels import on_reaction_changed
from backend.rooms.access import access_room_readable
from backend.rooms.eventlog import event_append, room_lock

from .. import events
from ..models import Message, Reaction

EMOJI_MAX = 32


def clean_emoji(emoji: Any) -> str:
    """A Unicode emoji sequence, or a :short_code: — nothing else."""
    if not isinstance(emoji, str) or not emoji:
        raise BadRequest(_("« emoji » est obligatoire."))
    if len(emoji) > EMOJI_MAX:
        raise TooLarge(_("« emoji » est trop long."))
    if emoji.startswith(":") and emoji.endswith(":") and len(emoji) > 2:
        if all(c.isascii() and (c.isalnum() or c in "_+-") for c in emoji[1:-1]):
            return emoji
    elif all(
        unicodedata.category(c) in ("So", "Sk", "Mn", "Cf", "Me") or c == "\u200d" for c in emoji
    ):
        return unicodedata.normalize("NFC", emoji)
    raise BadRequest(_("« emoji » doit être un émoji ou un :code:."), reason="bad_emoji")


@dataclass(frozen=True)
class ReactionResult:
    message: Message
    changed: bool


def _access(*, actor: User, message_id: Any) -> Message:
    if not isinstance(message_id, int) or isinstance(message_id, bool):
        raise BadRequest(_("« message » doit être un identifiant de message."))
    message = Message.objects.filter(pk=message_id, deleted_at__isnull=True).first()
    if message is None:
        raise NotFound()
    _room, membership = access_room_readable(actor=actor, room_id=message.room_id)
    if membership is None:
        raise Forbidden(_("Rejoignez le salon pour réagir."))
    return message


@transaction.atomic
def reaction_add(*, actor: User, message_id: Any, emoji: Any) -> ReactionResult:
    emoji = clean_emoji(emoji)
    message = _access(actor=actor, message_id=message_id)
    locked = room_lock(message.room_id)
    _reaction, created = Reaction.objects.get_or_create(message=message, user=actor, emoji=emoji)
    if created:
        event_append(
            room=locked,
            kind="reaction.added",
            data=dict(events.reaction_changed(message, emoji=emoji, by=actor)),
            message_id=message.pk,
        )
        on_reaction_changed(message=message, reactor_id=actor.pk)
    return ReactionResult(message=message, changed=created)


@transaction.atomic
def reaction_remove(*, actor: User, message_id: Any, emoji: Any) -> ReactionResult:
    emoji = clean_emoji(emoji)
    message = _access(actor=actor, message_id=message_id)
    locked = room_lock(message.room_id)
    deleted, _counts = Reaction.objects.filter(message=message, user=actor, emoji=emoji).delete()
    if deleted:
        event_append(
            room=locked,
            kind="reaction.removed",
            data=dict(events.reaction_changed(message, emoji=emoji, by=actor)),
            message_id=message.pk,
        )
        on_reaction_changed(message=message, reactor_id=actor.pk)
    return ReactionResult(message=message, changed=bool(deleted))
