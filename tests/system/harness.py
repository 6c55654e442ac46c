"""Real processes for system tests: a private Redis, a fresh PostgreSQL database, `preau serve`.

Every process listens on 127.0.0.1 only, is bounded in time, and is stopped by the fixtures.
"""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
import pytest
import websockets

ROOT = Path(__file__).resolve().parents[2]
PG = os.environ.get("PREAU_TEST_PG", "postgres://postgres@127.0.0.1:5432")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port: int, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise TimeoutError(f"nothing listens on 127.0.0.1:{port}")


class RedisServer:
    """A private redis-server, so that killing it disturbs nobody else."""

    def __init__(self) -> None:
        self.port = free_port()
        self.proc: subprocess.Popen[bytes] | None = None
        if shutil.which("redis-server") is None:
            pytest.fail("redis-server is not installed: system tests need it")

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_port(self.port)

    def kill(self) -> None:
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait(10)
            self.proc = None


@dataclass
class Deployment:
    env: dict[str, str]
    db_name: str
    servers: dict[str, ServerProcess] = field(default_factory=dict)

    def cli(self, *args: str) -> str:
        result = subprocess.run(
            [sys.executable, "-m", "backend.cli", *args],
            env=self.env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
        )
        if result.returncode != 0:
            raise RuntimeError(f"preau {' '.join(args)} failed: {result.stderr}")
        return result.stdout.strip()

    def agent(self, email: str, name: str) -> Agent:
        return self.agents((email, name))[0]

    def agents(self, *specs: tuple[str, str]) -> list[Agent]:
        """Create verified agents with a token each, in one process (CLI start-up is slow)."""
        script = (
            "import json, sys\n"
            "from backend.accounts import services as s\n"
            "out = []\n"
            f"for email, name in {list(specs)!r}:\n"
            "    u = s.user_add(email=email, password='correct-horse-battery', name=name)\n"
            "    out.append([email, name, s.token_create(user=u).token, u.pk])\n"
            "print(json.dumps(out))\n"
        )
        rows = json.loads(self.cli("shell", "-c", script).splitlines()[-1])
        return [Agent(email=e, name=n, token=t, id=i) for e, n, t, i in rows]

    def start(self, name: str) -> ServerProcess:
        server = ServerProcess(name, self.env)
        server.start()
        self.servers[name] = server
        return server

    def api(
        self, method: str, path: str, body: Any = None, *, token: str, server: str | None = None
    ) -> Any:
        target = self.servers[server] if server else next(iter(self.servers.values()))
        request = urllib.request.Request(
            f"http://127.0.0.1:{target.port}/api/v1{path}",
            data=json.dumps(body).encode() if body is not None else None,
            method=method,
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - loopback
            raw = response.read()
        return json.loads(raw) if raw else None


@dataclass
class Agent:
    email: str
    name: str
    token: str
    id: int


class ServerProcess:
    def __init__(self, name: str, env: dict[str, str]) -> None:
        self.name = name
        self.env = env
        self.port = free_port()
        self.proc: subprocess.Popen[bytes] | None = None
        self.log = Path(os.environ.get("TMPDIR", "/tmp")) / f"preau-{name}-{self.port}.log"
        self.log_file: Any = None

    def start(self) -> None:
        self.log_file = self.log.open("ab")
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "backend.cli",
                "serve",
                "--port",
                str(self.port),
                "--no-migrate",
            ],
            env=self.env,
            cwd=ROOT,
            stdout=self.log_file,
            stderr=subprocess.STDOUT,
        )
        wait_port(self.port)

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)
        self._close_log()

    def _close_log(self) -> None:
        if self.log_file is not None:
            self.log_file.close()
            self.log_file = None

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()
        self._close_log()

    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/ws/v1/"


@pytest.fixture
def redis_server() -> Iterator[RedisServer]:
    server = RedisServer()
    server.start()
    yield server
    server.kill()


