"""Bot sockets: a bot follows only the rooms it was granted with the right to read."""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async
from django.conf import settings

from backend.accounts import services as accounts
from backend.accounts.models import ApiToken
from backend.integrations import ratelimit
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


async def test_the_owner_revoking_a_bot_token_closes_its_socket_with_4401(connect, alice):
    room = await make_room(alice)
    token = await granted_bot(alice, room)
    bot = await connect(token=token)
    token_id = await database_sync_to_async(
        lambda: ApiToken.objects.get(digest=accounts.token_digest(token)).pk
    )()

    await database_sync_to_async(accounts.token_revoke)(actor=alice, token_id=token_id)

    closed = await bot.recv_until(lambda f: f["type"] == "__closed__")
    assert closed["code"] == 4401
    refused = await connect(token=token, expect_hello=False)
    assert getattr(refused, "refused", False)


async def test_a_rotated_bot_token_still_opens_a_socket_during_the_grace_period(connect, alice):
    room = await make_room(alice)
    old = await granted_bot(alice, room)
    bot_id = await database_sync_to_async(lambda: accounts.token_authenticate(old).pk)()
    rotated = await database_sync_to_async(integrations.bot_token_rotate)(
        actor=alice, bot_id=bot_id
    )

    with_old = await connect(token=old)
    with_new = await connect(token=rotated.token.token)

    assert with_old.hello["user"]["id"] == with_new.hello["user"]["id"] == bot_id
    await with_old.close()
    await with_new.close()


async def test_sockets_of_a_rotated_token_close_with_4401_when_the_grace_period_ends(
    connect, alice, monkeypatch
):
    monkeypatch.setitem(settings.PREAU, "BOT_TOKEN_GRACE_SECONDS", 1)
    room = await make_room(alice)
    old = await granted_bot(alice, room)
    bot_id = await database_sync_to_async(lambda: accounts.token_authenticate(old).pk)()
    before = await connect(token=old)
    rotated = await database_sync_to_async(integrations.bot_token_rotate)(
        actor=alice, bot_id=bot_id
    )
    during = await connect(token=old)
    fresh = await connect(token=rotated.token.token)

    for sock in (before, during):
        closed = await sock.recv_until(lambda f: f["type"] == "__closed__", timeout=5)
        assert closed["code"] == 4401
    assert (await fresh.request({"type": "ping"}))["type"] == "pong"
    refused = await connect(token=old, expect_hello=False)
    assert getattr(refused, "refused", False)
    await fresh.close()


async def test_a_bot_posting_on_its_socket_is_held_to_the_bot_limit(connect, alice, monkeypatch):
    monkeypatch.setitem(settings.PREAU, "BOT_POSTS_PER_MINUTE", 2)
    ratelimit.reset_local()
    room = await make_room(alice)
    token = await granted_bot(alice, room)
    bot = await connect(token=token)
    member = await connect(alice)

    answers = [
        await bot.request({"type": "message.send", "room": room.pk, "body": f"Alerte {i}"})
        for i in range(3)
    ]

    assert [a["type"] for a in answers] == ["ack", "ack", "error"]
    assert answers[2]["code"] == "rate_limited" and answers[2]["message"]
    bodies = [(await member.recv_until(is_event("message.created")))["data"]["body"] for _ in "12"]
    assert bodies == ["Alerte 0", "Alerte 1"]
    await member.assert_silent()
    ack = await member.request({"type": "message.send", "room": room.pk, "body": "Humain"})
    assert ack["type"] == "ack"
    await bot.close()
    await member.close()
