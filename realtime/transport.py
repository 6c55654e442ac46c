"""The WebSocket transport under `preau serve`: Uvicorn's sans-I/O websockets protocol, plus one
ASGI extension that lets the fan-out write a prepared frame straight to an idle socket.

A room event is framed once per process per encoding (``Outgoing.text_frame``); writing those
bytes to each local socket's transport is then one ``transport.write`` per delivery, instead of
waking the socket's writer task and going through the consumer's ``send``, the ASGI ``send``
and a per-socket frame serialisation. That last path stays for everything else (acks, closes,
frames queued behind a busy or slow socket), so ordering is kept: the consumer writes directly
only when its own queue is empty and nothing is being sent.

Server frames are unmasked and this server never negotiates compression, so a frame's bytes
are the same for every socket.
"""

from __future__ import annotations

from typing import Any

from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol

from .wire import DIRECT_WRITE


class DirectWriter:
    """Writes prepared frames to one open, writable, not-closing socket."""

    __slots__ = ("_protocol",)

    def __init__(self, protocol: WebSocketsSansIOProtocol) -> None:
        self._protocol = protocol

    def open(self) -> bool:
        p = self._protocol
        return (
            p.handshake_complete
            and not p.close_sent
            and not p.disconnected
            and p.initial_response is None
            and not p.transport.is_closing()
        )

    def ready(self) -> bool:
        """Open, and its transport buffer is below the high-water mark (not a slow reader)."""
        return self._protocol.writable.is_set() and self.open()

    def write(self, frame: bytes) -> None:
        self._protocol.transport.write(frame)


class PreauWebSocketProtocol(WebSocketsSansIOProtocol):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Prepared frames are uncompressed: never negotiate permessage-deflate.
        self.conn.available_extensions = []

    async def send(self, message: Any) -> None:
        await super().send(message)
        if message["type"] == "websocket.accept":
            # The handshake's request and response are not needed again: an idle socket
            # should not keep its headers twice (the scope has them).
            self.request = None  # type: ignore[assignment]
            self.response = None  # type: ignore[assignment]

    def handle_connect(self, event: Any) -> None:
        super().handle_connect(event)
        scope = getattr(self, "scope", None)
        if scope is not None:
            scope["extensions"][DIRECT_WRITE] = DirectWriter(self)