@pytest.fixture
def deployment(redis_server: RedisServer) -> Iterator[Deployment]:
    """A scaled-mode deployment: its own database, its own Redis, servers started on demand."""
    db_name = f"preau_sys_{secrets.token_hex(4)}"
    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{db_name}"')
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST_"))},
        "DJANGO_SETTINGS_MODULE": "backend.settings",
        "DATABASE_URL": f"{PG}/{db_name}",
        "REDIS_URL": redis_server.url,
        "PREAU_BUS_PREFIX": f"sys{secrets.token_hex(3)}",
        "PREAU_DATA_DIR": f"/tmp/{db_name}",
        "LOG_LEVEL": "WARNING",
        # Connections closed after each use: the suite runs these servers beside each other
        # and beside its own test databases, within PostgreSQL's max_connections.
        "PREAU_DB_CONN_MAX_AGE": "0",
        # The agents these tests add have no history (level 1): lift the level gates that
        # tests/backend/community covers, as backend/test_settings.py and tests/web do.
        "PREAU_LEVEL_FOR_LINKS": "1",
        "PREAU_LEVEL_FOR_ROOMS": "1",
        "PREAU_LEVEL_FOR_JOBS": "1",
        "PREAU_LEVEL_FOR_FICHES": "1",
        "PREAU_NEW_MEMBER_MESSAGES_PER_MINUTE": "0",
    }
    deployment = Deployment(env=env, db_name=db_name)
    deployment.cli("migrate", "-v0")
    deployment.cli("org", "add", "Ville de Villeurbanne", "--domain", "villeurbanne.test")
    deployment.cli("org", "add", "Département de l'Aude", "--domain", "aude.test")
    yield deployment
    for server in deployment.servers.values():
        server.stop()
    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)')
    shutil.rmtree(f"/tmp/{db_name}", ignore_errors=True)


class Socket:
    """A websockets client that records every frame it receives."""

    def __init__(self, ws: Any) -> None:
        self.ws = ws
        self.hello: dict[str, Any] = {}
        self.frames: list[dict[str, Any]] = []
        self.closed_code: int | None = None

    @classmethod
    async def open(cls, url: str, token: str | None = None, **kwargs: Any) -> Socket:
        headers = dict(kwargs.pop("additional_headers", {}))
        if token:
            headers["Authorization"] = f"Bearer {token}"
        ws = await websockets.connect(
            url, additional_headers=headers, open_timeout=10, max_size=2**22, **kwargs
        )
        sock = cls(ws)
        sock.hello = await sock.next()
        assert sock.hello["type"] == "hello", sock.hello
        return sock

    async def next(self, timeout: float = 10) -> dict[str, Any]:
        try:
            raw = await asyncio.wait_for(self.ws.recv(), timeout)
        except websockets.ConnectionClosed as exc:
            self.closed_code = exc.rcvd.code if exc.rcvd else None
            return {"type": "__closed__", "code": self.closed_code}
        frame = json.loads(raw)
        self.frames.append(frame)
        return frame

    async def send(self, frame: dict[str, Any]) -> None:
        await self.ws.send(json.dumps(frame))

    async def until(self, predicate: Any, timeout: float = 10) -> dict[str, Any]:
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0:
                raise TimeoutError("frame not received in time")
            frame = await self.next(remaining)
            if predicate(frame):
                return frame
            if frame["type"] == "__closed__":
                raise ConnectionError(f"socket closed with {frame['code']}")

    async def request(self, frame: dict[str, Any], timeout: float = 10) -> dict[str, Any]:
        ref = frame.setdefault("ref", secrets.token_hex(4))
        await self.send(frame)
        return await self.until(lambda f: f.get("ref") == ref, timeout)

    async def quiet(self, seconds: float) -> list[dict[str, Any]]:
        """Everything received during ``seconds``."""
        got = []
        deadline = asyncio.get_running_loop().time() + seconds
        while (remaining := deadline - asyncio.get_running_loop().time()) > 0:
            try:
                got.append(await asyncio.wait_for(self.next(remaining), remaining))
            except TimeoutError:
                break
        return got

    def events(self, room: int) -> list[dict[str, Any]]:
        return [f for f in self.frames if f.get("type") == "event" and f["room"] == room]

    async def close(self) -> None:
        await self.ws.close()
