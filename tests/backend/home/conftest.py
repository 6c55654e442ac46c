"""Home fixtures: Alice's private room where Bob is a member; Olivia (outsider) reads nothing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from backend.accounts.models import User
from backend.home import selectors
from backend.integrations import announcements
from backend.messaging import services as messaging
from backend.messaging.models import Message
from backend.rooms.models import Room


def home(user: User, **kw: Any) -> dict[str, Any]:
    return selectors.home_page_for(user=user, **kw)


def kinds(user: User, kind: str) -> list[dict[str, Any]]:
    return [i for i in home(user)["items"] if i["kind"] == kind]


def post(user: User, room: Room, body: str, **kw: Any) -> Message:
    return messaging.message_send(actor=user, room_id=room.pk, body=body, **kw).message


def announce(user: User, room_ids: list[int], body: str) -> int:
    audience = announcements.audience_resolve(rooms=room_ids)
    return announcements.announcement_send(actor=user, body=body, audience=audience).announcement.pk


@pytest.fixture
def posting() -> Callable[..., Message]:
    return post
