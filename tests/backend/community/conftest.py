from __future__ import annotations

from typing import Any

import pytest

from backend.rooms import services as rooms
from backend.rooms.models import Room


@pytest.fixture
def gates(settings: Any) -> dict[str, Any]:
    """The production gates (the suite's settings lift them for agents with no history), with
    a low level-2 threshold so that a few contributions reach it."""
    settings.PREAU = {
        **settings.PREAU,
        "LEVEL_FOR_LINKS": 2,
        "LEVEL_FOR_ROOMS": 2,
        "NEW_MEMBER_MESSAGES_PER_MINUTE": 5,
        "LEVEL_THRESHOLDS": [5, 7, 200, 1000],
    }
    return settings.PREAU


@pytest.fixture
def room(alice: Any, bob: Any, outsider: Any, settings: Any) -> Room:
    """Created before the gates apply (alice is a new member), with bob as a member."""
    created = rooms.room_create(actor=alice, name="Entraide", kind="private", access="invite").room
    rooms.room_invite(actor=alice, room_id=created.pk, user_id=bob.pk)
    rooms.room_join(actor=bob, room_id=created.pk)
    return created
