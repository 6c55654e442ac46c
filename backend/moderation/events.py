"""Typed payloads of moderation events (room events and per-user frames)."""

from __future__ import annotations

from typing import Any, TypedDict

from backend.rooms.events import UserRef, iso, user_ref


class MessagePinned(TypedDict):
    message: int
    by: UserRef


class MemberMuted(TypedDict):
    user: UserRef
    until: str | None  # None: the mute was lifted
    by: UserRef


class MemberBanned(TypedDict):
    user: UserRef
    by: UserRef
    banned: bool  # False: the ban was lifted


class RoomRef(TypedDict):
    id: int
    name: str


class MessagesMoved(TypedDict):
    messages: list[int]
    from_room: RoomRef | None
    to_room: RoomRef | None  # None when the destination is private
    thread: int | None
    by: UserRef
    reason: str


def message_pinned(*, message_id: int, by: Any) -> MessagePinned:
    return {"message": message_id, "by": user_ref(by)}


def member_muted(*, user: Any, until: Any, by: Any) -> MemberMuted:
    return {"user": user_ref(user), "until": iso(until), "by": user_ref(by)}


def member_banned(*, user: Any, by: Any, banned: bool) -> MemberBanned:
    return {"user": user_ref(user), "by": user_ref(by), "banned": banned}


def room_ref(room: Any) -> RoomRef:
    return {"id": room.pk, "name": room.name}


def room_policy(room: Any, policy: Any) -> dict[str, Any]:
    return {
        "room": {
            "id": room.pk,
            "posting": policy.posting,
            "slow_mode_seconds": policy.slow_mode_seconds,
        }
    }


def messages_moved(
    *,
    ids: list[int],
    from_room: Any,
    to_room: Any,
    thread: int | None,
    by: Any,
    reason: str,
) -> MessagesMoved:
    return {
        "messages": ids,
        "from_room": room_ref(from_room) if from_room is not None else None,
        "to_room": room_ref(to_room) if to_room is not None else None,
        "thread": thread,
        "by": user_ref(by),
        "reason": reason,
    }


def message_moved_away(data: dict) -> dict:
    """What an earlier event about a message moved to another room still shows on replay."""
    redacted = dict(data)
    if "body" in redacted:
        redacted["body"] = ""
    for key in ("documents", "files", "mentions"):
        if key in redacted:
            redacted[key] = []
    redacted["moved"] = True
    return redacted


def report_dict(report: Any, *, for_moderator: bool, room_known: bool = True) -> dict[str, Any]:
    """A report as moderators (with the reporter) or its reporter see it.

    ``room_known`` False: the message was since moved to a room the reporter may not read,
    which is then not named to them.
    """
    out: dict[str, Any] = {
        "id": report.pk,
        "room": room_ref(report.room) if room_known else {"id": 0, "name": ""},
        "message": report.message_id,
        "reason": report.reason,
        "status": report.status,
        "note": report.note,
        "created_at": iso(report.created_at),
        "handled_at": iso(report.handled_at),
    }
    if for_moderator:
        out["reporter"] = user_ref(report.reporter)
        message = report.message
        out["author"] = user_ref(message.author)
        out["excerpt"] = "" if message.deleted_at else message.body[:280]
        out["handled_by"] = user_ref(report.handled_by) if report.handled_by_id else None
    return out
