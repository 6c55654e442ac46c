"""Direct conversations over the socket: participants only, live from the first message."""

from __future__ import annotations

from typing import Any

import pytest
from channels.db import database_sync_to_async

from backend.direct import services as direct
from backend.messaging.models import Message

pytestmark = pytest.mark.django_db(transaction=True)


def is_event(kind: str) -> Any:
    return lambda f: f.get("type") == "event" and f.get("event") == kind


async def test_a_new_conversation_reaches_its_participants_live_and_nobody_else(
    connect, alice, bob, outsider, make_agent, org
):
    colleague = await database_sync_to_async(make_agent)(org, name="Collègue")
    staff = await database_sync_to_async(make_agent)(org, name="Équipe", staff=True)
    a, b = await connect(alice), await connect(bob)
    others = [await connect(colleague), await connect(staff), await connect(outsider)]

    room = (await database_sync_to_async(direct.direct_open)(actor=alice, user_ids=[bob.pk])).room

    for participant in (a, b):
        told = await participant.recv_until(lambda f: f.get("type") == "subscribed")
        assert told["room"] == room.pk
    ack = await a.request(
        {"type": "message.send", "room": room.pk, "body": "Bonjour Bob", "client_id": "d1"}
    )
    assert ack["type"] == "ack"
    frame = await b.recv_until(is_event("message.created"))
    assert (frame["room"], frame["data"]["body"]) == (room.pk, "Bonjour Bob")
    for other in others:
        await other.assert_silent()
        refused = await other.request({"type": "subscribe", "room": room.pk})
        assert refused["code"] == "not_found"
        synced = await other.request({"type": "sync", "since": {str(room.pk): 0}})
        assert synced["type"] == "ack" and synced["not_found"] == [room.pk]
        sent = await other.request({"type": "message.send", "room": room.pk, "body": "intrus"})
        assert sent["code"] == "not_found"
        await other.assert_silent()
    await a.assert_silent(allow=lambda f: f.get("type") in ("event", "presence", "typing"))


async def test_a_blocked_participant_cannot_post_and_the_blocker_hears_nothing(connect, alice, bob):
    room = (await database_sync_to_async(direct.direct_open)(actor=alice, user_ids=[bob.pk])).room
    await database_sync_to_async(direct.block_add)(actor=alice, user_id=bob.pk)
    a, b = await connect(alice), await connect(bob)

    refused = await b.request({"type": "message.send", "room": room.pk, "body": "Encore"})

    assert (refused["type"], refused["code"], refused["reason"]) == (
        "error",
        "forbidden",
        "blocked",
    )
    await a.assert_silent(allow=lambda f: f.get("type") == "presence")
    assert await database_sync_to_async(Message.objects.filter(room=room).count)() == 0
