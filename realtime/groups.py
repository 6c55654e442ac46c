"""Bus channel names, built in one place from integer ids only."""

from __future__ import annotations

from django.conf import settings


def _prefix() -> str:
    return settings.PREAU_BUS_PREFIX


def room_channel(room_id: int) -> str:
    return f"{_prefix()}:room:{int(room_id)}"


def user_channel(user_id: int) -> str:
    return f"{_prefix()}:user:{int(user_id)}"


def parse_channel(name: str) -> tuple[str, int] | None:
    parts = name.split(":")
    if len(parts) != 3 or parts[0] != _prefix() or parts[1] not in ("room", "user"):
        return None
    try:
        return parts[1], int(parts[2])
    except ValueError:
        return None
