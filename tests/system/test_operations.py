"""Operating real `preau serve` processes: readiness, metrics and logs, as an operator sees them."""

from __future__ import annotations

import http.cookiejar
import json
import secrets
import socket
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.system.harness import Deployment, RedisServer, ServerProcess, Socket, free_port

pytestmark = [pytest.mark.system, pytest.mark.xdist_group("system")]

METRICS_TOKEN = "opsx-" + secrets.token_hex(16)


def get(server: ServerProcess, path: str, **headers: str) -> tuple[int, bytes]:
    request = urllib.request.Request(f"http://127.0.0.1:{server.port}{path}", headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310 - loopback
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, error.read()


def wait_status(server: ServerProcess, path: str, status: int, seconds: float = 15) -> float:
    """Poll like a load balancer does; return how long the status took to show."""
    start = time.monotonic()
    while True:
        got, body = get(server, path)
        if got == status:
            return time.monotonic() - start
        assert time.monotonic() - start < seconds, f"{path} still {got} after {seconds}s: {body!r}"
        time.sleep(0.2)


class TcpProxy:
    """A TCP relay to PostgreSQL that a test can stop and start again on the same port."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.port = free_port()
        self.listener: socket.socket | None = None
        self.sockets: set[socket.socket] = set()
        self.lock = threading.Lock()

    def start(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self.listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def stop(self) -> None:
        if self.listener is not None:
            self.listener.close()
            self.listener = None
        with self.lock:
            for sock in self.sockets:
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                sock.close()
            self.sockets.clear()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            upstream.settimeout(None)
            with self.lock:
                self.sockets |= {client, upstream}
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    def _pump(self, src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (src, dst):
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass


@pytest.fixture
def pg_proxy(deployment: Deployment) -> Iterator[TcpProxy]:
    url = urlsplit(deployment.env["DATABASE_URL"])
    proxy = TcpProxy((url.hostname or "127.0.0.1", url.port or 5432))
    proxy.start()
    deployment.env["DATABASE_URL"] = url._replace(
        netloc=f"{url.username}@127.0.0.1:{proxy.port}"
    ).geturl()
    yield proxy
    proxy.stop()


def test_readyz_turns_unavailable_while_redis_is_stopped_and_back_when_it_returns(
    deployment: Deployment, redis_server: RedisServer
):
    server = deployment.start("a")
    wait_status(server, "/readyz", 200)

    redis_server.kill()
    down = wait_status(server, "/readyz", 503)
    status, body = get(server, "/readyz")
    assert json.loads(body)["checks"]["redis"]["ok"] is False
    assert get(server, "/healthz")[0] == 200, "the process itself is alive"

    redis_server.start()
    up = wait_status(server, "/readyz", 200)
    assert down < 5 and up < 5


def test_readyz_turns_unavailable_while_postgresql_is_unreachable_and_back_after(
    deployment: Deployment, pg_proxy: TcpProxy
):
    server = deployment.start("a")
    wait_status(server, "/readyz", 200)

    pg_proxy.stop()
    down = wait_status(server, "/readyz", 503)
    status, body = get(server, "/readyz")
    assert json.loads(body)["checks"]["database"]["ok"] is False
    assert get(server, "/healthz")[0] == 200

    pg_proxy.start()
    up = wait_status(server, "/readyz", 200)
    assert down < 5 and up < 5


def scrape(server: ServerProcess) -> dict[tuple[str, tuple], float]:
    status, body = get(server, "/metrics", Authorization=f"Bearer {METRICS_TOKEN}")
    assert status == 200, body
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(body.decode())
        for s in family.samples
    }


def delta(after: dict, before: dict, name: str, **labels: str) -> float:
    key = (name, tuple(sorted(labels.items())))
    return after.get(key, 0) - before.get(key, 0)


async def test_metrics_move_as_messages_cross_two_processes(deployment: Deployment):
    deployment.env["PREAU_METRICS_TOKEN"] = METRICS_TOKEN
    a_srv, b_srv = deployment.start("a"), deployment.start("b")
    alice, bob = deployment.agents(
        ("alice@villeurbanne.test", "Alice"), ("bob@villeurbanne.test", "Bob")
    )
    room = deployment.api(
        "POST",
        "/rooms",
        {"name": "Métriques", "kind": "private", "access": "invite"},
        token=alice.token,
    )["id"]
    deployment.api("POST", f"/rooms/{room}/invite", {"user": bob.id}, token=alice.token)
    deployment.api("POST", f"/rooms/{room}/join", token=bob.token)
    on_a = await Socket.open(a_srv.ws_url(), alice.token)
    on_b = await Socket.open(b_srv.ws_url(), bob.token)
    assert get(a_srv, "/metrics")[0] == 401
    assert get(a_srv, "/metrics", Authorization="Bearer wrong")[0] == 401
    before = {"a": scrape(a_srv), "b": scrape(b_srv)}

    for i in range(3):
        ack = await on_a.request({"type": "message.send", "room": room, "body": f"m{i}"})
        assert ack["type"] == "ack", ack
        await on_b.until(
            lambda f, i=i: f.get("type") == "event" and f["data"].get("body") == f"m{i}"
        )
        if not any(f["data"].get("body") == f"m{i}" for f in on_a.events(room)):
            await on_a.until(  # the sender's own copy may come before or after the ack
                lambda f, i=i: f.get("type") == "event" and f["data"].get("body") == f"m{i}"
            )
    after = {"a": scrape(a_srv), "b": scrape(b_srv)}

    a, b = (after["a"], before["a"]), (after["b"], before["b"])
    assert delta(*a, "preau_room_events_published_total") == 3
    assert delta(*b, "preau_room_events_published_total") == 0
    assert delta(*a, "preau_message_send_seconds_count", transport="ws") == 3
    assert delta(*a, "preau_ws_frames_received_total") == 3
    assert delta(*a, "preau_ws_frames_sent_total") >= 6  # 3 acks, 3 events
    for side in (a, b):
        assert delta(*side, "preau_hub_room_events_total") == 3
        assert delta(*side, "preau_deliveries_total", kind="event") == 3
        assert delta(*side, "preau_fanout_seconds_count") == 3
        assert delta(*side, "preau_db_query_seconds_count") >= 0
    assert delta(*b, "preau_ws_frames_sent_total") >= 3
    assert delta(*a, "preau_db_query_seconds_count") > 0
    pids = {
        labels
        for side in after.values()
        for (name, labels), value in side.items()
        if name == "preau_ws_connections" and value == 1
    }
    assert len(pids) == 2, "one open socket on each process, each labelled with its pid"
    for sock in (on_a, on_b):
        await sock.close()


class Session:
    """A browser-like client: cookies, CSRF header, request ids."""

    def __init__(self, server: ServerProcess) -> None:
        self.base = f"http://127.0.0.1:{server.port}"
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def cookie(self, name: str) -> str | None:
        return next((c.value for c in self.jar if c.name == name), None)

    def call(
        self, method: str, path: str, body: Any = None, raw: bytes | None = None, **headers: str
    ) -> tuple[int, Any, Any]:
        headers = {"Content-Type": "application/json", **headers}
        if csrf := self.cookie("csrftoken"):
            headers["X-CSRFToken"] = csrf
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        request = urllib.request.Request(self.base + path, data, headers, method=method)
        try:
            with self.opener.open(request, timeout=10) as response:
                return (
                    response.status,
                    json.loads(response.read() or b"null"),
                    response.headers,
                )
        except urllib.error.HTTPError as error:
            with error:
                return error.code, json.loads(error.read() or b"null"), error.headers


async def test_logs_of_a_whole_session_hold_ids_and_outcomes_never_secrets_or_bodies(
    deployment: Deployment,
):
    deployment.env.update(LOG_LEVEL="INFO", LOG_FORMAT="json")
    server = deployment.start("logs")
    (alice,) = deployment.agents(("alice@villeurbanne.test", "Alice"))
    password = "correct-horse-battery"  # the harness's password for every agent
    wrong_password = "Mauvais-mot-de-passe-" + secrets.token_hex(4)
    bodies = [f"Corps confidentiel {i} " + secrets.token_hex(6) for i in range(3)]
    browser = Session(server)

    status, _, _ = browser.call(
        "POST", "/api/v1/session", {"email": alice.email, "password": wrong_password}
    )
    assert status == 401
    status, me, sent = browser.call(
        "POST",
        "/api/v1/session",
        {"email": alice.email, "password": password},
        **{"X-Request-ID": "opsx-login-1"},
    )
    assert status == 200 and sent["X-Request-ID"] == "opsx-login-1"
    session_key, csrf = browser.cookie("sessionid"), browser.cookie("csrftoken")
    assert session_key and csrf
    status, room, _ = browser.call(
        "POST", "/api/v1/rooms", {"name": "Journal", "kind": "private", "access": "invite"}
    )
    assert status == 201, room
    status, _, _ = browser.call("POST", f"/api/v1/rooms/{room['id']}/messages", {"body": bodies[0]})
    assert status == 201
    status, _, _ = browser.call(
        "POST", f"/api/v1/rooms/{room['id']}/messages", raw=b'{"body": "' + bodies[1].encode()
    )
    assert status == 400  # malformed JSON: an error, whose body must not be logged either
    status, _, _ = browser.call("GET", f"/api/v1/rooms/999999?token={alice.token}")
    assert status == 404
    sock = await Socket.open(server.ws_url(), alice.token)
    ack = await sock.request({"type": "message.send", "room": room["id"], "body": bodies[2]})
    assert ack["type"] == "ack"
    error = await sock.request({"type": "message.send", "room": 999999, "body": bodies[2]})
    assert error["type"] == "error"
    await sock.close()
    await sock.quiet(0.3)
    status, _, _ = browser.call("DELETE", "/api/v1/session")
    assert status == 204
    server.stop()  # flushes and closes the log

    text = server.log.read_text()
    for secret in [alice.token, password, wrong_password, session_key, csrf, *bodies]:
        assert secret not in text, f"{secret[:12]}… leaked into the logs"
    others = [line for line in text.splitlines() if line and not line.startswith("{")]
    assert all(line.startswith("Préau listening") for line in others), others
    lines = [json.loads(line) for line in text.splitlines() if line.startswith("{")]
    requests = [line for line in lines if line.get("event") == "http.request"]
    assert {(r["method"], r["status"]) for r in requests} >= {
        ("POST", 401),
        ("POST", 200),
        ("POST", 201),
        ("POST", 400),
        ("GET", 404),
        ("DELETE", 204),
    }
    login = next(r for r in requests if r["request_id"] == "opsx-login-1")
    assert login["path"] == "/api/v1/session" and login["user_id"] == alice.id
    assert login["duration_ms"] >= 0
    assert all("?" not in r["path"] for r in requests)
    assert len({r["request_id"] for r in requests}) == len(requests)
    closed = [line for line in lines if line.get("event") == "ws.closed"]
    assert len(closed) == 1
    assert closed[0]["user_id"] == alice.id
    assert closed[0]["frames_in"] == 2 and closed[0]["frames_out"] >= 3
    assert closed[0]["close_code"] == 1000 and closed[0]["duration_ms"] >= 0
    assert closed[0]["conn_id"]
