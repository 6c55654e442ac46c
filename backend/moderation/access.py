"""Who may moderate a room: its owners and moderators, and platform staff anywhere.

Someone who may not read the room gets ``NotFound`` (as if it did not exist); a reader who is not
a moderator gets ``Forbidden``.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from backend.accounts.models import User
from backend.common.errors import BadRequest, NotFound
from backend.messaging.models import Message
from backend.rooms.access import access_room_readable, membership_of, require_moderator
from backend.rooms.models import Membership, Room


def check_id(value: Any, name: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0 or value > 2**62:
        raise BadRequest(_("« %(name)s » doit être un identifiant.") % {"name": name})
    return value


def access_room_moderated(*, actor: User, room_id: Any) -> tuple[Room, Membership | None]:
    room_id = check_id(room_id, "room")
    if actor.is_agent and actor.is_staff and not actor.is_bot:
        room = Room.objects.filter(pk=room_id).first()
        if room is None:
            raise NotFound()
        return room, membership_of(user=actor, room_id=room.pk)
    room, membership = access_room_readable(actor=actor, room_id=room_id)
    require_moderator(user=actor, membership=membership)
    return room, membership


def access_message_moderated(
    *, actor: User, message_id: Any, deleted_ok: bool = False
) -> tuple[Message, Room]:
    message_id = check_id(message_id, "message")
    messages = Message.objects.select_related("author").filter(pk=message_id)
    if not deleted_ok:
        messages = messages.filter(deleted_at__isnull=True)
    message = messages.first()
    if message is None:
        raise NotFound()
    room, _membership = access_room_moderated(actor=actor, room_id=message.room_id)
    return message, room


def moderator_ids(room_id: int) -> list[int]:
    """Who receives a room's moderation notices: its owners and moderators, and active staff."""
    roles = (Membership.Role.OWNER, Membership.Role.MODERATOR)
    members = Membership.objects.filter(room_id=room_id, role__in=roles, user__is_active=True)
    ids = set(members.values_list("user_id", flat=True))
    ids |= set(
        User.objects.filter(is_staff=True, is_active=True, is_bot=False).values_list(
            "pk", flat=True
        )
    )
    return sorted(ids)


def is_banned(*, user_id: int, room_id: int) -> bool:
    from .models import Ban

    return Ban.objects.filter(user_id=user_id, room_id=room_id).exists()
