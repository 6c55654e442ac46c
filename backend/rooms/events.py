"""Typed room-event payloads and one builder per event.

Payloads hold JSON primitives only (ids, ISO-8601 UTC strings, plain dicts).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Literal, TypedDict

EventKind = Literal[
    "message.created",
    "message.edited",
    "message.deleted",
    "reaction.added",
    "reaction.removed",
    "member.joined",
    "member.left",
    "member.invited",
    "member.role_changed",
    "room.updated",
]


class UserRef(TypedDict):
    id: int
    name: str


class MemberJoined(TypedDict):
    user: UserRef
    role: str


class MemberLeft(TypedDict):
    user: UserRef
    removed_by: UserRef | None


class MemberInvited(TypedDict):
    user: UserRef
    by: UserRef


class MemberRoleChanged(TypedDict):
    user: UserRef
    role: str


class RoomUpdated(TypedDict):
    room: dict


def iso(dt: datetime | None) -> str | None:
    if dt is None:
        return None
    return dt.astimezone(UTC).isoformat().replace("+00:00", "Z")


def user_ref(user) -> UserRef:  # type: ignore[no-untyped-def]
    return {"id": user.pk, "name": user.name}


def member_joined(*, user, role: str) -> MemberJoined:  # type: ignore[no-untyped-def]
    return {"user": user_ref(user), "role": role}


def member_left(*, user, removed_by=None) -> MemberLeft:  # type: ignore[no-untyped-def]
    return {"user": user_ref(user), "removed_by": user_ref(removed_by) if removed_by else None}


def member_invited(*, user, by) -> MemberInvited:  # type: ignore[no-untyped-def]
    return {"user": user_ref(user), "by": user_ref(by)}


def member_role_changed(*, user, role: str) -> MemberRoleChanged:  # type: ignore[no-untyped-def]
    return {"user": user_ref(user), "role": role}
