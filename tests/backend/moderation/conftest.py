"""A private room with one person per role: owner, moderator, member, staff, outsider."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from backend.accounts.models import User
from backend.moderation import services as moderation
from backend.rooms import services as rooms
from backend.rooms.models import Room


@dataclass
class Cast:
    room: Room
    owner: User
    moderator: User
    member: User
    target: User  # a plain member the others act on
    staff: User
    outsider: User

    def by_role(self, role: str) -> User:
        return getattr(self, role)


def add_member(room: Room, owner: User, user: User) -> None:
    if room.access == "invite":
        rooms.room_invite(actor=owner, room_id=room.pk, user_id=user.pk)
    rooms.room_join(actor=user, room_id=room.pk)


@pytest.fixture
def cast(make_agent: Any, org: Any, other_org: Any, alice: User, bob: User) -> Cast:
    room = rooms.room_create(actor=alice, name="Cellule", kind="private", access="invite").room
    moderator = make_agent(org, name="Mona Modératrice")
    target = make_agent(org, name="Thomas Cible")
    for user in (moderator, bob, target):
        add_member(room, alice, user)
    moderation.member_role_set(actor=alice, room_id=room.pk, user_id=moderator.pk, role="moderator")
    staff = make_agent(other_org, name="Sophie Staff", staff=True)
    outsider = make_agent(org, name="Olivier Dehors")
    return Cast(room, alice, moderator, bob, target, staff, outsider)
