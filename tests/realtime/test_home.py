"""Home items and the seen mark reach the concerned user's sockets, and nobody else's."""

from __future__ import annotations

from typing import Any

import pytest
from channels.db import database_sync_to_async

from backend.home import services as home
from backend.messaging import services as messaging
from backend.rooms import services as rooms

pytestmark = pytest.mark.django_db(transaction=True)


def is_item(f: dict[str, Any]) -> bool:
    return f.get("type") == "home.item"


def not_home(f: dict[str, Any]) -> bool:
    """Room events and presence, which a room's members hear anyway."""
    return f.get("type") in ("event", "presence")


@database_sync_to_async
def shared_room(alice, bob):  # type: ignore[no-untyped-def]
    room = rooms.room_create(actor=alice, name="Cellule", kind="private", access="invite").room
    rooms.room_invite(actor=alice, room_id=room.pk, user_id=bob.pk)
    rooms.room_join(actor=bob, room_id=room.pk)
    return room


async def test_a_mention_reaches_the_mentioned_sockets_only(connect, alice, bob, outsider):
    room = await shared_room(alice, bob)
    a, b, o = await connect(alice), await connect(bob), await connect(outsider)

    message = await database_sync_to_async(messaging.message_send)(
        actor=alice, room_id=room.pk, body="@Bob Durand tu as vu ?"
    )

    frame = await b.recv_until(is_item)
    assert frame["item"]["id"] == f"mention:{message.message.pk}"
    assert frame["item"]["kind"] == "mention"
    assert frame["item"]["room"] == {"id": room.pk, "name": "Cellule"}
    await a.assert_silent(allow=not_home)  # the author gets no home item
    await o.assert_silent()


async def test_marking_seen_tells_the_users_other_tabs_only(connect, alice, bob, outsider):
    b1, b2, a = await connect(bob), await connect(bob), await connect(alice)

    result = await database_sync_to_async(home.home_seen_mark)(actor=bob)

    for tab in (b1, b2):
        frame = await tab.recv_until(lambda f: f.get("type") == "home.seen")
        assert frame["unseen"] == result.unseen
    await a.assert_silent()


async def test_an_announcement_reaches_members_not_outsiders(connect, alice, bob, outsider):
    from backend.integrations import announcements

    room = await shared_room(alice, bob)
    b, o = await connect(bob), await connect(outsider)

    def send() -> int:
        audience = announcements.audience_resolve(rooms=[room.pk])
        return announcements.announcement_send(
            actor=alice, body="Fermeture vendredi", audience=audience
        ).announcement.pk

    announcement_id = await database_sync_to_async(send)()

    frame = await b.recv_until(is_item)
    assert frame["item"]["id"] == f"announcement:{announcement_id}"
    await o.assert_silent()
