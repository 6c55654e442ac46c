"""Writes for rooms and memberships. Each runs in one transaction and appends room events."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.accounts.models import Organisation, User
from backend.common.errors import BadRequest, Conflict, Forbidden, NotFound, TooLarge

from . import events
from .access import (
    access_room_readable,
    access_room_visible,
    banned_from,
    is_moderator,
    membership_of,
    refuse_direct,
    require_member,
)
from .eventlog import event_append, room_lock
from .models import Invitation, Membership, Room, Territory, Theme


@dataclass(frozen=True)
class RoomResult:
    room: Room
    membership: Membership | None


def _resolve_territory(code: str | None, level: str | None) -> Territory:
    if not (code or "").strip():
        raise BadRequest(_("Un salon territorial doit indiquer un territoire (code INSEE)."))
    return territory_lookup(code or "", level)


def territory_lookup(code: str, level: str | None) -> Territory:
    """The one territory an INSEE code (and, where ambiguous, a level) names."""
    code = code.strip().upper()
    candidates = Territory.objects.filter(insee_code=code)
    if level:
        candidates = candidates.filter(level=level)
    found = list(candidates[:2])
    if not found:
        raise BadRequest(_("Territoire inconnu : %(c)s") % {"c": code}, reason="unknown_territory")
    if len(found) > 1:
        raise BadRequest(
            _("Le code %(c)s désigne plusieurs territoires : précisez territory_level.")
            % {"c": code},
            reason="ambiguous_territory",
        )
    return found[0]


def _resolve_theme(slug: str | None) -> Theme:
    slug = (slug or "").strip().lower()
    theme = Theme.objects.filter(slug=slug).first() if slug else None
    if theme is None:
        raise BadRequest(
            _("Un salon thématique doit indiquer un thème connu."), reason="unknown_theme"
        )
    return theme


@transaction.atomic
def room_create(
    *,
    actor: User,
    name: str,
    kind: str,
    access: str,
    description: str = "",
    theme: str | None = None,
    territory: str | None = None,
    territory_level: str | None = None,
    organisation: int | None = None,
) -> RoomResult:
    if not actor.is_agent:
        raise Forbidden()
    from backend.community.levels import require_may_create_room

    require_may_create_room(actor=actor)
    name = (name or "").strip()
    if not name:
        raise BadRequest(_("Le nom du salon est obligatoire."))
    if len(name) > 100:
        raise TooLarge(_("Le nom du salon est trop long (100 caractères au plus)."))
    if len(description or "") > 2000:
        raise TooLarge(_("La description est trop longue (2 000 caractères au plus)."))
    if kind not in Room.Kind.values or kind == Room.Kind.DIRECT:
        # Direct conversations are opened with POST /direct, never created as rooms.
        raise BadRequest(_("Type de salon inconnu : %(k)s") % {"k": kind})
    if access not in Room.Access.values:
        raise BadRequest(_("Accès inconnu : %(a)s") % {"a": access})
    if kind == Room.Kind.PRIVATE and access != Room.Access.INVITE:
        raise BadRequest(
            _("Un salon privé est forcément sur invitation."), reason="private_is_invite"
        )
    if territory_level and territory_level not in Territory.Level.values:
        raise BadRequest(_("Niveau de territoire inconnu."))

    room = Room(name=name, kind=kind, access=access, description=description, created_by=actor)
    if kind == Room.Kind.THEMATIC:
        room.theme = _resolve_theme(theme)
    elif theme:
        room.theme = _resolve_theme(theme)
    if kind == Room.Kind.GEOGRAPHIC:
        room.territory = _resolve_territory(territory, territory_level)
    elif territory:
        room.territory = _resolve_territory(territory, territory_level)
    if access == Room.Access.ORGANISATION:
        organisation_id = organisation if organisation is not None else actor.organisation_id
        if organisation_id is None or not Organisation.objects.filter(pk=organisation_id).exists():
            raise BadRequest(_("Organisation inconnue."), reason="unknown_organisation")
        if organisation_id != actor.organisation_id and not actor.is_staff:
            raise Forbidden(_("Vous ne pouvez réserver un salon qu'à votre propre organisation."))
        room.organisation_id = organisation_id
    elif organisation is not None:
        raise BadRequest(
            _("« organisation » ne s'applique qu'à un accès réservé à une organisation.")
        )
    room.save()

    membership = Membership.objects.create(room=room, user=actor, role=Membership.Role.OWNER)
    locked = room_lock(room.pk)
    event_append(
        room=locked, kind="member.joined", data=events.member_joined(user=actor, role="owner")
    )
    _publish_membership(user_id=actor.pk, room_id=room.pk, joined=True)
    _audit("room.created", actor=actor, target=f"room:{room.pk}", room_id=room.pk)
    room.last_seq = locked.last_seq
    return RoomResult(room=room, membership=membership)


def _publish_membership(*, user_id: int, room_id: int, joined: bool) -> None:
    from realtime import publish

    transaction.on_commit(
        lambda: publish.membership_changed(user_id=user_id, room_id=room_id, joined=joined)
    )


@transaction.atomic
def room_join(*, actor: User, room_id: int) -> RoomResult:
    room = access_room_visible(actor=actor, room_id=room_id)
    if actor.is_bot:
        raise Forbidden(_("Un robot n'entre dans un salon que si on l'y autorise."))
    existing = membership_of(user=actor, room_id=room.pk)
    if existing is not None:
        return RoomResult(room=room, membership=existing)
    refuse_direct(room)
    if banned_from(user=actor, room_id=room.pk):
        raise Forbidden(_("Vous avez été exclu de ce salon."), reason="banned")
    invitation = Invitation.objects.filter(room=room, invitee=actor).first()
    if room.access == Room.Access.INVITE and invitation is None:
        raise Forbidden(_("Ce salon est accessible sur invitation seulement."))
    if room.access == Room.Access.ORGANISATION and room.organisation_id != actor.organisation_id:
        raise Forbidden(_("Ce salon est réservé aux agents d'une autre organisation."))
    locked = room_lock(room.pk)
    membership, created = Membership.objects.get_or_create(room=locked, user=actor)
    if invitation is not None:
        invitation.delete()
    if created:
        event_append(
            room=locked,
            kind="member.joined",
            data=events.member_joined(user=actor, role=membership.role),
        )
        _publish_membership(user_id=actor.pk, room_id=room.pk, joined=True)
        _audit("member.joined", actor=actor, target=f"user:{actor.pk}", room_id=room.pk)
    return RoomResult(room=locked, membership=membership)


@transaction.atomic
def room_leave(*, actor: User, room_id: int) -> RoomResult:
    room, membership = access_room_readable(actor=actor, room_id=room_id)
    membership = require_member(membership)
    locked = room_lock(room.pk)
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if membership.role == Membership.Role.OWNER:
        other_owners = Membership.objects.filter(room=locked, role=Membership.Role.OWNER).exclude(
            pk=membership.pk
        )
        if not other_owners.exists():
            successor = (
                Membership.objects.filter(room=locked)
                .exclude(pk=membership.pk)
                .order_by("-role", "joined_at", "pk")  # moderators before members
                .select_related("user")
                .first()
            )
            if successor is not None:
                successor.role = Membership.Role.OWNER
                successor.save(update_fields=["role"])
                event_append(
                    room=locked,
                    kind="member.role_changed",
                    data=events.member_role_changed(user=successor.user, role="owner"),
                )
                _audit(
                    "member.role_changed",
                    actor=actor,
                    target=f"user:{successor.user_id}",
                    reason="owner",
                    room_id=room.pk,
                )
    membership.delete()
    event_append(room=locked, kind="member.left", data=events.member_left(user=actor))
    _audit("member.left", actor=actor, target=f"user:{actor.pk}", room_id=room.pk)
    _publish_membership(user_id=actor.pk, room_id=room.pk, joined=False)
    return RoomResult(room=locked, membership=None)


@transaction.atomic
def room_invite(
    *, actor: User, room_id: int, email: str | None = None, user_id: int | None = None
) -> Invitation:
    room, membership = access_room_readable(actor=actor, room_id=room_id)
    membership = require_member(membership)
    refuse_direct(room)
    if room.access == Room.Access.INVITE and not is_moderator(user=actor, membership=membership):
        raise Forbidden(_("Seuls les propriétaires et modérateurs peuvent inviter ici."))
    if (email is None) == (user_id is None):
        raise BadRequest(_("Indiquez soit « email », soit « user »."))
    if email is not None and len(email) > 254:
        raise TooLarge(_("L'adresse électronique est trop longue."))
    invitees = User.objects.filter(is_active=True, is_verified=True, is_bot=False)
    if email is not None:
        invitee = invitees.filter(email__iexact=email.strip()).first()
    else:
        invitee = invitees.filter(pk=user_id).first()
    if invitee is None:
        raise NotFound(_("Aucun agent actif ne correspond."))
    if room.access == Room.Access.ORGANISATION and invitee.organisation_id != room.organisation_id:
        raise Forbidden(_("Ce salon est réservé aux agents d'une autre organisation."))
    if membership_of(user=invitee, room_id=room.pk) is not None:
        raise Conflict(_("Cette personne est déjà membre du salon."))
    locked = room_lock(room.pk)
    invitation, created = Invitation.objects.get_or_create(
        room=locked, invitee=invitee, defaults={"invited_by": actor}
    )
    if created:
        event_append(
            room=locked,
            kind="member.invited",
            data=events.member_invited(user=invitee, by=actor),
        )
        _audit("member.invited", actor=actor, target=f"user:{invitee.pk}", room_id=room.pk)
        from realtime import publish

        payload = {
            "type": "invitation",
            "room": {"id": room.pk, "name": room.name, "kind": room.kind},
            "by": events.user_ref(actor),
        }
        transaction.on_commit(lambda: publish.user_event(user_id=invitee.pk, frame=payload))
    return invitation


@transaction.atomic
def read_mark(*, actor: User, room_id: int, seq: int) -> int:
    """Move the actor's read position in a room forward (never back); returns the position."""
    room, membership = access_room_readable(actor=actor, room_id=room_id)
    membership = require_member(membership)
    seq = max(0, min(seq, room.last_seq))
    if seq <= membership.last_read_seq:
        return membership.last_read_seq
    Membership.objects.filter(pk=membership.pk, last_read_seq__lt=seq).update(last_read_seq=seq)
    if not actor.is_bot:
        from backend.community.levels import on_read

        on_read(user_id=actor.pk)
    from realtime import publish

    frame = {"type": "read", "room": room.pk, "seq": seq}
    transaction.on_commit(lambda: publish.user_event(user_id=actor.pk, frame=frame))
    return seq


