"""Bot sockets: a bot follows only the rooms it was granted with the right to read."""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async

from backend.integrations import services as integrations
from tests.realtime.test_consumer import is_event, make_room, send

pytestmark = pytest.mark.django_db(transaction=True)


@database_sync_to_async
def granted_bot(owner, room, **rights):  # type: ignore[no-untyped-def]
    result = integrations.bot_create(actor=owner, name="Vigie")
    integrations.bot_grant(actor=owner, bot_id=result.record.user_id, room_id=room.pk, **rights)
    return result.token


async def test_a_bot_granted_reading_receives_the_rooms_events(connect, alice):
    room = await make_room(alice)
    token = await granted_bot(alice, room)
    bot = await connect(token=token)
    member = await connect(alice)

    assert [r["id"] for r in bot.hello["rooms"]] == [room.pk]
    await send(alice, room, "Bonjour Vigie")
    frame = await bot.recv_until(is_event("message.created"))
    assert frame["data"]["body"] == "Bonjour Vigie"
    await member.recv_until(is_event("message.created"))
    await bot.close()
    await member.close()


async def test_a_bot_granted_posting_only_receives_nothing_from_the_room(connect, alice):
    room = await make_room(alice)
    token = await granted_bot(alice, room, can_read=False)
    bot = await connect(token=token)
    member = await connect(alice)

    assert bot.hello["rooms"] == []
    ack = await bot.request({"type": "message.send", "room": room.pk, "body": "Alerte"})
    assert ack["type"] == "ack"
    await member.recv_until(is_event("message.created"))
    await send(alice, room, "Reçu")
    await member.recv_until(is_event("message.created"))
    synced = await bot.request({"type": "sync", "since": {str(room.pk): 0}})
    assert synced["not_found"] == [room.pk]
    await bot.assert_silent()
    await bot.close()
    await member.close()
