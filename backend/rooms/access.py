"""Who may see, read, join and act in a room.

``access_*`` functions are the only way code outside this app gets a room a user may act on.
They raise the same ``NotFound`` for "does not exist" and "not allowed to know it exists", and
``Forbidden`` only when the room is visible but the action is not allowed.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from backend.accounts.models import User
from backend.common.errors import Forbidden, NotFound

from .models import Membership, Room


def visible_rooms_q(user: User) -> Q:
    """Rooms a user may know about: every thematic and geographic room, and its private ones.

    A thematic or geographic room is listed whatever its access, so an agent can find it and
    ask to be let in (joining it is then refused with 403); a private room is known only to its
    members and invitees (404 for everyone else, as if it did not exist). A direct room is
    known only to its participants, and never listed with the rooms (``listed_rooms_q``).
    """
    is_member = Q(memberships__user=user)
    is_invited = Q(invitations__invitee=user)
    is_public_kind = Q(kind__in=(Room.Kind.THEMATIC, Room.Kind.GEOGRAPHIC))
    return is_member | is_invited | is_public_kind


def is_direct(room: Room) -> bool:
    return room.kind == Room.Kind.DIRECT


def refuse_direct(room: Room) -> None:
    """Rooms-only actions (join, invite, moves, robots, owners…) never apply to a direct
    conversation, whose members are exactly the people it was opened with. Callers have
    already checked that the actor may know the room."""
    if room.kind == Room.Kind.DIRECT:
        raise Forbidden(
            _("Impossible dans une conversation directe."), reason="direct_conversation"
        )


def visible_rooms(user: User) -> QuerySet[Room]:
    if not user.is_agent:
        return Room.objects.none()
    return Room.objects.filter(visible_rooms_q(user), archived_at__isnull=True).distinct()


def membership_of(*, user: User, room_id: int) -> Membership | None:
    return Membership.objects.filter(room_id=room_id, user=user).first()


def can_read(*, user: User, room: Room, membership: Membership | None) -> bool:
    """Reading = receiving the room's events; non-members may follow open/organisation rooms."""
    if not user.is_agent:
        return False
    if user.is_bot:
        return membership is not None and _bot_may_read(bot=user, room_id=room.pk)
    if membership is not None:
        return True
    if banned_from(user=user, room_id=room.pk):
        return False
    if room.access == Room.Access.OPEN:
        return True
    if room.access == Room.Access.ORGANISATION:
        return user.organisation_id is not None and room.organisation_id == user.organisation_id
    return False


def banned_from(*, user: User, room_id: int) -> bool:
    # A ban removes the membership and stops following an open room (moderation app, which
    # builds on this one: imported when needed).
    from backend.moderation.access import is_banned

    return is_banned(user_id=user.pk, room_id=room_id)


def _bot_may_read(*, bot: User, room_id: int) -> bool:
    # Bots read only the rooms they were granted with the right to read (integrations app,
    # which builds on this one: imported when needed).
    from backend.integrations.access import bot_may_read

    return bot_may_read(bot=bot, room_id=room_id)


def bot_readable_memberships_q() -> Q:
    """Memberships that carry reading: every agent's, and a bot's only with a read grant."""
    from backend.integrations.models import BotGrant

    granted = BotGrant.objects.filter(
        bot_id=OuterRef("user_id"), room_id=OuterRef("room_id"), can_read=True
    )
    return Q(user__is_bot=False) | Q(Exists(granted))


def is_moderator(*, user: User, membership: Membership | None) -> bool:
    if user.is_staff:
        return True
    if membership is None:
        return False
    return membership.role in (Membership.Role.OWNER, Membership.Role.MODERATOR)


def access_room_readable(*, actor: User, room_id: int) -> tuple[Room, Membership | None]:
    room = Room.objects.select_related("theme", "territory", "organisation").filter(pk=room_id)
    found = room.first()
    if found is None:
        raise NotFound()
    membership = membership_of(user=actor, room_id=found.pk)
    if not can_read(user=actor, room=found, membership=membership):
        raise NotFound()
    return found, membership


def access_room_for_posting(*, actor: User, room_id: int) -> tuple[Room, Membership | None]:
    """Posting needs reading, except for a bot granted the right to post only (checked later)."""
    if not actor.is_bot:
        return access_room_readable(actor=actor, room_id=room_id)
    room = Room.objects.filter(pk=room_id).first()
    if room is None:
        raise NotFound()
    membership = membership_of(user=actor, room_id=room.pk)
    if membership is None or not actor.is_agent:
        raise NotFound()
    return room, membership


def access_room_visible(*, actor: User, room_id: int) -> Room:
    """A room the actor may know about (to join it or accept an invitation)."""
    found = visible_rooms(actor).filter(pk=room_id).first()
    if found is None:
        raise NotFound()
    return found


def require_member(membership: Membership | None) -> Membership:
    if membership is None:
        raise Forbidden(_("Vous n'êtes pas membre de ce salon."))
    return membership


def require_moderator(*, user: User, membership: Membership | None) -> None:
    if not is_moderator(user=user, membership=membership):
        raise Forbidden(_("Seuls les modérateurs du salon peuvent faire cela."))


def readable_rooms_q(user: User, prefix: str = "") -> Q:
    """Rooms whose content the user may read (``can_read`` as a filter), for search and lists."""

    def q(**kwargs: object) -> Q:
        return Q(**{f"{prefix}{key}": value for key, value in kwargs.items()})

    if not user.is_agent:
        return q(pk__in=[])
    if user.is_bot:
        return q(bot_grants__bot=user, bot_grants__can_read=True)
    is_member = q(memberships__user=user)
    is_open = q(access=Room.Access.OPEN)
    # A banned agent is no member any more, and no longer reads the open room either.
    not_banned = ~q(pk__in=_banned_room_ids(user))
    if user.organisation_id is None:
        return is_member | (is_open & not_banned)
    is_own_organisation = q(access=Room.Access.ORGANISATION, organisation_id=user.organisation_id)
    return is_member | ((is_open | is_own_organisation) & not_banned)


def _banned_room_ids(user: User) -> QuerySet:
    from backend.moderation.models import Ban

    return Ban.objects.filter(user=user).values("room_id")
