"""The embedded mode as a person starts it: real `preau` processes on SQLite, nothing configured.

Unlike the rest of the suite these tests use no PostgreSQL or Redis: every process gets an
environment without DATABASE_URL / REDIS_URL and its own PREAU_DATA_DIR.
"""

from __future__ import annotations

import http.cookiejar
import json
import os
import secrets
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

from backend.common.management.commands.demo import AGENTS, DEMO_PASSWORD

ROOT = Path(__file__).resolve().parents[2]
# Variables that would select the scaled mode or the test settings in a child process.
SCALED = {
    "DATABASE_URL",
    "REDIS_URL",
    "DJANGO_SETTINGS_MODULE",
    "PREAU_ENV",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "PREAU_BUS_PREFIX",
    "DEBUG",
}

pytestmark = pytest.mark.system


def embedded_env(data_dir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in SCALED and not k.startswith("PYTEST")}
    return {**env, "PREAU_DATA_DIR": str(data_dir), "PYTHONUNBUFFERED": "1", **extra}


def preau(*args: str, env: dict[str, str], timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "backend.cli", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def table_counts(database: Path) -> dict[str, int]:
    with closing(sqlite3.connect(database)) as db:
        tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return {t: db.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}


class Browser:
    """Just enough of a browser for the REST API: cookies, JSON and the CSRF header."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies))

    def call(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        headers = {"Content-Type": "application/json", "Accept-Language": "fr"}
        csrf = next((c.value for c in self.cookies if c.name == "csrftoken"), None)
        if csrf:
            headers["X-CSRFToken"] = csrf
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.base + path, data, headers, method=method)
        try:
            with self.opener.open(request, timeout=30) as response:
                return response.status, json.loads(response.read() or b"null")
        except urllib.error.HTTPError as error:
            with error:
                return error.code, json.loads(error.read() or b"null")


@pytest.fixture
def demo_env(tmp_path: Path) -> dict[str, str]:
    env = embedded_env(tmp_path / "data")
    result = preau("demo", env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    return env


@pytest.fixture
def server(demo_env: dict[str, str], tmp_path: Path) -> Iterator[str]:
    port = free_port()
    log = (tmp_path / "serve.log").open("w+")
    process = subprocess.Popen(
        [sys.executable, "-m", "backend.cli", "serve", "--port", str(port)],
        cwd=ROOT,
        env=demo_env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, (
                f"preau serve exited:\n{(tmp_path / 'serve.log').read_text()}"
            )
            try:
                with urllib.request.urlopen(base + "/robots.txt", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            assert time.monotonic() < deadline, "preau serve did not answer within 60 s"
            time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.seek(0)
        output = log.read()
        log.close()
    assert "mode embedded" in output, output


def test_embedded_server_logs_in_a_demo_agent_and_round_trips_a_message(
    server: str, demo_env: dict[str, str]
) -> None:
    email = AGENTS[0][0]
    browser = Browser(server)

    status, me = browser.call(
        "POST", "/api/v1/session", {"email": email, "password": DEMO_PASSWORD}
    )
    assert status == 200, me
    assert me["email"] == email

    status, rooms = browser.call("GET", "/api/v1/rooms")
    assert status == 200, rooms
    mine = [room for room in rooms if room["is_member"]]
    assert mine, rooms
    room = mine[0]

    body = "Message de test du mode embarqué ✓"
    status, message = browser.call(
        "POST", f"/api/v1/rooms/{room['id']}/messages", {"body": body, "client_id": "smoke-1"}
    )
    assert status == 201, message
    assert message["seq"] == room["seq"] + 1

    status, page = browser.call("GET", f"/api/v1/rooms/{room['id']}/events?after={room['seq']}")
    assert status == 200, page
    assert [(e["seq"], e["event"]) for e in page["events"]] == [(message["seq"], "message.created")]
    assert page["events"][0]["data"]["body"] == body
    assert page["events"][0]["data"]["id"] == message["id"]

    database = Path(demo_env["PREAU_DATA_DIR"]) / "preau.sqlite3"
    assert database.is_file()
    assert table_counts(database)["messaging_message"] >= 1


def test_demo_twice_changes_nothing(tmp_path: Path) -> None:
    env = embedded_env(tmp_path)
    first = preau("demo", env=env)
    assert first.returncode == 0, first.stdout + first.stderr
    counts = table_counts(tmp_path / "preau.sqlite3")

    second = preau("demo", env=env)

    assert second.returncode == 0, second.stdout + second.stderr
    assert table_counts(tmp_path / "preau.sqlite3") == counts
    assert counts["accounts_user"] == len(AGENTS)
    assert counts["messaging_message"] > 0
    assert DEMO_PASSWORD in second.stdout
    assert all(email in second.stdout for email, *_ in AGENTS)


def test_production_profile_refuses_the_development_secret_key(tmp_path: Path) -> None:
    env = embedded_env(tmp_path, PREAU_ENV="production", ALLOWED_HOSTS="preau.example.org")

    result = manage("check", env=env)

    assert result.returncode != 0
    assert "Insecure production configuration" in result.stderr
    assert "SECRET_KEY" in result.stderr


def test_production_profile_refuses_to_serve_without_allowed_hosts(tmp_path: Path) -> None:
    env = embedded_env(tmp_path, PREAU_ENV="production", SECRET_KEY=secrets.token_urlsafe(45))

    result = preau("serve", "--port", str(free_port()), env=env, timeout=60)

    assert result.returncode != 0
    assert "ALLOWED_HOSTS" in result.stderr


def test_production_profile_passes_the_deployment_checks(tmp_path: Path) -> None:
    env = embedded_env(
        tmp_path,
        PREAU_ENV="production",
        SECRET_KEY=secrets.token_urlsafe(45),
        ALLOWED_HOSTS="preau.example.org",
        PREAU_BASE_URL="https://preau.example.org",
    )
    assert len(env["SECRET_KEY"]) == 60

    result = manage("check", "--deploy", "--fail-level", "WARNING", env=env)

    assert result.returncode == 0, result.stdout + result.stderr


def test_production_profile_secures_cookies_and_transport(tmp_path: Path) -> None:
    env = embedded_env(
        tmp_path,
        PREAU_ENV="production",
        SECRET_KEY=secrets.token_urlsafe(45),
        ALLOWED_HOSTS="preau.example.org",
    )
    names = [
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "SESSION_COOKIE_HTTPONLY",
        "SESSION_COOKIE_SAMESITE",
        "CSRF_COOKIE_SAMESITE",
        "SECURE_HSTS_SECONDS",
        "SECURE_CONTENT_TYPE_NOSNIFF",
        "SECURE_REFERRER_POLICY",
        "X_FRAME_OPTIONS",
    ]
    code = f"from django.conf import settings; print([getattr(settings, n) for n in {names!r}])"

    result = manage("shell", "-c", code, env=env)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == str(
        [True, True, True, "Lax", "Lax", 31536000, True, "same-origin", "DENY"]
    )


def test_embedded_search_understands_french_on_sqlite(server: str) -> None:
    browser = Browser(server)
    status, _me = browser.call(
        "POST", "/api/v1/session", {"email": AGENTS[0][0], "password": DEMO_PASSWORD}
    )
    assert status == 200
    status, rooms = browser.call("GET", "/api/v1/rooms?mine=true")
    room = rooms[0]
    ids = {}
    for key, body in [
        ("plural", "Compte rendu des réunions de quartier"),
        ("plain", "Prochaine reunion jeudi"),
        ("singular", "Chaque collectivité répond"),
    ]:
        status, message = browser.call(
            "POST", f"/api/v1/rooms/{room['id']}/messages", {"body": body}
        )
        assert status == 201, message
        ids[key] = message["id"]
    status, page = browser.call("GET", "/api/v1/search?q=r%C3%A9union")
    assert status == 200, page
    assert page["engine"] == "sqlite-fts5"
    assert {r["message"]["id"] for r in page["results"]} == {ids["plural"], ids["plain"]}
    status, page = browser.call("GET", "/api/v1/search?q=collectivit%C3%A9s")
    assert [r["message"]["id"] for r in page["results"]] == [ids["singular"]]
    hit = page["results"][0]
    start, end = hit["highlights"][0]
    assert hit["snippet"][start:end] == "collectivité"


@pytest.fixture
def loopback_hooks(demo_env: dict[str, str]) -> None:
    """The local receiver listens on loopback, which outgoing webhooks refuse by default."""
    demo_env["PREAU_OUTGOING_ALLOWED_NETWORKS"] = "127.0.0.1/32"


def test_embedded_server_delivers_outgoing_webhooks_and_posts_the_reply(
    loopback_hooks: None, server: str
) -> None:
    from tests.receiver import Answer, start_receiver

    receiver, http_server = start_receiver()
    receiver.answers = [Answer(body={"text": "Bien reçu"})]
    try:
        browser = Browser(server)
        browser.call("POST", "/api/v1/session", {"email": AGENTS[0][0], "password": DEMO_PASSWORD})
        _status, rooms = browser.call("GET", "/api/v1/rooms?mine=true")
        room = next(r for r in rooms if r["role"] in ("owner", "moderator"))
        status, bot = browser.call("POST", "/api/v1/bots", {"name": "Sentinelle"})
        assert status == 201, bot
        status, grant = browser.call(
            "POST", f"/api/v1/bots/{bot['id']}/grants", {"room": room["id"]}
        )
        assert status == 201, grant
        status, hook = browser.call(
            "POST", f"/api/v1/bots/{bot['id']}/outgoing", {"url": receiver.url}
        )
        assert status == 201, hook
        status, _message = browser.call(
            "POST", f"/api/v1/rooms/{room['id']}/messages", {"body": "@Sentinelle ça va ?"}
        )
        assert status == 201

        assert receiver.arrived.wait(15), "no delivery within 15 s"
        assert receiver.received[0].signed_with(hook["secret"])
        deadline = time.monotonic() + 15
        while True:
            _status, page = browser.call(
                "GET", f"/api/v1/rooms/{room['id']}/events?after={room['seq']}"
            )
            bodies = [e["data"].get("body") for e in page["events"]]
            if "Bien reçu" in bodies:
                break
            assert time.monotonic() < deadline, bodies[-5:]
            time.sleep(0.2)
    finally:
        http_server.shutdown()
        http_server.server_close()


@pytest.fixture
def fiche_writers(demo_env: dict[str, str]) -> None:
    """Demo agents write fiches whatever their level (the gate has its own tests)."""
    demo_env["PREAU_LEVEL_FOR_FICHES"] = "1"


def test_embedded_fiche_search_understands_french_on_sqlite(fiche_writers, server: str) -> None:
    browser = Browser(server)
    status, _me = browser.call(
        "POST", "/api/v1/session", {"email": AGENTS[0][0], "password": DEMO_PASSWORD}
    )
    assert status == 200
    status, rooms = browser.call("GET", "/api/v1/rooms?mine=true")
    status, root = browser.call(
        "POST", f"/api/v1/rooms/{rooms[0]['id']}/messages", {"body": "Quel modèle ?"}
    )
    assert status == 201, root
    status, fiche = browser.call(
        "POST",
        "/api/v1/fiches",
        {"thread": root["id"], "title": "Modèle", "summary": "La délibération du conseil."},
    )
    assert status == 201, fiche
    status, page = browser.call("GET", "/api/v1/fiches?q=d%C3%A9lib%C3%A9rations")
    assert status == 200, page
    assert [r["id"] for r in page["results"]] == [fiche["id"]]
    status, edited = browser.call(
        "PATCH", f"/api/v1/fiches/{fiche['id']}", {"summary": "Le budget primitif."}
    )
    assert status == 200, edited
    status, page = browser.call("GET", "/api/v1/fiches?q=d%C3%A9lib%C3%A9ration")
    assert page["total"] == 0
    status, page = browser.call("GET", "/api/v1/fiches?q=budgets")
    assert [r["id"] for r in page["results"]] == [fiche["id"]]
