"""Outgoing webhooks through real `preau serve` processes: the worker thread, restarts."""

from __future__ import annotations

import asyncio

import pytest

from tests.receiver import Answer, start_receiver
from tests.system.harness import Deployment, Socket

pytestmark = [pytest.mark.system, pytest.mark.xdist_group("system")]


@pytest.fixture
def receiver():
    state, server = start_receiver()
    yield state
    server.shutdown()
    server.server_close()


async def test_a_delivery_queued_before_a_restart_is_sent_by_the_next_process(
    deployment: Deployment, receiver
):
    deployment.env["PREAU_OUTGOING_ALLOWED_NETWORKS"] = "127.0.0.1/32"
    deployment.env["PREAU_BACKGROUND_WORKERS"] = "0"  # this first process sends nothing
    first = deployment.start("a")
    [alice] = deployment.agents(("alice@villeurbanne.test", "Alice"))
    room = deployment.api(
        "POST", "/rooms", {"name": "Astreinte", "kind": "private", "access": "invite"},
        token=alice.token,
    )["id"]  # fmt: skip
    bot = deployment.api("POST", "/bots", {"name": "Vigie"}, token=alice.token)
    deployment.api("POST", f"/bots/{bot['id']}/grants", {"room": room}, token=alice.token)
    hook = deployment.api(
        "POST", f"/bots/{bot['id']}/outgoing", {"url": receiver.url}, token=alice.token
    )
    deployment.api(
        "POST", f"/rooms/{room}/messages", {"body": "@Vigie état du serveur ?"}, token=alice.token
    )
    await asyncio.sleep(0.5)
    assert receiver.received == []
    first.stop()

    receiver.answers = [Answer(body={"text": "Tout va bien"})]
    deployment.env["PREAU_BACKGROUND_WORKERS"] = "1"
    second = deployment.start("b")
    member = await Socket.open(second.ws_url(), alice.token)

    assert await asyncio.to_thread(receiver.arrived.wait, 15)
    assert receiver.received[0].signed_with(hook["secret"])
    assert receiver.received[0].payload["message"]["body"] == "@Vigie état du serveur ?"
    frame = await member.until(
        lambda f: f.get("event") == "message.created" and f["data"]["body"] == "Tout va bien"
    )
    assert frame["room"] == room
    await member.close()
