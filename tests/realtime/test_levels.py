"""A member's level change reaches their sockets and their rooms' readers, nobody else."""

from __future__ import annotations

from typing import Any

import pytest
from channels.db import database_sync_to_async

from backend.messaging import services as messaging
from backend.rooms import services as rooms

pytestmark = pytest.mark.django_db(transaction=True)


def is_level(f: dict[str, Any]) -> bool:
    return f.get("type") == "member.level"


@database_sync_to_async
def setup(alice, bob, settings):  # type: ignore[no-untyped-def]
    room = rooms.room_create(actor=alice, name="Entraide", kind="private", access="invite").room
    rooms.room_invite(actor=alice, room_id=room.pk, user_id=bob.pk)
    rooms.room_join(actor=bob, room_id=room.pk)
    settings.PREAU = {**settings.PREAU, "LEVEL_THRESHOLDS": [5, 7, 200, 1000]}
    question = messaging.message_send(actor=alice, room_id=room.pk, body="Une question ?").message
    reply = messaging.message_send(actor=bob, room_id=room.pk, body="R", thread=question.pk)
    return room, reply.message


async def test_a_level_change_is_delivered_live(connect, alice, bob, outsider, settings):
    room, reply = await setup(alice, bob, settings)
    a, b, o = await connect(alice), await connect(bob), await connect(outsider)
    for client in (a, b, o):
        assert (await client.request({"type": "ping", "ref": "p"}))["type"] == "pong"
    await database_sync_to_async(messaging.reaction_add)(
        actor=alice, message_id=reply.pk, emoji="👍"
    )
    own = await b.recv_until(is_level)
    assert own["user"]["id"] == bob.pk
    assert own["level"] == 2
    assert own["label"] == "membre actif"
    assert own["points"] == 7
    seen = await a.recv_until(is_level)
    assert seen["user"]["id"] == bob.pk
    assert seen["level"] == 2
    assert seen["points"] is None  # others see the level, not the points
    await o.assert_silent()


async def test_no_event_when_the_level_stays(connect, alice, bob, outsider, settings):
    room, reply = await setup(alice, bob, settings)
    settings.PREAU = {**settings.PREAU, "LEVEL_THRESHOLDS": [10, 50, 200, 1000]}
    a, b = await connect(alice), await connect(bob)
    await database_sync_to_async(messaging.reaction_add)(
        actor=alice, message_id=reply.pk, emoji="👍"
    )
    await a.recv_until(lambda f: f.get("event") == "reaction.added")
    await b.assert_silent(allow=lambda f: f.get("type") == "event")
