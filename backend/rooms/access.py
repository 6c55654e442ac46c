"""Who may see, read, join and act in a room.

``access_*`` functions are the only way code outside this app gets a room a user may act on.
They raise the same ``NotFound`` for "does not exist" and "not allowed to know it exists", and
``Forbidden`` only when the room is visible but the action is not allowed.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from backend.accounts.models import User
from backend.common.errors import Forbidden, NotFound

from .models import Membership, Room


def visible_rooms_q(user: User) -> Q:
    """Rooms a user may know about: every thematic and geographic room, and its private ones.

    A thematic or geographic room is listed whatever its access, so an agent can find it and
    ask to be let in (joining it is then refused with 403); a private room is known only to its
    members and invitees (404 for everyone else, as if it did not exist).
    """
    is_member = Q(memberships__user=user)
    is_invited = Q(invitations__invitee=user)
    is_not_private = ~Q(kind=Room.Kind.PRIVATE)
    return is_member | is_invited | is_not_private


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
    if membership is not None:
        return True
    if room.access == Room.Access.OPEN:
        return True
    if room.access == Room.Access.ORGANISATION:
        return user.organisation_id is not None and room.organisation_id == user.organisation_id
    return False


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
    is_member = q(memberships__user=user)
    is_open = q(access=Room.Access.OPEN)
    if user.organisation_id is None:
        return is_member | is_open
    is_own_organisation = q(access=Room.Access.ORGANISATION, organisation_id=user.organisation_id)
    return is_member | is_open | is_own_organisation
