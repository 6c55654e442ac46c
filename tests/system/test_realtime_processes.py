"""Two `preau serve` processes sharing PostgreSQL and Redis, driven by real WebSocket clients."""

from __future__ import annotations

import asyncio
import json
import urllib.error
import urllib.request

import pytest
import websockets

from tests.system.harness import Deployment, Socket

pytestmark = [pytest.mark.system, pytest.mark.xdist_group("system")]


def created(room: int):  # type: ignore[no-untyped-def]
    return lambda f: (
        f.get("type") == "event" and f["room"] == room and f["event"] == "message.created"
    )


def private_room(d: Deployment, owner, *members) -> int:  # type: ignore[no-untyped-def]
    room = d.api(
        "POST",
        "/rooms",
        {"name": "Comité fibre", "kind": "private", "access": "invite"},
        token=owner.token,
    )
    for member in members:
        d.api("POST", f"/rooms/{room['id']}/invite", {"user": member.id}, token=owner.token)
        d.api("POST", f"/rooms/{room['id']}/join", token=member.token)
    return room["id"]


async def test_message_sent_on_one_process_reaches_members_on_the_other_and_never_outsiders(
    deployment: Deployment,
):
    a_srv, b_srv = deployment.start("a"), deployment.start("b")
    alice, bob, eve, olga = deployment.agents(
        ("alice@villeurbanne.test", "Alice"),
        ("bob@villeurbanne.test", "Bob"),
        ("eve@villeurbanne.test", "Eve"),
        ("olga@aude.test", "Olga"),
    )
    room = private_room(deployment, alice, bob)
    on_a = await Socket.open(a_srv.ws_url(), alice.token)
    on_b = await Socket.open(b_srv.ws_url(), bob.token)
    outsiders = [
        await Socket.open(srv.ws_url(), who.token) for srv in (a_srv, b_srv) for who in (eve, olga)
    ]
    ack = await on_a.request(
        {"type": "message.send", "room": room, "body": "Réunion jeudi", "client_id": "x1"}
    )
    assert ack["type"] == "ack"
    frame = await on_b.until(created(room))
    assert frame["data"]["body"] == "Réunion jeudi" and frame["seq"] == ack["message"]["seq"]
    rest = deployment.api(
        "POST", f"/rooms/{room}/messages", {"body": "par REST"}, token=bob.token, server="b"
    )
    # Alice's own event may come after her ack: wait for Bob's message by its id.
    frame = await on_a.until(lambda f: created(room)(f) and f["data"]["id"] == rest["id"])
    assert frame["data"]["body"] == "par REST"
    for sock in outsiders:
        assert [f for f in await sock.quiet(0.5) if f.get("room") == room] == []
        assert all(f.get("room") != room for f in sock.frames)
    for sock in [on_a, on_b, *outsiders]:
        await sock.close()


async def test_client_that_missed_messages_edits_and_deletions_resyncs_exactly_once(
    deployment: Deployment,
):
    a_srv, b_srv = deployment.start("a"), deployment.start("b")
    alice, bob = deployment.agents(
        ("alice@villeurbanne.test", "Alice"), ("bob@villeurbanne.test", "Bob")
    )
    room = private_room(deployment, alice, bob)
    bob_sock = await Socket.open(a_srv.ws_url(), bob.token)
    last = {r["id"]: r["seq"] for r in bob_sock.hello["rooms"]}[room]
    await bob_sock.close()
    sent = [
        deployment.api("POST", f"/rooms/{room}/messages", {"body": f"m{i}"}, token=alice.token)
        for i in range(20)
    ]
    for message in sent[:5]:
        deployment.api(
            "PATCH", f"/messages/{message['id']}", {"body": "modifié"}, token=alice.token
        )
    for message in sent[5:8]:
        deployment.api("DELETE", f"/messages/{message['id']}", token=alice.token)
    again = await Socket.open(b_srv.ws_url(), bob.token)
    ack = await again.request({"type": "sync", "since": {str(room): last}})
    assert ack["limited"] == []
    live = deployment.api("POST", f"/rooms/{room}/messages", {"body": "après"}, token=alice.token)
    await again.until(lambda f: f.get("type") == "event" and f["data"].get("id") == live["id"])
    seqs = [f["seq"] for f in again.events(room)]
    assert seqs == list(range(last + 1, last + 30)), seqs
    kinds = [f["event"] for f in again.events(room)]
    assert kinds.count("message.created") == 21 and kinds.count("message.edited") == 5
    assert kinds.count("message.deleted") == 3
    await again.close()


