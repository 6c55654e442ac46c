"""Processes for the benchmark: a private Redis, a fresh PostgreSQL database, servers, CPU clocks.

Everything listens on 127.0.0.1, is started by us, and is killed by ``Processes.stop_all`` —
also on Ctrl-C, SIGTERM or an error (``run.py`` installs the handlers).
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PG = os.environ.get("PREAU_BENCH_PG", "postgres://postgres@127.0.0.1:5432")
CLK_TCK = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")
NCPU = os.cpu_count() or 1


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port: int, seconds: float = 30, proc: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"process {proc.args!r} exited with {proc.returncode}")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise TimeoutError(f"nothing listens on 127.0.0.1:{port}")


def cpu_seconds(pid: int) -> float:
    """utime + stime of a process (and its reaped children are not counted)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def rss_bytes(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm") as f:
            return int(f.read().split()[1]) * PAGE
    except FileNotFoundError:
        return 0


def pin(pid: int, cpus: str | None) -> None:
    if cpus is None or NCPU < 2:
        return
    os.sched_setaffinity(pid, {int(c) for c in cpus.split(",")})


class Processes:
    """Every child process the benchmark starts, so that all of them die with it."""

    def __init__(self) -> None:
        self.procs: list[subprocess.Popen] = []
        self.cleanups: list[Any] = []

    def popen(self, args: list[str], **kwargs: Any) -> subprocess.Popen:
        proc = subprocess.Popen(args, start_new_session=True, **kwargs)  # noqa: S603
        self.procs.append(proc)
        return proc

    def kill(self, proc: subprocess.Popen, sig: int = signal.SIGKILL) -> None:
        if proc.poll() is None:
            try:
                os.killpg(proc.pid, sig)
            except ProcessLookupError:
                pass
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(10)

    def stop(self, proc: subprocess.Popen) -> None:
        """SIGTERM, then SIGKILL after 5 s."""
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(5)
            except subprocess.TimeoutExpired:
                self.kill(proc)
        if proc in self.procs:
            self.procs.remove(proc)

    def stop_all(self) -> None:
        for proc in reversed(self.procs):
            try:
                self.kill(proc)
            except Exception:  # noqa: S110 - best effort at exit
                pass
        self.procs.clear()
        for cleanup in reversed(self.cleanups):
            try:
                cleanup()
            except Exception as exc:
                print(f"[bench] cleanup failed: {exc}", file=sys.stderr)
        self.cleanups.clear()


class Redis:
    """A private redis-server: restarting or killing it disturbs nobody else."""

    def __init__(self, procs: Processes, cpus: str | None = None) -> None:
        if shutil.which("redis-server") is None:
            raise RuntimeError("redis-server is not installed")
        self.procs = procs
        self.port = free_port()
        self.cpus = cpus
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.proc = self.procs.popen(
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
                "--maxclients",
                "20000",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_port(self.port, proc=self.proc)
        pin(self.proc.pid, self.cpus)

    def kill(self) -> None:
        if self.proc is not None:
            self.procs.kill(self.proc)
            self.proc = None

    def client(self) -> Any:
        import redis

        return redis.Redis(host="127.0.0.1", port=self.port, socket_timeout=5)

    def connections(self) -> int:
        """Client connections other than the one asking."""
        return len(self.client().client_list()) - 1

    def pubsub_channels(self) -> int:
        return len(self.client().pubsub_channels())


@dataclass
class Deployment:
    """One database (PostgreSQL or an embedded SQLite file) and the env to serve it."""

    procs: Processes
    env: dict[str, str]
    db_name: str | None = None
    data_dir: str = ""
    servers: list[Server] = field(default_factory=list)

    @classmethod
    def scaled(cls, procs: Processes, redis: Redis) -> Deployment:
        import psycopg

        db_name = f"preau_bench_{secrets.token_hex(4)}"
        with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{db_name}"')
        data_dir = tempfile.mkdtemp(prefix="preau-bench-")

        def drop() -> None:
            with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)')
            shutil.rmtree(data_dir, ignore_errors=True)

        procs.cleanups.append(drop)
        env = _base_env(data_dir)
        env.update(
            DATABASE_URL=f"{PG}/{db_name}",
            REDIS_URL=redis.url,
            PREAU_BUS_PREFIX=f"bench{secrets.token_hex(3)}",
        )
        return cls(procs=procs, env=env, db_name=db_name, data_dir=data_dir)

    @classmethod
    def embedded(cls, procs: Processes) -> Deployment:
        data_dir = tempfile.mkdtemp(prefix="preau-bench-embedded-")
        procs.cleanups.append(lambda: shutil.rmtree(data_dir, ignore_errors=True))
        return cls(procs=procs, env=_base_env(data_dir), data_dir=data_dir)

    @property
    def mode(self) -> str:
        return "scaled" if self.db_name else "embedded"

    def manage(self, *args: str, timeout: float = 300) -> str:
        result = subprocess.run(  # noqa: S603
            [sys.executable, "-m", "backend.cli", *args],
            env=self.env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if result.returncode != 0:
            raise RuntimeError(f"preau {' '.join(args)} failed: {result.stderr[-2000:]}")
        return result.stdout

    def seed(self, spec: dict[str, Any]) -> dict[str, Any]:
        """Bulk users, tokens, rooms and memberships (see bench/seed.py)."""
        result = subprocess.run(  # noqa: S603
            [sys.executable, "-m", "bench.seed"],
            env=self.env,
            cwd=ROOT,
            input=json.dumps(spec),
            capture_output=True,
            text=True,
            timeout=600,
        )
        if result.returncode != 0:
            raise RuntimeError(f"seed failed: {result.stderr[-2000:]}")
        return json.loads(result.stdout.splitlines()[-1])

    def start_server(self, cpus: str | None = None, server: str = "default") -> Server:
        srv = Server(self, cpus=cpus, server=server)
        srv.start()
        self.servers.append(srv)
        return srv

    def stop_servers(self) -> None:
        for srv in self.servers:
            srv.stop()
        self.servers.clear()


def _base_env(data_dir: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST_"))}
    for name in ("DATABASE_URL", "REDIS_URL", "PREAU_ENV", "DEBUG"):
        env.pop(name, None)
    env.update(
        DJANGO_SETTINGS_MODULE="backend.settings",
        PREAU_DATA_DIR=data_dir,
        LOG_LEVEL="WARNING",
        PYTHONPATH=str(ROOT),
    )
    return env


class Server:
    """One `preau serve` process."""

    def __init__(self, deployment: Deployment, cpus: str | None, server: str) -> None:
        self.deployment = deployment
        self.port = free_port()
        self.cpus = cpus
        self.server = server
        self.proc: subprocess.Popen | None = None
        self.log = Path(deployment.data_dir) / f"serve-{self.port}.log"

    def start(self) -> None:
        args = [sys.executable, "-m", "backend.cli", "serve", "--port", str(self.port)]
        args.append("--no-migrate")
        if self.server != "default":
            args += ["--server", self.server]
        with self.log.open("ab") as log:
            self.proc = self.deployment.procs.popen(
                args, env=self.deployment.env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT
            )
        wait_port(self.port, proc=self.proc)
        pin(self.proc.pid, self.cpus)

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/ws/v1/"

    def kill(self) -> None:
        if self.proc is not None:
            self.deployment.procs.kill(self.proc)

    def stop(self) -> None:
        if self.proc is not None:
            self.deployment.procs.stop(self.proc)
            self.proc = None

    def tail(self, n: int = 20) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-n:])
        except FileNotFoundError:
            return ""


class PlainServer:
    """bench/plain_server.py: the plain `websockets` broadcast ceiling."""

    def __init__(self, procs: Processes, cpus: str | None = None) -> None:
        self.procs = procs
        self.port = free_port()
        self.cpus = cpus
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        self.proc = self.procs.popen(
            [sys.executable, "-m", "bench.plain_server", "--port", str(self.port)],
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_port(self.port, proc=self.proc)
        pin(self.proc.pid, self.cpus)

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/"

    def stop(self) -> None:
        if self.proc is not None:
            self.procs.stop(self.proc)
            self.proc = None
