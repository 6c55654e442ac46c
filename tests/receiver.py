"""A real HTTP server on loopback that receives outgoing webhook deliveries and checks them.

It verifies each request's signature the way a bot author would (HMAC-SHA256 of
``<timestamp>.<body>``), records what arrived, and answers with the scripted responses.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import ssl
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Answer:
    status: int = 200
    body: Any = None  # a dict is sent as JSON
    delay: float = 0.0
    path: str | None = None  # only for requests to this path (None: any)


@dataclass
class Received:
    headers: dict[str, str]
    raw: bytes
    payload: Any

    def signed_with(self, secret: str, *, max_age: float = 300) -> bool:
        timestamp = self.headers.get("x-preau-timestamp", "")
        given = self.headers.get("x-preau-signature", "")
        if not timestamp.isdigit() or abs(time.time() - int(timestamp)) > max_age:
            return False
        expected = hmac.new(secret.encode(), timestamp.encode() + b"." + self.raw, hashlib.sha256)
        return hmac.compare_digest(given, "v1=" + expected.hexdigest())


@dataclass
class Receiver:
    url: str
    received: list[Received] = field(default_factory=list)
    answers: list[Answer] = field(default_factory=list)  # consumed in order, then 200
    arrived: threading.Event = field(default_factory=threading.Event)


def start_receiver(tls: tuple[str, str] | None = None) -> tuple[Receiver, ThreadingHTTPServer]:
    """A receiver on loopback; ``tls``: (certificate, key) files to serve HTTPS."""
    state = Receiver(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's name
            raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            state.received.append(
                Received(
                    headers={k.lower(): v for k, v in self.headers.items()},
                    raw=raw,
                    payload=json.loads(raw),
                )
            )
            state.arrived.set()
            answer = (
                next((a for a in state.answers if a.path in (None, self.path)), None) or Answer()
            )
            if answer in state.answers:
                state.answers.remove(answer)
            if answer.delay:
                time.sleep(answer.delay)
            body = b"" if answer.body is None else json.dumps(answer.body).encode()
            try:
                self.send_response(answer.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except OSError:  # the client gave up (timeout test)
                pass

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    scheme = "http"
    if tls is not None:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(*tls)
        server.socket = context.wrap_socket(server.socket, server_side=True)
        scheme = "https"
    state.url = f"{scheme}://127.0.0.1:{server.server_address[1]}/preau"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return state, server
