"""Who may read a fiche, edit it, and validate or publish it.

A fiche is readable by the readers of the room that holds its anchor message now (the thread
root or first chosen message; the room it was made from once the anchor is purged), or by every
agent once an animateur has published it. ``access_fiche`` raises the same ``NotFound`` for
"does not exist" and "may not read it", so ids do not leak.

Animateurs: the moderators and owners of that room, platform staff, and animateurs référents
(level 5) — the existing moderation rules, plus the référents the community app names.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from backend.accounts.models import User
from backend.common.errors import Forbidden, NotFound
from backend.community.levels import is_referent
from backend.rooms.access import can_read, is_moderator, membership_of, readable_rooms_q
from backend.rooms.models import Room

from .models import Fiche


def readable_fiches_q(user: User) -> Q:
    """Fiches whose content the user may read, as a filter."""
    if not user.is_agent:
        return Q(pk__in=[])
    published = Q(published_at__isnull=False)
    via_anchor = Q(anchor__isnull=False) & Q(
        anchor__room__in=Room.objects.filter(readable_rooms_q(user)).values("pk")
    )
    via_origin = Q(anchor__isnull=True) & Q(
        source_room__in=Room.objects.filter(readable_rooms_q(user)).values("pk")
    )
    return published | via_anchor | via_origin


def governing_room_id(fiche: Fiche) -> int:
    """The room whose readers (and moderators) govern the fiche."""
    if fiche.anchor_id is not None and fiche.anchor is not None:
        return fiche.anchor.room_id
    return fiche.source_room_id


def may_read_source(*, user: User, fiche: Fiche) -> bool:
    room = Room.objects.filter(pk=governing_room_id(fiche)).first()
    if room is None:
        return False
    return can_read(user=user, room=room, membership=membership_of(user=user, room_id=room.pk))


def access_fiche(*, actor: User, fiche_id: Any) -> Fiche:
    fiche = (
        Fiche.objects.select_related("theme", "territory", "anchor", "source_room")
        .filter(readable_fiches_q(actor), pk=fiche_id)
        .first()
    )
    if fiche is None:
        raise NotFound()
    return fiche


def is_animateur(*, user: User, fiche: Fiche) -> bool:
    if not user.is_agent or user.is_bot:
        return False
    if user.is_staff:
        return True
    if is_referent(user.pk):
        return True
    room_id = governing_room_id(fiche)
    return is_moderator(user=user, membership=membership_of(user=user, room_id=room_id))


def require_animateur(*, user: User, fiche: Fiche) -> None:
    if not is_animateur(user=user, fiche=fiche):
        raise Forbidden(
            _(
                "Seuls les animateurs (modérateurs du salon d'origine, animateurs référents, "
                "équipe de la plateforme) peuvent faire cela."
            ),
            reason="not_animateur",
        )
