"""Random and malformed frames on the socket: no crash, an answer to each, nothing written."""

from __future__ import annotations

import json

import msgpack
import pytest
from channels.db import database_sync_to_async
from hypothesis import given
from hypothesis import strategies as st

from backend.messaging import services as messaging
from backend.rooms import services as rooms
from realtime.consumers import HANDLERS
from tests.backend.conftest import row_counts
from tests.strategies import FUZZ, json_values, near_miss_objects

pytestmark = pytest.mark.django_db(transaction=True)

FIELDS = [
    "type",
    "ref",
    "room",
    "rooms",
    "message",
    "body",
    "seq",
    "emoji",
    "client_id",
    "documents",
    "thread",
    "status",
    "after",
]
# A frame the client could send: its kind is any real one, its fields anything at all.
typed_frames = st.builds(
    lambda kind, rest: {**rest, "type": kind},
    st.sampled_from(sorted(HANDLERS)) | st.text(max_size=16),
    near_miss_objects(FIELDS),
)
frames = st.one_of(
    typed_frames.map(lambda f: ("json", f)),
    json_values.map(lambda v: ("json", v)),
    st.text(min_size=1, max_size=60).map(lambda t: ("text", t)),
    st.binary(min_size=1, max_size=60).map(lambda b: ("bytes", b)),
)

ALLOWED_CLOSE = {4429, 1009}


@pytest.fixture
async def shared_room(alice, bob):  # type: ignore[no-untyped-def]
    @database_sync_to_async
    def make():  # type: ignore[no-untyped-def]
        room = rooms.room_create(actor=alice, name="Salon", kind="private", access="invite").room
        rooms.room_invite(actor=alice, room_id=room.pk, user_id=bob.pk)
        messaging.message_send(actor=alice, room_id=room.pk, body="Bonjour")
        return room

    return await make()


@pytest.mark.parametrize("binary", [False, True], ids=["json", "msgpack"])
@FUZZ
@given(batch=st.lists(frames, min_size=1, max_size=6))
async def test_random_frames_never_crash_the_socket_and_refusals_write_nothing(
    connect, alice, shared_room, binary, batch
):
    client = await connect(alice, binary=binary)
    try:
        await _check(client, batch, binary)
    finally:
        await client.close()  # a user may hold 16 sockets at most


async def _check(client, batch, binary: bool) -> None:  # type: ignore[no-untyped-def]
    before = await database_sync_to_async(row_counts)()
    for kind, value in batch:
        if kind == "json" and binary:
            try:
                packed = msgpack.packb(value)
            except OverflowError:  # an integer MessagePack cannot carry
                continue
            await client.ws.send_to(bytes_data=packed)
        elif kind == "json":
            await client.ws.send_to(text_data=json.dumps(value))
        elif kind == "text":
            await client.ws.send_to(text_data=value)
        else:
            await client.ws.send_to(bytes_data=value)

    reply = await client.request({"type": "ping", "ref": "fuzz-end"}, timeout=5)

    replies = client.backlog
    closed = [f for f in replies if f["type"] == "__closed__"]
    if reply["type"] == "__closed__" or closed:
        assert (closed or [reply])[0]["code"] in ALLOWED_CLOSE, (batch, replies, reply)
    else:
        assert reply["type"] == "pong", (batch, reply)
    for frame in replies:
        assert frame["type"] != "error" or isinstance(frame.get("message"), str)
    if not any(f["type"] == "ack" for f in replies):
        assert await database_sync_to_async(row_counts)() == before, (batch, replies)
