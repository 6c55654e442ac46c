"""Moderation of a room: hide, pin, mute, remove, ban, posting policy and slow mode.

Each action: parse -> ``access_room_moderated`` -> one transaction that changes the state,
appends the room event and writes the audit entry (never a message body).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.accounts.models import User
from backend.audit.services import audit_record
from backend.common.errors import BadRequest, Conflict, Forbidden, NotFound, RateLimited, TooLarge
from backend.messaging.models import Message
from backend.rooms import events as room_events
from backend.rooms.access import is_moderator, membership_of
from backend.rooms.eventlog import event_append, room_lock
from backend.rooms.models import Invitation, Membership, Room

from . import events
from .access import access_message_moderated, access_room_moderated, check_id
from .models import Ban, HiddenMessage, Mute, Pin, RoomPolicy

REASON_MAX = 255
PINS_MAX = 50
MUTE_MAX_SECONDS = 30 * 24 * 3600
SLOW_MODE_MAX_SECONDS = 6 * 3600

_RANK = {Membership.Role.MEMBER: 1, Membership.Role.MODERATOR: 2, Membership.Role.OWNER: 3}


def check_reason(reason: Any, *, required: bool = False, limit: int = REASON_MAX) -> str:
    if reason is None:
        reason = ""
    if not isinstance(reason, str):
        raise BadRequest(_("« reason » doit être une chaîne de caractères."))
    if len(reason) > limit:
        raise TooLarge(_("Le motif est trop long (%(n)s caractères au plus).") % {"n": limit})
    reason = reason.strip()
    if required and not reason:
        raise BadRequest(_("Indiquez un motif."), reason="reason_required")
    return reason


def _publish_user(user_id: int, frame: dict[str, Any]) -> None:
    from realtime import publish

    transaction.on_commit(lambda: publish.user_event(user_id=user_id, frame=frame))


def _rank(user: User, membership: Membership | None) -> int:
    if user.is_staff:
        return 10
    return _RANK.get(membership.role, 0) if membership else 0  # type: ignore[call-overload]


def _target(
    *, actor: User, room: Room, membership: Membership | None, user_id: Any
) -> tuple[User, Membership | None]:
    """The person a moderator acts on: never oneself, never someone of equal or higher rank."""
    user_id = check_id(user_id, "user")
    target = User.objects.filter(pk=user_id).first()
    if target is None:
        raise NotFound(_("Aucun agent ne correspond."))
    if target.pk == actor.pk:
        raise BadRequest(_("Vous ne pouvez pas vous l'appliquer à vous-même."), reason="self")
    target_membership = membership_of(user=target, room_id=room.pk)
    if _rank(target, target_membership) >= _rank(actor, membership):
        raise Forbidden(
            _("Vous ne pouvez pas modérer un membre de rang égal ou supérieur."), reason="rank"
        )
    return target, target_membership


# --- messages --------------------------------------------------------------------------------


@transaction.atomic
def message_hide(*, actor: User, message_id: Any, reason: Any = "") -> Message:
    """Remove any message of the room (a tombstone event); its content stays stored for the audit
    retention period, then ``preau purge`` erases it."""
    reason = check_reason(reason)
    message, room = access_message_moderated(actor=actor, message_id=message_id)
    from backend.messaging.services import message_remove

    message_remove(message_id=message.pk, by=actor)
    moderator_deleted(actor=actor, message=message, reason=reason)
    return message


def moderator_deleted(*, actor: User, message: Message, reason: str = "") -> None:
    """Bookkeeping when a moderator removes someone's message (here or via message.delete)."""
    HiddenMessage.objects.get_or_create(message=message, defaults={"hidden_by": actor})
    Pin.objects.filter(message=message).delete()
    audit_record(
        action="message.hidden",
        actor=actor,
        target=f"message:{message.pk}",
        reason=reason,
        room_id=message.room_id,
    )


@transaction.atomic
def message_pin(*, actor: User, message_id: Any, pin: bool) -> bool:
    """Pin or unpin a message in its room; returns whether anything changed."""
    message, room = access_message_moderated(actor=actor, message_id=message_id)
    locked = room_lock(room.pk)
    existing = Pin.objects.filter(message=message).first()
    if pin == (existing is not None):
        return False
    if pin:
        if Pin.objects.filter(room=locked).count() >= PINS_MAX:
            raise Conflict(
                _("Ce salon a déjà %(n)s messages épinglés.") % {"n": PINS_MAX},
                reason="too_many_pins",
            )
        Pin.objects.create(room=locked, message=message, pinned_by=actor)
    else:
        existing.delete()  # type: ignore[union-attr]
    kind = "message.pinned" if pin else "message.unpinned"
    event_append(
        room=locked,
        kind=kind,
        data=dict(events.message_pinned(message_id=message.pk, by=actor)),
        message_id=message.pk,
    )
    audit_record(action=kind, actor=actor, target=f"message:{message.pk}", room_id=room.pk)
    return True