async def test_four_clients_on_two_processes_see_the_same_gap_free_order(deployment: Deployment):
    servers = [deployment.start("a"), deployment.start("b")]
    agents = deployment.agents(*[(f"agent{i}@villeurbanne.test", f"Agent {i}") for i in range(4)])
    room = private_room(deployment, agents[0], *agents[1:])
    socks = [
        await Socket.open(servers[i % 2].ws_url(), agent.token) for i, agent in enumerate(agents)
    ]
    start = {r["id"]: r["seq"] for r in socks[0].hello["rooms"]}[room]

    async def burst(sock: Socket, tag: str) -> None:
        for i in range(25):
            ack = await sock.request(
                {
                    "type": "message.send",
                    "room": room,
                    "body": f"{tag}-{i}",
                    "client_id": f"{tag}-{i}",
                }
            )
            assert ack["type"] == "ack", ack

    await asyncio.gather(*(burst(s, f"c{i}") for i, s in enumerate(socks)))
    orders = []
    for sock in socks:
        while len([f for f in sock.events(room) if f["event"] == "message.created"]) < 100:
            await sock.until(created(room))
        orders.append([(f["seq"], f["data"]["id"]) for f in sock.events(room)])
    assert [seq for seq, _ in orders[0]] == list(range(start + 1, start + 101))
    assert all(order == orders[0] for order in orders)
    for sock in socks:
        await sock.close()


async def test_clients_of_a_killed_process_reconnect_to_the_other_and_lose_nothing(
    deployment: Deployment,
):
    a_srv, b_srv = deployment.start("a"), deployment.start("b")
    alice, bob = deployment.agents(
        ("alice@villeurbanne.test", "Alice"), ("bob@villeurbanne.test", "Bob")
    )
    room = private_room(deployment, alice, bob)
    bob_sock = await Socket.open(a_srv.ws_url(), bob.token)
    sender = await Socket.open(b_srv.ws_url(), alice.token)
    for i in range(5):
        await sender.request({"type": "message.send", "room": room, "body": f"avant {i}"})
    for _ in range(5):
        await bob_sock.until(created(room))
    last = bob_sock.events(room)[-1]["seq"]
    a_srv.kill()
    for i in range(5):
        await sender.request({"type": "message.send", "room": room, "body": f"pendant {i}"})
    closed = await bob_sock.quiet(1)
    assert bob_sock.closed_code is not None or any(f["type"] == "__closed__" for f in closed)
    again = await Socket.open(b_srv.ws_url(), bob.token)
    await again.request({"type": "sync", "since": {str(room): last}})
    await sender.request({"type": "message.send", "room": room, "body": "après"})
    await again.until(lambda f: f.get("type") == "event" and f["data"].get("body") == "après")
    bodies = [f["data"]["body"] for f in again.events(room)]
    assert bodies == [f"pendant {i}" for i in range(5)] + ["après"]
    await again.close()
    await sender.close()


