"""Socket test helpers: a fresh hub per test, communicators that are always disconnected."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from typing import Any

import msgpack
import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator

from backend.accounts import services as accounts
from backend.accounts.models import User
from backend.asgi import application
from realtime import attendance, presence
from realtime import hub as hub_module

SILENCE = 0.3  # seconds a socket must stay quiet to count as "received nothing"


@pytest.fixture(autouse=True)
async def fresh_hub() -> AsyncIterator[None]:
    hub_module.reset_hub()
    presence.reset_store()
    attendance.reset_store()
    yield
    await hub_module.get_hub().shutdown()
    await presence.get_store().close()
    # Presence and typing read the quiet-room flags from the attendance store.
    await attendance.get_store().close()
    hub_module.reset_hub()
    presence.reset_store()
    attendance.reset_store()


class Client:
    def __init__(self, communicator: WebsocketCommunicator, binary: bool) -> None:
        self.ws = communicator
        self.binary = binary
        self.hello: dict[str, Any] = {}
        self.backlog: list[dict[str, Any]] = []  # frames skipped while waiting for a reply
        self.closed = False

    async def send(self, frame: dict[str, Any]) -> None:
        if self.binary:
            await self.ws.send_to(bytes_data=msgpack.packb(frame))
        else:
            await self.ws.send_to(text_data=json.dumps(frame))

    async def recv(self, timeout: float = 10) -> dict[str, Any]:
        if self.backlog:
            return self.backlog.pop(0)
        return await self._recv_wire(timeout)

    async def _recv_wire(self, timeout: float) -> dict[str, Any]:
        message = await self.ws.receive_output(timeout)
        if message["type"] == "websocket.close":
            return {"type": "__closed__", "code": message.get("code")}
        if message.get("bytes") is not None:
            return msgpack.unpackb(message["bytes"], raw=False, strict_map_key=False)
        return json.loads(message["text"])

    async def recv_until(self, predicate: Callable[[dict], bool], timeout: float = 10) -> dict:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            frame = await self.recv(max(0.05, deadline - loop.time()))
            if predicate(frame):
                return frame

    async def request(self, frame: dict[str, Any], timeout: float = 10) -> dict[str, Any]:
        """Send a frame with a ref and return its ack or error (other frames are skipped)."""
        ref = frame.setdefault("ref", f"r{id(frame)}")
        await self.send(frame)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            reply = await self._recv_wire(max(0.05, deadline - loop.time()))
            if reply.get("ref") == ref and reply["type"] in ("ack", "error", "pong"):
                return reply
            self.backlog.append(reply)

    async def assert_silent(
        self, seconds: float = SILENCE, allow: Callable[[dict], bool] | None = None
    ) -> None:
        """Nothing arrives (except frames ``allow`` accepts) for ``seconds``."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        while self.backlog:
            frame = self.backlog.pop(0)
            if allow is None or not allow(frame):
                raise AssertionError(f"unexpected frame: {frame}")
        while loop.time() < deadline:
            if await self.ws.receive_nothing(timeout=deadline - loop.time(), interval=0.02):
                return
            frame = await self.recv()
            if allow is None or not allow(frame):
                raise AssertionError(f"unexpected frame: {frame}")

    async def close(self) -> None:
        # Once only: a test may close a socket early, and the fixture closes every one at the end.
        if self.closed:
            return
        self.closed = True
        await self.ws.disconnect()


@database_sync_to_async
def _token(user: User) -> str:
    return accounts.token_create(user=user).token


@pytest.fixture
async def connect() -> AsyncIterator[Callable[..., Any]]:
    opened: list[Client] = []

    async def open_socket(
        user: User | None = None,
        *,
        token: str | None = None,
        binary: bool = False,
        headers: list[tuple[bytes, bytes]] | None = None,
        expect_hello: bool = True,
    ) -> Client:
        all_headers = list(headers or [])
        if user is not None and token is None:
            token = await _token(user)
        if token is not None:
            all_headers.append((b"authorization", f"Bearer {token}".encode()))
        protocols = ["preau.v1.msgpack"] if binary else ["preau.v1.json"]
        communicator = WebsocketCommunicator(
            application, "/ws/v1/", headers=all_headers, subprotocols=protocols
        )
        connected, _ = await communicator.connect(timeout=5)
        client = Client(communicator, binary)
        if not connected:
            client.refused = True  # type: ignore[attr-defined]
            return client
        opened.append(client)
        if expect_hello:
            client.hello = await client.recv()
            assert client.hello["type"] == "hello", client.hello
        return client

    yield open_socket
    for client in opened:
        try:
            await client.close()
        except BaseException:  # noqa: BLE001 - a consumer already gone must not stop the cleanup
            pass
