"""The only realtime module the backend imports: publish after commit, never raise.

The bus is best effort. Every room event is already committed with its ``seq`` when it is
published, so a message lost here is recovered by the clients' ``sync``; a publish failure is
logged and counted, never turned into an error for the caller whose write succeeded.
"""

from __future__ import annotations

import hashlib
import json
import logging
from typing import Any

from backend.common import metrics

from . import bus
from .groups import room_channel, user_channel

log = logging.getLogger("preau.realtime.publish")


def _encode(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()


def _publish(channel: str, payload: dict[str, Any]) -> bool:
    try:
        bus.get_bus().publish(channel, _encode(payload))
    except Exception:  # the write is committed; clients recover by sync
        metrics.PUBLISH_FAILURES.inc()
        log.warning("publish to %s failed; clients will resync", channel, exc_info=True)
        return False
    return True


def room_event(frame: dict[str, Any]) -> None:
    """A committed room event frame (``type: event``) to everyone reading the room."""
    if _publish(room_channel(frame["room"]), frame):
        metrics.EVENTS_PUBLISHED.inc()


def room_ephemeral(*, room_id: int, frame: dict[str, Any]) -> None:
    """A frame without ``seq`` (not in the event log) for the room's current readers."""
    _publish(room_channel(room_id), frame)


def user_event(*, user_id: int, frame: dict[str, Any]) -> None:
    """A frame for every connection of one user (invitation, notification…)."""
    _publish(user_channel(user_id), {"control": "frame", "frame": frame})


def membership_changed(*, user_id: int, room_id: int, joined: bool) -> None:
    """Subscribe or unsubscribe every open connection of the user to the room."""
    _publish(user_channel(user_id), {"control": "membership", "room": room_id, "joined": joined})


def token_revoked(*, user_id: int, token_id: int) -> None:
    _publish(user_channel(user_id), {"control": "token_revoked", "token": token_id})


def token_expiring(*, user_id: int, token_ids: list[int], at: float) -> None:
    """Sockets opened with these tokens close when the grace period ends (epoch ``at``)."""
    _publish(user_channel(user_id), {"control": "token_expiring", "tokens": token_ids, "at": at})


def session_ended(*, user_id: int, session_key: str | None) -> None:
    """Close the sockets of one session (logout), or of every session when key is None."""
    _publish(
        user_channel(user_id),
        {"control": "session_ended", "session": session_tag(session_key) if session_key else None},
    )


def session_tag(session_key: str) -> str:
    """A short digest naming a session on the bus without carrying its key."""
    return hashlib.sha256(session_key.encode()).hexdigest()[:24]


def user_deactivated(*, user_id: int) -> None:
    _publish(user_channel(user_id), {"control": "deactivated"})


def presence_of(user_ids: list[int]) -> dict[int, str]:
    """Current presence of some users, across every process (read by the REST API)."""
    from .presence import get_store

    try:
        return get_store().statuses(user_ids)
    except Exception:  # Redis unreachable: nobody can be shown online
        log.warning("presence lookup failed", exc_info=True)
        return dict.fromkeys(user_ids, "offline")