# --- members ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class MuteResult:
    user: User
    until: Any


@transaction.atomic
def member_mute(
    *, actor: User, room_id: Any, user_id: Any, seconds: Any, reason: Any = ""
) -> MuteResult:
    """Stop a member posting for ``seconds`` (0 lifts the mute)."""
    reason = check_reason(reason)
    if not isinstance(seconds, int) or isinstance(seconds, bool) or seconds < 0:
        raise BadRequest(_("« seconds » doit être un nombre de secondes positif."))
    if seconds > MUTE_MAX_SECONDS:
        raise BadRequest(_("Une mise en sourdine dure 30 jours au plus."), reason="too_long")
    room, membership = access_room_moderated(actor=actor, room_id=room_id)
    target, target_membership = _target(
        actor=actor, room=room, membership=membership, user_id=user_id
    )
    if target_membership is None:
        raise NotFound(_("Cette personne n'est pas membre du salon."))
    locked = room_lock(room.pk)
    until = timezone.now() + timedelta(seconds=seconds) if seconds else None
    if until is None:
        if not Mute.objects.filter(room=locked, user=target).delete()[0]:
            return MuteResult(user=target, until=None)
    else:
        Mute.objects.update_or_create(
            room=locked, user=target, defaults={"until": until, "muted_by": actor}
        )
    event_append(
        room=locked,
        kind="member.muted",
        data=dict(events.member_muted(user=target, until=until, by=actor)),
    )
    audit_record(
        action="member.muted" if until else "member.unmuted",
        actor=actor,
        target=f"user:{target.pk}",
        reason=reason,
        room_id=room.pk,
    )
    return MuteResult(user=target, until=until)


@transaction.atomic
def member_remove(
    *, actor: User, room_id: Any, user_id: Any, reason: Any = "", ban: bool = False
) -> User:
    """Put someone out of the room; with ``ban`` they cannot come back (nor follow it)."""
    reason = check_reason(reason)
    room, membership = access_room_moderated(actor=actor, room_id=room_id)
    target, target_membership = _target(
        actor=actor, room=room, membership=membership, user_id=user_id
    )
    if target_membership is None and not ban:
        raise NotFound(_("Cette personne n'est pas membre du salon."))
    locked = room_lock(room.pk)
    if target_membership is not None:
        Membership.objects.filter(pk=target_membership.pk).delete()
        event_append(
            room=locked,
            kind="member.left",
            data=dict(room_events.member_left(user=target, removed_by=actor)),
        )
    Invitation.objects.filter(room=locked, invitee=target).delete()
    Mute.objects.filter(room=locked, user=target).delete()
    if ban:
        _ban, created = Ban.objects.get_or_create(
            room=locked, user=target, defaults={"banned_by": actor}
        )
        if created:
            event_append(
                room=locked,
                kind="member.banned",
                data=dict(events.member_banned(user=target, by=actor, banned=True)),
            )
    from realtime import publish

    transaction.on_commit(
        lambda: publish.membership_changed(user_id=target.pk, room_id=room.pk, joined=False)
    )
    audit_record(
        action="member.banned" if ban else "member.removed",
        actor=actor,
        target=f"user:{target.pk}",
        reason=reason,
        room_id=room.pk,
    )
    return target


@transaction.atomic
def member_unban(*, actor: User, room_id: Any, user_id: Any, reason: Any = "") -> bool:
    reason = check_reason(reason)
    room, _membership = access_room_moderated(actor=actor, room_id=room_id)
    user_id = check_id(user_id, "user")
    ban = Ban.objects.select_related("user").filter(room=room, user_id=user_id).first()
    if ban is None:
        raise NotFound(_("Cette personne n'est pas exclue du salon."))
    locked = room_lock(room.pk)
    ban.delete()
    event_append(
        room=locked,
        kind="member.banned",
        data=dict(events.member_banned(user=ban.user, by=actor, banned=False)),
    )
    audit_record(
        action="member.unbanned",
        actor=actor,
        target=f"user:{user_id}",
        reason=reason,
        room_id=room.pk,
    )
    return True


# --- room policy -----------------------------------------------------------------------------


