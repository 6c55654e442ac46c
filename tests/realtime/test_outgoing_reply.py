"""An outgoing webhook's answer reaches the room's sockets live, and outsiders see nothing."""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async

from backend.integrations import delivery, outgoing
from backend.integrations import services as integrations
from tests.realtime.test_consumer import is_event, make_room, send
from tests.receiver import Answer, start_receiver

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def receiver():
    state, server = start_receiver()
    yield state
    server.shutdown()
    server.server_close()


@database_sync_to_async
def bot_with_outgoing_hook(owner, room, url):  # type: ignore[no-untyped-def]
    bot = integrations.bot_create(actor=owner, name="Vigie").record.user
    integrations.bot_grant(actor=owner, bot_id=bot.pk, room_id=room.pk)
    return outgoing.outgoing_create(actor=owner, bot_id=bot.pk, url=url).secret


async def test_the_bots_reply_in_the_response_body_appears_live_in_the_room(
    connect, alice, outsider, receiver
):
    room = await make_room(alice)
    secret = await bot_with_outgoing_hook(alice, room, receiver.url)
    receiver.answers = [Answer(body={"text": "Sauvegarde relancée ✅"})]
    member = await connect(alice)
    stranger = await connect(outsider)

    await send(alice, room, "@Vigie relance la sauvegarde")
    await member.recv_until(is_event("message.created"))
    await database_sync_to_async(delivery.deliver_due)()

    frame = await member.recv_until(is_event("message.created"))
    assert frame["data"]["body"] == "Sauvegarde relancée ✅"
    assert frame["data"]["author"]["name"] == "Vigie" and frame["data"]["author"]["is_bot"]
    assert receiver.received[0].signed_with(secret)
    await stranger.assert_silent()
    await member.close()
    await stranger.close()