async def test_after_redis_restarts_messages_arrive_live_or_the_socket_closes_to_resync(
    deployment: Deployment, redis_server
):
    a_srv, _b_srv = deployment.start("a"), deployment.start("b")
    alice, bob = deployment.agents(
        ("alice@villeurbanne.test", "Alice"), ("bob@villeurbanne.test", "Bob")
    )
    room = private_room(deployment, alice, bob)
    bob_sock = await Socket.open(a_srv.ws_url(), bob.token)
    last = {r["id"]: r["seq"] for r in bob_sock.hello["rooms"]}[room]
    redis_server.kill()
    # Sent while Redis is down: committed, acknowledged, not published.
    during = deployment.api(
        "POST", f"/rooms/{room}/messages", {"body": "pendant"}, token=alice.token, server="b"
    )
    redis_server.start()
    await asyncio.sleep(1.5)
    after = deployment.api(
        "POST", f"/rooms/{room}/messages", {"body": "après"}, token=alice.token, server="b"
    )
    frames = await bob_sock.quiet(3)
    live = [f for f in frames if f.get("type") == "event" and f["data"].get("id") == after["id"]]
    closed = bob_sock.closed_code is not None
    assert live or closed, "an open socket silently stopped receiving"
    if closed:
        bob_sock = await _reconnect(deployment, bob.token)
    await bob_sock.request({"type": "sync", "since": {str(room): last}})
    ids = [f["data"].get("id") for f in bob_sock.events(room) if f["event"] == "message.created"]
    assert during["id"] in ids and after["id"] in ids
    assert len(ids) == len(set(ids))
    await bob_sock.close()


async def _reconnect(deployment: Deployment, token: str) -> Socket:
    for _ in range(50):
        for server in deployment.servers.values():
            try:
                return await Socket.open(server.ws_url(), token)
            except (OSError, websockets.InvalidStatus, websockets.ConnectionClosed, AssertionError):
                await asyncio.sleep(0.2)
    raise AssertionError("could not reconnect")


async def test_handshake_refuses_foreign_origin_cookie_and_missing_credentials(
    deployment: Deployment,
):
    srv = deployment.start("a")
    deployment.agent("alice@villeurbanne.test", "Alice")
    login = urllib.request.Request(
        f"http://127.0.0.1:{srv.port}/api/v1/session",
        data=json.dumps(
            {"email": "alice@villeurbanne.test", "password": "correct-horse-battery"}
        ).encode(),
        method="POST",
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(login, timeout=10) as response:  # noqa: S310 - loopback
        cookie = next(
            c.split(";")[0]
            for c in response.headers.get_all("Set-Cookie")
            if c.startswith("sessionid=")
        )
    good = await Socket.open(
        srv.ws_url(), origin=f"http://127.0.0.1:{srv.port}", additional_headers={"Cookie": cookie}
    )
    assert good.hello["user"]["name"] == "Alice"
    await good.close()
    with pytest.raises(websockets.InvalidStatus) as foreign:
        await websockets.connect(
            srv.ws_url(), origin="https://evil.example", additional_headers={"Cookie": cookie}
        )
    assert foreign.value.response.status_code == 403
    with pytest.raises(websockets.InvalidStatus) as anonymous:
        await websockets.connect(srv.ws_url())
    assert anonymous.value.response.status_code == 403


async def test_revoked_token_closes_open_sockets_on_every_process_with_4401(deployment: Deployment):
    a_srv, b_srv = deployment.start("a"), deployment.start("b")
    alice = deployment.agent("alice@villeurbanne.test", "Alice")
    token_id = deployment.api("GET", "/tokens", token=alice.token)[0]["id"]
    socks = [await Socket.open(srv.ws_url(), alice.token) for srv in (a_srv, b_srv)]
    deployment.api("DELETE", f"/tokens/{token_id}", token=alice.token)
    for sock in socks:
        closed = await sock.until(lambda f: f["type"] == "__closed__", timeout=5)
        assert closed["code"] == 4401
    with pytest.raises(urllib.error.HTTPError) as refused:
        deployment.api("GET", "/me", token=alice.token)
    refused.value.close()  # an HTTPError holds its response's socket
    assert refused.value.code == 401
    refused.value.close()  # its response holds the socket: unclosed, GC warns in a later test
