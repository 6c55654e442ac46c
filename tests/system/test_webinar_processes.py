"""A webinar audience on one `preau serve` process silences presence and typing on the other too."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from tests.system.harness import Deployment, Socket
from tests.system.test_realtime_processes import private_room

pytestmark = [pytest.mark.system, pytest.mark.xdist_group("system")]

AUDIENCE_USERS, SOCKETS_EACH = 14, 15  # 210 attending sockets, over the limit of 200


def _typing(room: int, user_id: int):  # type: ignore[no-untyped-def]
    return lambda f: f.get("type") == "typing" and f["room"] == room and f["user"]["id"] == user_id


def _audience(room: int, minimum: int):  # type: ignore[no-untyped-def]
    return lambda f: (
        f.get("type") == "webinar.attendance"
        and f["room"] == room
        and (f["count"] >= minimum if minimum else f["count"] == 0)
    )


async def test_a_large_audience_on_one_process_turns_typing_off_on_the_other(
    deployment: Deployment,
):
    a_srv, b_srv = deployment.start("a"), deployment.start("b")
    alice, bob, carol, dave, erin, *audience = deployment.agents(
        ("alice@villeurbanne.test", "Alice"),
        ("bob@villeurbanne.test", "Bob"),
        ("carol@villeurbanne.test", "Carol"),
        ("dave@villeurbanne.test", "Dave"),
        ("erin@villeurbanne.test", "Erin"),
        *[(f"agent{i}@villeurbanne.test", f"Agent {i}") for i in range(AUDIENCE_USERS)],
    )
    # 19 members: under the member limit, so only the audience can make the room quiet.
    room = private_room(deployment, alice, bob, carol, dave, erin, *audience)
    start = datetime.now(UTC)
    webinar = deployment.api(
        "POST",
        "/webinars",
        {
            "room": room,
            "title": "Retour d'expérience",
            "starts_at": start.isoformat(),
            "ends_at": (start + timedelta(hours=1)).isoformat(),
        },
        token=alice.token,
    )
    # Process B: members who never attend the webinar.
    watcher = await Socket.open(b_srv.ws_url(), bob.token)
    typists = {who.id: await Socket.open(b_srv.ws_url(), who.token) for who in (carol, dave, erin)}
    await typists[carol.id].request({"type": "typing", "room": room})
    await watcher.until(_typing(room, carol.id))  # a small room: typing flows

    # Process A: the whole audience, a few handshakes at a time as real clients arrive.
    gate = asyncio.Semaphore(10)

    async def attend(token: str) -> Socket:
        async with gate:
            sock = await Socket.open(a_srv.ws_url(), token)
            await sock.request({"type": "webinar.attend", "webinar": webinar["id"]})
            return sock

    attending = await asyncio.gather(
        *[attend(who.token) for who in audience for _ in range(SOCKETS_EACH)]
    )
    await watcher.until(_audience(room, AUDIENCE_USERS * SOCKETS_EACH), timeout=60)

    await typists[dave.id].request({"type": "typing", "room": room})
    await typists[dave.id].request({"type": "presence", "status": "away"})
    heard = await watcher.quiet(1.0)
    assert [f for f in heard if f.get("type") in ("typing", "presence")] == []

    # The audience leaves at once, as when the webinar ends: process A records every leave (a
    # burst of 210 once exhausted its Redis pool) and process B's room is chatty again.
    await asyncio.gather(*[s.close() for s in attending])
    await watcher.until(_audience(room, 0), timeout=60)
    await typists[erin.id].request({"type": "typing", "room": room})
    await watcher.until(_typing(room, erin.id))

    for sock in [watcher, *typists.values()]:
        await sock.close()