# --- administration --------------------------------------------------------------------------


def _staff_only(actor: User) -> None:
    if not (actor.is_active and actor.is_staff):
        raise NotFound()


@transaction.atomic
def room_archive(*, actor: User, room_id: int) -> Room:
    """Staff: the room leaves every listing and takes no new members; its log stays."""
    _staff_only(actor)
    locked = room_lock(room_id)
    refuse_direct(locked)
    if locked.archived_at is None:
        locked.archived_at = timezone.now()
        locked.save(update_fields=["archived_at"])
        event_append(
            room=locked,
            kind="room.updated",
            data={"room": {"id": locked.pk, "archived_at": events.iso(locked.archived_at)}},
        )
        _audit("room.archived", actor=actor, target=f"room:{locked.pk}", room_id=locked.pk)
    return locked


@transaction.atomic
def room_owner_set(*, actor: User, room_id: int, user_id: int) -> Membership:
    """Staff: make one agent the room's owner; former owners become moderators."""
    _staff_only(actor)
    locked = room_lock(room_id)
    refuse_direct(locked)
    owner = User.objects.filter(pk=user_id).first()
    if owner is None or not owner.is_agent or owner.is_bot:
        raise BadRequest(_("Le nouveau propriétaire doit être un agent actif."))
    for former in (
        Membership.objects.filter(room=locked, role=Membership.Role.OWNER)
        .exclude(user=owner)
        .select_related("user")
    ):
        former.role = Membership.Role.MODERATOR
        former.save(update_fields=["role"])
        event_append(
            room=locked,
            kind="member.role_changed",
            data=events.member_role_changed(user=former.user, role="moderator"),
        )
        _audit(
            "member.role_changed",
            actor=actor,
            target=f"user:{former.user_id}",
            reason="moderator",
            room_id=locked.pk,
        )
    membership = Membership.objects.filter(room=locked, user=owner).first()
    if membership is None:
        membership = Membership.objects.create(room=locked, user=owner, role=Membership.Role.OWNER)
        event_append(
            room=locked, kind="member.joined", data=events.member_joined(user=owner, role="owner")
        )
        _publish_membership(user_id=owner.pk, room_id=locked.pk, joined=True)
    elif membership.role != Membership.Role.OWNER:
        membership.role = Membership.Role.OWNER
        membership.save(update_fields=["role"])
        _audit(
            "member.role_changed",
            actor=actor,
            target=f"user:{owner.pk}",
            reason="owner",
            room_id=locked.pk,
        )
        event_append(
            room=locked,
            kind="member.role_changed",
            data=events.member_role_changed(user=owner, role="owner"),
        )
    return membership


def _audit(action: str, *, actor: User, target: str, room_id: int, reason: str = "") -> None:
    from backend.audit.services import audit_record

    audit_record(action=action, actor=actor, target=target, reason=reason, room_id=room_id)
