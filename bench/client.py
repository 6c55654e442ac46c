"""The load client: a minimal WebSocket client on asyncio protocols, run in worker processes.

The same client drives Préau and the plain server. It parses server frames itself (no
per-message coroutine, no JSON decode for deliveries): a delivery is found by the marker the
sender put in the message body, ``~B|<step>|<msg>|<intended send time>|``, so the client costs
a few microseconds per delivery and the server, not the client, is what saturates.

Senders are open-loop: message ``j`` of a step is due at ``t0 + j / rate`` and carries that
intended time, so a late sender or a full socket shows up as latency, never as a slower rate.
All clocks are ``time.monotonic()`` (CLOCK_MONOTONIC is shared by every process of the box).
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import random
import time
from collections import defaultdict
from multiprocessing.connection import Connection as Pipe
from typing import Any
from urllib.parse import urlsplit

MARK = b"~B|"


def mask_frame(opcode: int, payload: bytes) -> bytes:
    """A masked client frame (RFC 6455 §5.3)."""
    n = len(payload)
    if n < 126:
        head = bytes([0x80 | opcode, 0x80 | n])
    elif n < 65536:
        head = bytes([0x80 | opcode, 0x80 | 126]) + n.to_bytes(2, "big")
    else:
        head = bytes([0x80 | opcode, 0x80 | 127]) + n.to_bytes(8, "big")
    key = os.urandom(4)
    if n:
        stream = (key * (n // 4 + 1))[:n]
        masked = (int.from_bytes(payload, "big") ^ int.from_bytes(stream, "big")).to_bytes(n, "big")
    else:
        masked = b""
    return head + key + masked


class Stats:
    """What one worker saw during one step."""

    def __init__(self) -> None:
        self.step = -1
        self.count: dict[int, int] = defaultdict(int)
        self.maxlat: dict[int, float] = defaultdict(float)
        self.sent: dict[int, tuple[int, float]] = {}  # msg -> (room, intended time)
        self.acks: dict[int, float] = {}  # msg -> round trip (s)
        self.errors: dict[str, int] = defaultdict(int)


class WS(asyncio.Protocol):
    def __init__(self, worker: Worker, spec: dict[str, Any]) -> None:
        self.worker = worker
        self.spec = spec
        self.transport: asyncio.Transport | None = None
        self.buf = bytearray()
        self.open = False
        self.hello: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        self.closed: asyncio.Future[int | None] = asyncio.get_running_loop().create_future()
        self.close_code: int | None = None
        self.last_seq: dict[int, int] = {}
        self.seen: set[int] = set()

    # --- handshake ---------------------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        url = urlsplit(self.spec["url"])
        path = url.path or "/"
        if self.spec.get("query"):
            path += "?" + self.spec["query"]
        key = base64.b64encode(os.urandom(16)).decode()
        lines = [
            f"GET {path} HTTP/1.1",
            f"Host: {url.netloc}",
            "Upgrade: websocket",
            "Connection: Upgrade",
            f"Sec-WebSocket-Key: {key}",
            "Sec-WebSocket-Version: 13",
        ]
        if self.spec.get("token"):
            lines.append(f"Authorization: Bearer {self.spec['token']}")
        self.transport.write(("\r\n".join(lines) + "\r\n\r\n").encode())

    def data_received(self, data: bytes) -> None:
        buf = self.buf
        buf += data
        if not self.open:
            end = buf.find(b"\r\n\r\n")
            if end < 0:
                return
            status = bytes(buf[:end]).split(b"\r\n", 1)[0]
            if b" 101 " not in status:
                self.worker.stats.errors["handshake " + status.decode(errors="replace")[9:12]] += 1
                self.transport.close()  # type: ignore[union-attr]
                return
            del buf[: end + 4]
            self.open = True
        pos, size = 0, len(buf)
        on_text = self.on_text
        while size - pos >= 2:
            b1 = buf[pos + 1]
            n = b1 & 0x7F
            head = 2
            if n == 126:
                if size - pos < 4:
                    break
                n = int.from_bytes(buf[pos + 2 : pos + 4], "big")
                head = 4
            elif n == 127:
                if size - pos < 10:
                    break
                n = int.from_bytes(buf[pos + 2 : pos + 10], "big")
                head = 10
            if size - pos < head + n:
                break
            opcode = buf[pos] & 0x0F
            payload = bytes(buf[pos + head : pos + head + n])
            pos += head + n
            if opcode == 1 or opcode == 2:
                on_text(payload)
            elif opcode == 8:
                self.close_code = int.from_bytes(payload[:2], "big") if len(payload) >= 2 else None
                self.send_frame(8, payload[:2])
                self.transport.close()  # type: ignore[union-attr]
            elif opcode == 9:
                self.send_frame(10, payload)
        if pos:
            del buf[:pos]

    def connection_lost(self, exc: Exception | None) -> None:
        self.open = False
        if not self.hello.done():
            self.hello.set_exception(ConnectionError(f"closed before hello ({self.close_code})"))
        if not self.closed.done():
            self.closed.set_result(self.close_code)
        self.worker.on_lost(self)

    # --- frames ------------------------------------------------------------------------------

    def on_text(self, payload: bytes) -> None:
        i = payload.find(MARK)
        if i >= 0:
            parts = payload[i + 3 : i + 64].split(b"|", 3)
            if int(parts[0]) != self.worker.stats.step:
                return
            msg = int(parts[1])
            if self.worker.resilient:
                frame = json.loads(payload)
                room, seq = frame["room"], frame["seq"]
                self.last_seq[room] = max(seq, self.last_seq.get(room, 0))
                if msg in self.seen:
                    self.worker.stats.errors["duplicate"] += 1
                    return
                self.seen.add(msg)
            stats = self.worker.stats
            stats.count[msg] += 1
            lat = time.monotonic() - float(parts[2])
            if lat > stats.maxlat[msg]:
                stats.maxlat[msg] = lat
            return
        frame = json.loads(payload)
        kind = frame.get("type")
        if kind == "hello":
            if self.worker.resilient:
                self.worker.after_hello(self, frame)
            if not self.hello.done():
                self.hello.set_result(time.monotonic())
        elif kind == "ack" and "message" in frame:
            ref = frame.get("ref") or ""
            if ref.startswith("b"):
                step, msg = ref[1:].split(".")
                sent = self.worker.stats.sent.get(int(msg))
                if int(step) == self.worker.stats.step and sent is not None:
                    self.worker.stats.acks[int(msg)] = time.monotonic() - sent[1]
        elif kind == "event" and self.worker.resilient:
            room, seq = frame["room"], frame["seq"]
            self.last_seq[room] = max(seq, self.last_seq.get(room, 0))
        elif kind == "error":
            self.worker.stats.errors["error " + str(frame.get("code"))] += 1

    def send_frame(self, opcode: int, payload: bytes) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self.transport.write(mask_frame(opcode, payload))

    def send_json(self, payload: dict[str, Any]) -> None:
        self.send_frame(1, json.dumps(payload, separators=(",", ":")).encode())

    async def close(self, timeout: float = 1.0) -> None:
        if self.transport is None or self.transport.is_closing():
            return
        self.send_frame(8, (1000).to_bytes(2, "big"))
        try:
            await asyncio.wait_for(asyncio.shield(self.closed), timeout)
        except TimeoutError:
            self.transport.close()


def body_for(step: int, msg: int, t: float, size: int) -> str:
    head = f"~B|{step}|{msg}|{t:.6f}|"
    return head + "x" * max(0, size - len(head))


class Worker:
    def __init__(self, pipe: Pipe, index: int) -> None:
        self.pipe = pipe
        self.index = index
        self.conns: list[WS] = []
        self.stats = Stats()
        self.resilient = False
        self.urls: list[str] = []
        self.send_task: asyncio.Task[None] | None = None
        self.lost = 0
        self.reconnects = 0

    # --- connections -------------------------------------------------------------------------

    async def open_one(self, spec: dict[str, Any], timeout: float = 30) -> WS:
        loop = asyncio.get_running_loop()
        url = urlsplit(spec["url"])
        _transport, proto = await asyncio.wait_for(
            loop.create_connection(lambda: WS(self, spec), url.hostname, url.port), timeout
        )
        await asyncio.wait_for(proto.hello, timeout)
        return proto

    async def connect(self, specs: list[dict[str, Any]], concurrency: int) -> dict[str, Any]:
        gate = asyncio.Semaphore(concurrency)
        times: list[float] = []
        failed: dict[str, int] = defaultdict(int)

        async def one(spec: dict[str, Any]) -> None:
            async with gate:
                t0 = time.monotonic()
                try:
                    proto = await self.open_one(spec)
                except Exception as exc:
                    failed[type(exc).__name__ + " " + str(exc)[:60]] += 1
                    return
                times.append(time.monotonic() - t0)
                self.conns.append(proto)

        await asyncio.gather(*(one(s) for s in specs))
        return {"open": len(self.conns), "failed": dict(failed), "connect_s": times}

    def on_lost(self, proto: WS) -> None:
        if proto in self.conns and self.resilient:
            self.lost += 1
            asyncio.ensure_future(self.reconnect(proto))

    async def reconnect(self, old: WS) -> None:
        """Resilient clients: reconnect to any live server, then sync from the last seq."""
        delay = 0.1
        for attempt in range(200):
            url = self.urls[(self.index + attempt) % len(self.urls)]
            spec = {**old.spec, "url": url}
            try:
                loop = asyncio.get_running_loop()
                u = urlsplit(url)
                _t, proto = await asyncio.wait_for(
                    loop.create_connection(lambda spec=spec: WS(self, spec), u.hostname, u.port), 5
                )
                proto.last_seq = old.last_seq
                proto.seen = old.seen
                await asyncio.wait_for(proto.hello, 5)
            except Exception:
                await asyncio.sleep(delay + random.random() * delay)  # noqa: S311
                delay = min(delay * 1.5, 1.0)
                continue
            self.conns[self.conns.index(old)] = proto
            self.reconnects += 1
            return

    def after_hello(self, proto: WS, hello: dict[str, Any]) -> None:
        if proto.last_seq:
            proto.send_json(
                {"type": "sync", "since": {str(r): s for r, s in proto.last_seq.items()}}
            )

    # --- sending -----------------------------------------------------------------------------

    async def send_socket(self, step: int, spec: dict[str, Any]) -> None:
        senders = [i for i in spec["senders"] if i < len(self.conns)]
        rate, duration, size = spec["rate"], spec["duration"], spec.get("size", 120)
        total = int(rate * duration)
        t0 = time.monotonic() + 0.05
        for j in range(total):
            due = t0 + j / rate
            delay = due - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            msg = self.index * 10_000_000 + j
            conn = self.conns[senders[j % len(senders)]]
            room = conn.spec["room"]
            self.stats.sent[msg] = (room, due)
            conn.send_json(
                {
                    "type": "message.send",
                    "room": room,
                    "body": body_for(step, msg, due, size),
                    "ref": f"b{step}.{msg}",
                }
            )

    async def send_rest(self, step: int, spec: dict[str, Any]) -> None:
        """Open-loop POSTs over a pool of keep-alive HTTP connections."""
        rate, duration, size = spec["rate"], spec["duration"], spec.get("size", 120)
        queue: asyncio.Queue[tuple[int, float, dict[str, Any]] | None] = asyncio.Queue()
        pool = spec["rest"]  # [{"port":, "token":, "room":}]

        async def http(member: dict[str, Any]) -> None:
            reader = writer = None
            while True:
                item = await queue.get()
                if item is None:
                    break
                msg, due, _m = item
                body = json.dumps({"body": body_for(step, msg, due, size)}).encode()
                request = (
                    f"POST /api/v1/rooms/{member['room']}/messages HTTP/1.1\r\n"
                    f"Host: 127.0.0.1:{member['port']}\r\nAuthorization: Bearer {member['token']}\r\n"
                    f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
                ).encode() + body
                for _attempt in range(2):
                    try:
                        if writer is None:
                            reader, writer = await asyncio.open_connection(
                                "127.0.0.1", member["port"]
                            )
                        writer.write(request)
                        status = await reader.readline()  # type: ignore[union-attr]
                        length = 0
                        while (line := await reader.readline()) not in (b"\r\n", b""):  # type: ignore[union-attr]
                            if line.lower().startswith(b"content-length:"):
                                length = int(line.split(b":")[1])
                        await reader.readexactly(length)  # type: ignore[union-attr]
                        if b" 201 " in status:
                            self.stats.acks[msg] = time.monotonic() - due
                        else:
                            self.stats.errors["http " + status.decode()[9:12]] += 1
                        break
                    except (OSError, asyncio.IncompleteReadError):
                        if writer is not None:
                            writer.close()
                        reader = writer = None
                        self.stats.errors["http reconnect"] += 1
            if writer is not None:
                writer.close()

        tasks = [asyncio.ensure_future(http(m)) for m in pool]
        total = int(rate * duration)
        t0 = time.monotonic() + 0.05
        for j in range(total):
            due = t0 + j / rate
            delay = due - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            msg = self.index * 10_000_000 + j
            member = pool[j % len(pool)]
            self.stats.sent[msg] = (member["room"], due)
            queue.put_nowait((msg, due, member))
        for _ in tasks:
            queue.put_nowait(None)
        await asyncio.wait(tasks, timeout=30)

    # --- churn -------------------------------------------------------------------------------

    async def churn(
        self, specs: list[dict[str, Any]], rate: float, duration: float, hold: float
    ) -> dict:
        times: list[float] = []
        failed: dict[str, int] = defaultdict(int)
        closes = 0

        async def one(spec: dict[str, Any]) -> None:
            nonlocal closes
            t0 = time.monotonic()
            try:
                proto = await self.open_one(spec, timeout=10)
            except Exception as exc:
                failed[type(exc).__name__ + " " + str(exc)[:60]] += 1
                return
            times.append(time.monotonic() - t0)
            await asyncio.sleep(hold)
            await proto.close()
            closes += 1

        tasks = []
        t0 = time.monotonic()
        total = int(rate * duration)
        for j in range(total):
            delay = t0 + j / rate - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.ensure_future(one(specs[j % len(specs)])))
        if tasks:
            await asyncio.wait(tasks, timeout=30)
        return {
            "connect_s": times,
            "failed": dict(failed),
            "closes": closes,
            "elapsed": time.monotonic() - t0,
        }

    # --- command loop ------------------------------------------------------------------------

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        commands: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        loop.add_reader(self.pipe.fileno(), lambda: commands.put_nowait(self.pipe.recv()))
        while True:
            cmd = await commands.get()
            name = cmd["cmd"]
            try:
                if name == "connect":
                    self.resilient = cmd.get("resilient", False)
                    self.urls = cmd.get("urls", [])
                    reply: Any = await self.connect(cmd["conns"], cmd.get("concurrency", 32))
                elif name == "step":
                    self.stats = Stats()
                    self.stats.step = cmd["step"]
                    send = cmd.get("send")
                    if send:
                        sender = self.send_rest if send.get("mode") == "rest" else self.send_socket
                        self.send_task = asyncio.ensure_future(sender(cmd["step"], send))
                    reply = {"ok": True}
                elif name == "collect":
                    if self.send_task is not None:
                        await asyncio.wait([self.send_task], timeout=30)
                        self.send_task = None
                    s = self.stats
                    reply = {
                        "count": dict(s.count),
                        "maxlat": dict(s.maxlat),
                        "sent": s.sent,
                        "acks": s.acks,
                        "errors": dict(s.errors),
                        "open": sum(1 for c in self.conns if c.open),
                        "lost": self.lost,
                        "reconnects": self.reconnects,
                    }
                elif name == "churn":
                    reply = await self.churn(
                        cmd["conns"], cmd["rate"], cmd["duration"], cmd["hold"]
                    )
                elif name == "close":
                    await asyncio.gather(
                        *(c.close(0.5) for c in self.conns), return_exceptions=True
                    )
                    self.pipe.send({"ok": True})
                    return
                else:
                    reply = {"error": f"unknown {name}"}
            except Exception as exc:  # reported to the coordinator, which fails the scenario
                reply = {"error": f"{type(exc).__name__}: {exc}"}
            self.pipe.send(reply)


def worker_main(pipe: Pipe, index: int, cpus: str | None) -> None:
    import resource
    import signal

    # The coordinator handles Ctrl-C and SIGTERM, then closes or kills its workers.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    if cpus:
        os.sched_setaffinity(0, {int(c) for c in cpus.split(",")})
    asyncio.run(Worker(pipe, index).run())
