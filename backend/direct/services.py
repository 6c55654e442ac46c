"""Writes: opening a direct conversation (or finding it again), blocking and unblocking."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from backend.accounts.models import User
from backend.common.errors import NotFound
from backend.rooms import events as room_events
from backend.rooms.eventlog import event_append, room_lock
from backend.rooms.models import Membership, Room

from .access import access_block_target, access_direct, access_partners
from .models import Block


@dataclass(frozen=True)
class DirectResult:
    room: Room
    created: bool


def direct_key(user_ids: list[int]) -> str:
    return "-".join(str(pk) for pk in sorted(set(user_ids)))


def _publish_joined(*, user_id: int, room_id: int) -> None:
    from realtime import publish

    transaction.on_commit(
        lambda: publish.membership_changed(user_id=user_id, room_id=room_id, joined=True)
    )


def _add_members(room: Room, people: list[User]) -> None:
    """Make ``people`` members of a locked direct room (those not in it yet), with events."""
    have = set(Membership.objects.filter(room=room).values_list("user_id", flat=True))
    for person in people:
        if person.pk in have:
            continue
        Membership.objects.create(room=room, user=person, role=Membership.Role.MEMBER)
        event_append(
            room=room,
            kind="member.joined",
            data=room_events.member_joined(user=person, role=Membership.Role.MEMBER),
        )
        _publish_joined(user_id=person.pk, room_id=room.pk)


# The stored name holds nobody's name (an erased account's name must not linger in it):
# listings show each participant the names of the others, read from the memberships.
DIRECT_ROOM_NAME = "Conversation directe"


def _create(*, actor: User, key: str) -> Room | None:
    """The new room, or None when a concurrent request created the same one first."""
    try:
        with transaction.atomic():
            return Room.objects.create(
                name=DIRECT_ROOM_NAME,
                kind=Room.Kind.DIRECT,
                access=Room.Access.INVITE,
                created_by=actor,
                direct_key=key,
            )
    except IntegrityError:
        return None


@transaction.atomic
def direct_open(*, actor: User, user_ids: Any) -> DirectResult:
    """Open a conversation between ``actor`` and 1 to 7 other agents, or find the one these
    same people already have (and bring back any of them who had left it)."""
    partners = access_partners(actor=actor, user_ids=user_ids)
    people = [actor, *partners]
    key = direct_key([p.pk for p in people])
    created = False
    room = Room.objects.filter(direct_key=key).first()
    if room is None:
        room = _create(actor=actor, key=key)
        created = room is not None
        if room is None:  # the unique key lost a race: the other request's room is ours too
            room = Room.objects.get(direct_key=key)
    locked = room_lock(room.pk)
    _add_members(locked, people)
    return DirectResult(room=locked, created=created)


@dataclass(frozen=True)
class BlockResult:
    blocked: User
    created: bool
    block: Block


@transaction.atomic
def block_add(*, actor: User, user_id: int) -> BlockResult:
    """``actor`` stops receiving direct messages from an agent. Nobody is told."""
    target = access_block_target(actor=actor, user_id=user_id)
    block, created = Block.objects.get_or_create(blocker=actor, blocked=target)
    return BlockResult(blocked=target, created=created, block=block)


@transaction.atomic
def block_remove(*, actor: User, user_id: int) -> None:
    access_direct(actor=actor)
    deleted, _rows = Block.objects.filter(blocker=actor, blocked_id=user_id).delete()
    if not deleted:
        raise NotFound(_("Vous n'avez pas bloqué cet agent."))
