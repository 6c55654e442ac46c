"""The /ws/v1/ protocol, frame by frame: members receive, outsiders receive nothing."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from channels.db import database_sync_to_async

from backend.accounts import services as accounts
from backend.messaging import services as messaging
from backend.rooms import services as rooms

pytestmark = pytest.mark.django_db(transaction=True)


def is_event(kind: str) -> Any:
    return lambda f: f.get("type") == "event" and f.get("event") == kind


@database_sync_to_async
def make_room(owner, **fields):  # type: ignore[no-untyped-def]
    defaults = {"name": "Salon", "kind": "private", "access": "invite"}
    return rooms.room_create(actor=owner, **{**defaults, **fields}).room


@database_sync_to_async
def add_member(room, owner, user):  # type: ignore[no-untyped-def]
    if room.access == "invite":
        rooms.room_invite(actor=owner, room_id=room.pk, user_id=user.pk)
    rooms.room_join(actor=user, room_id=room.pk)


@database_sync_to_async
def send(user, room, body, **kw):  # type: ignore[no-untyped-def]
    return messaging.message_send(actor=user, room_id=room.pk, body=body, **kw).message


async def test_hello_lists_member_rooms_with_their_last_seq(connect, alice, bob):
    room = await make_room(alice)
    await add_member(room, alice, bob)
    client = await connect(alice)
    assert client.hello["user"] == {"id": alice.pk, "name": "Alice Martin"}
    assert client.hello["rooms"] == [
        {"id": room.pk, "seq": 3, "read": 0, "unread": 0, "mentions": 0}
    ]


async def test_message_in_private_room_reaches_members_and_never_outsiders(
    connect, alice, bob, outsider, make_agent, org
):
    colleague_not_invited = await database_sync_to_async(make_agent)(org)
    room = await make_room(alice)
    await add_member(room, alice, bob)
    a, b = await connect(alice), await connect(bob)
    o, c = await connect(outsider), await connect(colleague_not_invited)
    ack = await a.request(
        {"type": "message.send", "room": room.pk, "body": "Bonjour", "client_id": "m1"}
    )
    assert ack["type"] == "ack" and ack["message"]["seq"] == 4
    for member in (a, b):
        frame = await member.recv_until(is_event("message.created"))
        assert frame["room"] == room.pk and frame["seq"] == 4
        data = frame["data"]
        assert data["body"] == "Bonjour" and data["author"] == {
            "id": alice.pk,
            "name": "Alice Martin",
            "level": 1,
        }
        assert data["client_id"] == "m1" and data["thread"] is None and data["documents"] == []
        assert data["created_at"].endswith("Z")
    await o.assert_silent()
    await c.assert_silent()


async def test_json_and_msgpack_clients_receive_the_same_events(connect, alice, bob):
    room = await make_room(alice)
    await add_member(room, alice, bob)
    text_client, binary_client = await connect(alice), await connect(bob, binary=True)
    assert binary_client.ws.scope["subprotocols"] == ["preau.v1.msgpack"]
    ack = await binary_client.request({"type": "message.send", "room": room.pk, "body": "é ✓"})
    assert ack["type"] == "ack"
    from_text = await text_client.recv_until(is_event("message.created"))
    from_binary = await binary_client.recv_until(is_event("message.created"))
    assert from_text == from_binary


async def test_sync_replays_missed_events_once_in_order_with_edits_and_deletions(
    connect, alice, bob
):
    room = await make_room(alice)
    await add_member(room, alice, bob)
    client = await connect(bob)
    last = client.hello["rooms"][0]["seq"]
    await client.close()
    sent = [await send(alice, room, f"m{i}") for i in range(5)]
    await database_sync_to_async(messaging.message_edit)(
        actor=alice, message_id=sent[0].pk, body="m0 bis"
    )
    await database_sync_to_async(messaging.message_delete)(actor=alice, message_id=sent[1].pk)
    again = await connect(bob)
    await again.send({"type": "sync", "since": {str(room.pk): last}, "ref": "s"})
    frames = []
    while (frame := await again.recv())["type"] != "ack":
        if frame["type"] == "event":
            frames.append(frame)
    assert frame == {"type": "ack", "ref": "s", "limited": []}
    assert [f["seq"] for f in frames] == list(range(last + 1, last + 8))
    assert [f["event"] for f in frames] == ["message.created"] * 5 + [
        "message.edited",
        "message.deleted",
    ]
    assert frames[1]["data"]["body"] == "" and frames[1]["data"]["deleted"] is True
    assert frames[5]["data"]["body"] == "m0 bis"
    await alice_sends_more(alice, room)
    live = await again.recv_until(is_event("message.created"))
    assert live["seq"] == last + 8
    await again.assert_silent()


async def alice_sends_more(alice, room):  # type: ignore[no-untyped-def]
    await send(alice, room, "encore")


async def test_sync_frames_precede_the_ack(connect, alice, bob):
    room = await make_room(alice)
    await add_member(room, alice, bob)
    client = await connect(bob)
    last = client.hello["rooms"][0]["seq"]
    await client.close()
    for i in range(3):
        await send(alice, room, f"m{i}")
    again = await connect(bob)
    await again.send({"type": "sync", "since": {str(room.pk): last}, "ref": "s"})
    frames = []
    while True:
        frame = await again.recv()
        frames.append(frame)
        if frame.get("ref") == "s":
            break
    seqs = [f["seq"] for f in frames if f["type"] == "event"]
    assert seqs == [last + 1, last + 2, last + 3]
    await again.assert_silent()


async def test_sync_names_rooms_whose_backlog_was_cut_as_limited(connect, alice, bob, monkeypatch):
    from realtime import consumers

    monkeypatch.setattr(consumers, "SYNC_PAGE", 3)
    room = await make_room(alice)
    await add_member(room, alice, bob)
    for i in range(6):
        await send(alice, room, f"m{i}")
    client = await connect(bob)
    await client.send({"type": "sync", "since": {str(room.pk): 0}, "ref": "s"})
    frames = []
    while (frame := await client.recv())["type"] != "ack":
        if frame["type"] == "event":
            frames.append(frame)
    assert frame["limited"] == [room.pk]
    assert [f["seq"] for f in frames] == [7, 8, 9]


async def test_sync_of_a_room_the_user_cannot_read_sends_nothing_about_it(connect, alice, outsider):
    room = await make_room(alice)
    await send(alice, room, "secret")
    client = await connect(outsider)
    ack = await client.request({"type": "sync", "since": {str(room.pk): 0}})
    assert ack["type"] == "ack" and ack["not_found"] == [room.pk]
    await client.assert_silent()


async def test_edit_and_delete_reach_members_only(connect, alice, bob, outsider):
    room = await make_room(alice)
    await add_member(room, alice, bob)
    message = await send(alice, room, "v1")
    a, b, o = await connect(alice), await connect(bob), await connect(outsider)
    ack = await a.request({"type": "message.edit", "message": message.pk, "body": "v2"})
    assert ack["type"] == "ack"
    edited = await b.recv_until(is_event("message.edited"))
    assert edited["data"]["body"] == "v2" and edited["data"]["id"] == message.pk
    denied = await b.request({"type": "message.delete", "message": message.pk})
    assert denied["code"] == "forbidden"
    ack = await a.request({"type": "message.delete", "message": message.pk})
    deleted = await b.recv_until(is_event("message.deleted"))
    assert deleted["data"]["id"] == message.pk
    await o.assert_silent()


async def test_idempotent_send_over_socket_and_rest_creates_one_message(connect, alice):
    room = await make_room(alice)
    first = await send(alice, room, "une fois", client_id="same")
    client = await connect(alice)
    ack = await client.request(
        {"type": "message.send", "room": room.pk, "body": "une fois", "client_id": "same"}
    )
    assert ack["message"] == {"id": first.pk, "seq": first.seq}
    await client.assert_silent()


@pytest.mark.parametrize(
    ("frame", "code"),
    [
        ("not json", "bad_request"),
        ("[1, 2]", "bad_request"),
        (json.dumps({"type": "no.such.frame"}), "bad_request"),
        (json.dumps({"type": "message.send", "body": "x"}), "bad_request"),
        (json.dumps({"type": "message.send", "room": "abc", "body": "x"}), "bad_request"),
        (json.dumps({"type": "message.send", "room": 10**9, "body": "x"}), "not_found"),
        (json.dumps({"type": "message.send", "room": 1, "body": 5}), "bad_request"),
        (json.dumps({"type": "message.edit", "message": 10**9, "body": "x"}), "not_found"),
        (json.dumps({"type": "sync", "since": [1]}), "bad_request"),
        (json.dumps({"type": "subscribe", "room": -1}), "bad_request"),
        (json.dumps({"type": "presence", "status": "sleeping"}), "bad_request"),
    ],
)
async def test_bad_frames_get_an_error_and_the_connection_stays_usable(connect, alice, frame, code):
    client = await connect(alice)
    await client.ws.send_to(text_data=frame)
    error = await client.recv()
    assert error["type"] == "error" and error["code"] == code, error
    assert error["message"]
    pong = await client.request({"type": "ping"})
    assert pong["type"] == "pong"


async def test_forbidden_room_send_is_refused_and_writes_nothing(connect, alice, outsider):
    room = await make_room(alice)
    client = await connect(outsider)
    error = await client.request({"type": "message.send", "room": room.pk, "body": "intrus"})
    assert error["code"] == "not_found"
    assert await database_sync_to_async(lambda: room.messages.count())() == 0


async def test_body_over_ten_thousand_characters_is_refused_not_truncated(connect, alice):
    room = await make_room(alice)
    client = await connect(alice)
    error = await client.request({"type": "message.send", "room": room.pk, "body": "x" * 10_001})
    assert error["code"] == "too_large"
    ok = await client.request({"type": "message.send", "room": room.pk, "body": "x" * 10_000})
    assert ok["type"] == "ack"


async def test_frame_over_64_kib_closes_with_1009(connect, alice):
    client = await connect(alice)
    await client.ws.send_to(text_data=json.dumps({"type": "ping", "pad": "x" * (64 * 1024)}))
    closed = await client.recv_until(lambda f: f["type"] == "__closed__")
    assert closed["code"] == 1009


async def test_flooding_gets_rate_limited_then_closed_with_4429(connect, alice):
    client = await connect(alice)
    for _ in range(200):
        await client.ws.send_to(text_data='{"type":"ping"}')
    frames = []
    while (frame := await client.recv())["type"] != "__closed__":
        frames.append(frame)
    assert frame["code"] == 4429
    assert any(f.get("code") == "rate_limited" for f in frames)


async def test_subscribe_follows_an_open_room_read_only(connect, alice, outsider, themes):
    room = await make_room(alice, name="Finances", kind="thematic", access="open", theme="finances")
    client = await connect(outsider)
    ack = await client.request({"type": "subscribe", "room": room.pk})
    assert ack == {"type": "ack", "ref": ack["ref"], "room": room.pk, "seq": 1}
    await send(alice, room, "public")
    frame = await client.recv_until(is_event("message.created"))
    assert frame["data"]["body"] == "public"
    refused = await client.request(
        {"type": "message.send", "room": room.pk, "body": "lecture seule"}
    )
    assert refused["code"] == "forbidden"
    await client.request({"type": "unsubscribe", "room": room.pk})
    await send(alice, room, "plus pour toi")
    await client.assert_silent()


async def test_subscribing_to_a_private_room_is_not_found(connect, alice, outsider):
    room = await make_room(alice)
    client = await connect(outsider)
    error = await client.request({"type": "subscribe", "room": room.pk})
    assert error["code"] == "not_found"
    await send(alice, room, "secret")
    await client.assert_silent()


async def test_typing_reaches_members_only(connect, alice, bob, outsider):
    room = await make_room(alice)
    await add_member(room, alice, bob)
    a, b, o = await connect(alice), await connect(bob), await connect(outsider)
    await a.send({"type": "typing", "room": room.pk})
    frame = await b.recv_until(lambda f: f["type"] == "typing")
    assert frame == {
        "type": "typing",
        "room": room.pk,
        "user": {"id": alice.pk, "name": "Alice Martin"},
    }
    await o.assert_silent(
        allow=lambda f: f["type"] == "presence" and f["user"]["id"] == outsider.pk
    )
    refused = await o.request({"type": "typing", "room": room.pk})
    assert refused["code"] == "not_found"


async def test_typing_is_throttled_per_room(connect, alice, bob):
    room = await make_room(alice)
    await add_member(room, alice, bob)
    a, b = await connect(alice), await connect(bob)
    for _ in range(5):
        await a.send({"type": "typing", "room": room.pk})
    await b.recv_until(lambda f: f["type"] == "typing")
    await b.assert_silent(allow=lambda f: f["type"] == "presence")


async def test_presence_changes_reach_people_sharing_a_room_only(connect, alice, bob, outsider):
    room = await make_room(alice)
    await add_member(room, alice, bob)
    b, o = await connect(bob), await connect(outsider)
    a = await connect(alice)
    online = await b.recv_until(lambda f: f["type"] == "presence" and f["user"]["id"] == alice.pk)
    assert online["status"] == "online"
    ack = await a.request({"type": "presence", "status": "dnd"})
    assert ack["status"] == "dnd"
    dnd = await b.recv_until(lambda f: f["type"] == "presence" and f["user"]["id"] == alice.pk)
    assert dnd["status"] == "dnd"
    await a.close()
    offline = await b.recv_until(lambda f: f["type"] == "presence" and f["user"]["id"] == alice.pk)
    assert offline["status"] == "offline"
    await o.assert_silent()


async def test_read_marker_is_acked_and_reaches_the_users_other_devices_only(connect, alice, bob):
    room = await make_room(alice)
    await add_member(room, alice, bob)
    message = await send(alice, room, "lu ?")
    phone, laptop, other = await connect(bob), await connect(bob), await connect(alice)
    ack = await phone.request({"type": "read", "room": room.pk, "seq": message.seq})
    assert ack["seq"] == message.seq
    frame = await laptop.recv_until(lambda f: f["type"] == "read")
    assert frame == {"type": "read", "room": room.pk, "seq": message.seq}
    await other.assert_silent()


async def test_leaving_a_room_stops_delivery_on_every_connection_at_once(connect, alice, bob):
    room = await make_room(alice)
    await add_member(room, alice, bob)
    one, two = await connect(bob), await connect(bob)
    await database_sync_to_async(rooms.room_leave)(actor=bob, room_id=room.pk)
    for client in (one, two):
        await client.recv_until(lambda f: f["type"] == "unsubscribed" and f["room"] == room.pk)
    await send(alice, room, "après ton départ")
    for client in (one, two):
        await client.assert_silent(
            allow=lambda f: (
                f["type"] in ("unsubscribed", "event") and f.get("event") != "message.created"
            )
        )


async def test_joining_a_room_subscribes_open_connections(connect, alice, bob):
    room = await make_room(alice)
    client = await connect(bob)
    await add_member(room, alice, bob)
    subscribed = await client.recv_until(lambda f: f["type"] == "subscribed")
    assert subscribed["room"] == room.pk
    await send(alice, room, "bienvenue")
    frame = await client.recv_until(is_event("message.created"))
    assert frame["data"]["body"] == "bienvenue"


async def test_revoked_token_closes_its_open_socket_with_4401(connect, alice):
    result = await database_sync_to_async(accounts.token_create)(user=alice)
    client = await connect(token=result.token)
    other = await connect(alice)
    await database_sync_to_async(accounts.token_revoke)(actor=alice, token_id=result.record.pk)
    closed = await client.recv_until(lambda f: f["type"] == "__closed__")
    assert closed["code"] == 4401
    pong = await other.request({"type": "ping"})
    assert pong["type"] == "pong"
    refused = await connect(token=result.token, expect_hello=False)
    assert getattr(refused, "refused", False)


async def test_no_credentials_or_a_bad_token_is_refused_at_the_handshake(connect):
    assert getattr(await connect(expect_hello=False), "refused", False)
    assert getattr(await connect(token="preau_nope", expect_hello=False), "refused", False)


@database_sync_to_async
def session_cookie(user) -> str:  # type: ignore[no-untyped-def]
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


async def test_cookie_socket_needs_the_sites_own_origin(connect, alice):
    key = await session_cookie(alice)
    cookie = (b"cookie", f"sessionid={key}".encode())
    host = (b"host", b"preau.example.fr")
    good = await connect(headers=[cookie, host, (b"origin", b"https://preau.example.fr")])
    assert good.hello["user"]["id"] == alice.pk
    for origin in (b"https://evil.example", b"null"):
        refused = await connect(headers=[cookie, host, (b"origin", origin)], expect_hello=False)
        assert getattr(refused, "refused", False)
    no_origin = await connect(headers=[cookie, host], expect_hello=False)
    assert getattr(no_origin, "refused", False)


async def test_logout_closes_that_sessions_sockets_with_4401(connect, alice):
    key = await session_cookie(alice)
    headers = [
        (b"cookie", f"sessionid={key}".encode()),
        (b"host", b"testserver"),
        (b"origin", b"http://testserver"),
    ]
    client = await connect(headers=headers)
    token_socket = await connect(alice)
    from realtime import publish

    await database_sync_to_async(publish.session_ended)(user_id=alice.pk, session_key=key)
    closed = await client.recv_until(lambda f: f["type"] == "__closed__")
    assert closed["code"] == 4401
    assert (await token_socket.request({"type": "ping"}))["type"] == "pong"


async def test_events_arrive_in_seq_order_under_concurrent_senders(connect, alice, bob):
    room = await make_room(alice)
    await add_member(room, alice, bob)
    client = await connect(bob)

    async def burst(user, tag):  # type: ignore[no-untyped-def]
        for i in range(10):
            await send(user, room, f"{tag}{i}")

    await asyncio.gather(burst(alice, "a"), burst(bob, "b"))
    seqs = []
    while len(seqs) < 20:
        frame = await client.recv_until(is_event("message.created"))
        seqs.append(frame["seq"])
    assert seqs == list(range(seqs[0], seqs[0] + 20))


async def test_rest_presence_lists_online_members_to_readers_only(
    connect, alice, bob, outsider, api_for
):
    room = await make_room(alice)
    await add_member(room, alice, bob)
    await connect(alice)
    a_api = await database_sync_to_async(api_for)(alice)
    o_api = await database_sync_to_async(api_for)(outsider)
    response = await database_sync_to_async(a_api.get)(f"/rooms/{room.pk}/presence")
    assert response.status_code == 200
    assert response.json_body == {
        "room": room.pk,
        "online_count": 1,
        "online": [{"id": alice.pk, "name": "Alice Martin", "status": "online"}],
    }
    hidden = await database_sync_to_async(o_api.get)(f"/rooms/{room.pk}/presence")
    assert hidden.status_code == 404 and hidden.json_body["code"] == "not_found"


async def test_a_client_that_does_not_keep_up_is_cut_off_to_resync(
    connect, alice, bob, monkeypatch
):
    from realtime import consumers

    monkeypatch.setattr(consumers, "SEND_QUEUE_MAX", 5)
    room = await make_room(alice)
    await add_member(room, alice, bob)
    slow = await connect(bob)
    stalled = asyncio.Event()

    async def never_writes(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        await stalled.wait()

    monkeypatch.setattr(consumers.Connection, "send", never_writes)
    for i in range(8):
        await send(alice, room, f"m{i}")
    from realtime.hub import get_hub

    hub = get_hub()
    for _ in range(100):
        if not any(c.user_id == bob.pk for c in hub.rooms.get(room.pk, ())) or all(
            c.closing for c in hub.rooms.get(room.pk, ()) if c.user_id == bob.pk
        ):
            break
        await asyncio.sleep(0.02)
    assert all(c.closing for c in hub.rooms.get(room.pk, ()) if c.user_id == bob.pk)
    monkeypatch.undo()
    stalled.set()
    closed = await slow.recv_until(lambda f: f["type"] == "__closed__")
    assert closed["code"] == 4408


async def test_simultaneous_connections_per_user_are_capped(connect, alice, monkeypatch):
    from realtime import consumers

    monkeypatch.setattr(consumers, "MAX_CONNECTIONS_PER_USER", 2)
    await connect(alice)
    await connect(alice)
    third = await connect(alice, expect_hello=False)
    error = await third.recv()
    assert error["code"] == "rate_limited"
    closed = await third.recv()
    assert closed == {"type": "__closed__", "code": 4429}


async def test_reactions_over_the_socket_reach_members_only(connect, alice, bob, outsider):
    room = await make_room(alice)
    await add_member(room, alice, bob)
    message = await send(alice, room, "Bonjour")
    a, b, o = await connect(alice), await connect(bob), await connect(outsider)
    ack = await b.request({"type": "reaction.add", "message": message.pk, "emoji": "👍"})
    assert ack["changed"] is True
    frame = await a.recv_until(is_event("reaction.added"))
    assert frame["data"] == {
        "message": message.pk,
        "emoji": "👍",
        "user": {"id": bob.pk, "name": "Bob Durand"},
    }
    ack = await b.request({"type": "reaction.remove", "message": message.pk, "emoji": "👍"})
    await a.recv_until(is_event("reaction.removed"))
    refused = await o.request({"type": "reaction.add", "message": message.pk, "emoji": "👍"})
    assert refused["code"] == "not_found"
    bad = await b.request({"type": "reaction.add", "message": message.pk, "emoji": "<script>"})
    assert bad["code"] == "bad_request"
    await o.assert_silent()


async def test_unread_counts_stay_right_across_two_devices_and_after_a_deletion(
    connect, alice, bob
):
    room = await make_room(alice)
    await add_member(room, alice, bob)
    first = await send(alice, room, "un")
    second = await send(alice, room, f"@{bob.name} deux")
    phone, laptop = await connect(bob), await connect(bob)
    entry = phone.hello["rooms"][0]
    assert (entry["unread"], entry["mentions"]) == (2, 1)
    await phone.request({"type": "read", "room": room.pk, "seq": first.seq})
    moved = await laptop.recv_until(lambda f: f["type"] == "read")
    assert moved["seq"] == first.seq
    await database_sync_to_async(messaging.message_delete)(actor=alice, message_id=second.pk)
    third = await connect(bob)
    entry = third.hello["rooms"][0]
    assert (entry["read"], entry["unread"], entry["mentions"]) == (first.seq, 0, 0)


async def test_a_read_marker_never_moves_back(connect, alice, bob):
    room = await make_room(alice)
    await add_member(room, alice, bob)
    message = await send(alice, room, "un")
    client = await connect(bob)
    assert (await client.request({"type": "read", "room": room.pk, "seq": message.seq}))[
        "seq"
    ] == message.seq
    assert (await client.request({"type": "read", "room": room.pk, "seq": 1}))["seq"] == message.seq