@transaction.atomic
def room_policy_set(
    *, actor: User, room_id: Any, posting: Any = None, slow_mode_seconds: Any = None
) -> RoomPolicy:
    """Read-only, announcement-only or open posting, and slow mode (0 turns it off)."""
    if posting is not None and posting not in RoomPolicy.Posting.values:
        raise BadRequest(_("« posting » vaut all, announcement ou read_only."))
    if slow_mode_seconds is not None:
        if (
            not isinstance(slow_mode_seconds, int)
            or isinstance(slow_mode_seconds, bool)
            or not 0 <= slow_mode_seconds <= SLOW_MODE_MAX_SECONDS
        ):
            raise BadRequest(_("« slow_mode_seconds » va de 0 à 21 600 secondes."))
    if posting is None and slow_mode_seconds is None:
        raise BadRequest(_("Indiquez « posting » ou « slow_mode_seconds »."))
    room, _membership = access_room_moderated(actor=actor, room_id=room_id)
    locked = room_lock(room.pk)
    policy, _created = RoomPolicy.objects.get_or_create(room=locked)
    before = (policy.posting, policy.slow_mode_seconds)
    if posting is not None:
        policy.posting = posting
    if slow_mode_seconds is not None:
        policy.slow_mode_seconds = slow_mode_seconds
    if (policy.posting, policy.slow_mode_seconds) == before:
        return policy
    policy.updated_at = timezone.now()
    policy.save()
    event_append(room=locked, kind="room.updated", data=events.room_policy(locked, policy))
    audit_record(
        action="room.policy",
        actor=actor,
        target=f"room:{room.pk}",
        reason=f"posting={policy.posting} slow_mode={policy.slow_mode_seconds}",
        room_id=room.pk,
    )
    return policy


def require_may_post(*, actor: User, room: Room, membership: Membership | None) -> None:
    """Mutes, read-only and announcement rooms, slow mode. Moderators and staff are exempt."""
    if is_moderator(user=actor, membership=membership):
        return
    now = timezone.now()
    mute = Mute.objects.filter(room_id=room.pk, user=actor, until__gt=now).first()
    if mute is not None:
        raise Forbidden(
            _("Un modérateur vous a mis en sourdine dans ce salon jusqu'au %(d)s.")
            % {"d": timezone.localtime(mute.until).strftime("%d/%m/%Y à %H:%M")},
            reason="muted",
            until=room_events.iso(mute.until),
        )
    policy = RoomPolicy.objects.filter(room_id=room.pk).first()
    if policy is None:
        return
    if policy.posting == RoomPolicy.Posting.READ_ONLY:
        raise Forbidden(_("Ce salon est en lecture seule."), reason="read_only")
    if policy.posting == RoomPolicy.Posting.ANNOUNCEMENT:
        raise Forbidden(
            _("Seuls les modérateurs publient dans ce salon d'annonces."),
            reason="announcement_only",
        )
    if policy.slow_mode_seconds:
        since = now - timedelta(seconds=policy.slow_mode_seconds)
        last = (
            Message.objects.filter(room_id=room.pk, author=actor, created_at__gt=since)
            .order_by("-created_at")
            .values_list("created_at", flat=True)
            .first()
        )
        if last is not None:
            wait = max(1, math.ceil(policy.slow_mode_seconds - (now - last).total_seconds()))
            raise RateLimited(
                _("Mode lent : un message toutes les %(n)s secondes. Réessayez dans %(w)s s.")
                % {"n": policy.slow_mode_seconds, "w": wait},
                reason="slow_mode",
                retry_after=wait,
            )


def newcomer_check(*, message: Message) -> None:
    """Tell the room's moderators about a new member's first messages (``nouveau membre``)."""
    from django.conf import settings

    from .selectors import is_newcomer_message

    if message.author.is_bot or not is_newcomer_message(message):
        return
    if Room.objects.filter(pk=message.room_id, kind=Room.Kind.DIRECT).exists():
        return  # a direct conversation has no moderators: nobody else hears of it
    from .access import moderator_ids

    frame = {
        "type": "moderation.newcomer",
        "room": message.room_id,
        "message": message.pk,
        "author": room_events.user_ref(message.author),
        "limit": settings.PREAU["NEWCOMER_MESSAGES"],
    }
    for user_id in moderator_ids(message.room_id):
        if user_id != message.author_id:
            _publish_user(user_id, frame)


@transaction.atomic
def member_role_set(*, actor: User, room_id: Any, user_id: Any, role: Any) -> Membership:
    """Owners (and staff) make a member a moderator, or a moderator a member again."""
    if role not in (Membership.Role.MODERATOR, Membership.Role.MEMBER):
        raise BadRequest(_("« role » vaut moderator ou member."))
    room, membership = access_room_moderated(actor=actor, room_id=room_id)
    if not actor.is_staff and (membership is None or membership.role != Membership.Role.OWNER):
        raise Forbidden(_("Seuls les propriétaires du salon nomment les modérateurs."))
    target, target_membership = _target(
        actor=actor, room=room, membership=membership, user_id=user_id
    )
    if target_membership is None:
        raise NotFound(_("Cette personne n'est pas membre du salon."))
    if target.is_bot:
        raise BadRequest(_("Un robot ne modère pas."))
    if target_membership.role == role:
        return target_membership
    locked = room_lock(room.pk)
    target_membership.role = role
    target_membership.save(update_fields=["role"])
    event_append(
        room=locked,
        kind="member.role_changed",
        data=dict(room_events.member_role_changed(user=target, role=role)),
    )
    audit_record(
        action="member.role_changed",
        actor=actor,
        target=f"user:{target.pk}",
        reason=role,
        room_id=room.pk,
    )
    return target_membership
