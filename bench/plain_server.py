"""The plain `websockets` broadcast server: the Python ceiling Préau is measured against.

It does the same fan-out as Préau with none of the product: a client connects to
``/?room=<id>``, gets a ``hello``; a ``message.send`` frame is acknowledged to its sender and
broadcast as an ``event`` frame (JSON encoded once) to every socket of the room, with a
per-room ``seq``. No database, no authentication, no bus. Stock asyncio event loop, one
process, ``websockets.asyncio.server.broadcast``.

    python -m bench.plain_server --port 8765
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import signal
from collections import defaultdict
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

from websockets.asyncio.server import ServerConnection, broadcast, serve

rooms: dict[int, set[ServerConnection]] = defaultdict(set)
seqs: dict[int, int] = defaultdict(int)


def _dumps(payload: dict) -> str:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"))


async def handler(ws: ServerConnection) -> None:
    query = parse_qs(urlsplit(ws.request.path).query)
    room = int(query.get("room", ["0"])[0])
    user = int(query.get("user", ["0"])[0])
    members = rooms[room]
    members.add(ws)
    try:
        await ws.send(_dumps({"type": "hello", "user": {"id": user}, "rooms": [{"id": room}]}))
        async for raw in ws:
            frame = json.loads(raw)
            kind = frame.get("type")
            if kind == "message.send":
                seqs[room] += 1
                seq = seqs[room]
                event = {
                    "type": "event",
                    "room": room,
                    "seq": seq,
                    "event": "message.created",
                    "data": {
                        "id": seq,
                        "author": {"id": user, "name": f"Agent {user}"},
                        "body": frame["body"],
                        "thread": None,
                        "documents": [],
                        "client_id": frame.get("client_id"),
                        "created_at": datetime.now(UTC).isoformat(),
                    },
                }
                broadcast(members, _dumps(event))
                await ws.send(
                    _dumps(
                        {"message": {"id": seq, "seq": seq}, "type": "ack", "ref": frame.get("ref")}
                    )
                )
            elif kind == "ping":
                await ws.send(_dumps({"type": "pong", "ref": frame.get("ref")}))
    finally:
        members.discard(ws)


async def main(port: int) -> None:
    stop = asyncio.get_running_loop().create_future()
    for sig in (signal.SIGTERM, signal.SIGINT):
        asyncio.get_running_loop().add_signal_handler(sig, stop.set_result, None)
    async with serve(
        handler, "127.0.0.1", port, max_size=64 * 1024, compression=None, ping_interval=None
    ):
        await stop


if __name__ == "__main__":
    logging.basicConfig(level=logging.CRITICAL)  # clients that vanish are not news here
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    asyncio.run(main(parser.parse_args().port))
