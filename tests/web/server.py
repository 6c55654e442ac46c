"""A real ``preau serve`` process on its own PostgreSQL database, for the browser tests."""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parents[2]
ADMIN_DSN = "postgres://postgres@127.0.0.1:5432/postgres"
DEMO_PASSWORD = "preau-demo-2026"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _admin_dsn() -> str:
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        return url.rsplit("/", 1)[0] + "/postgres"
    return ADMIN_DSN


class Server:
    def __init__(self) -> None:
        worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
        self.db_name = f"preau_web_{worker}_{secrets.token_hex(4)}"
        admin = _admin_dsn()
        self.admin_dsn = admin
        self.database_url = admin.rsplit("/", 1)[0] + "/" + self.db_name
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = ROOT / "artifacts" / f"server-{self.db_name}.log"
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self.data_dir = ROOT / "var" / self.db_name
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "backend.settings",
            "DATABASE_URL": self.database_url,
            "REDIS_URL": os.environ.get("PREAU_WEB_REDIS_URL", "redis://127.0.0.1:6379/15"),
            "PREAU_BUS_PREFIX": f"preau-web-{secrets.token_hex(4)}",
            "PREAU_ORIGINS": f"{self.url},http://localhost:{self.port}",
            "PREAU_BASE_URL": self.url,
            "PREAU_DATA_DIR": str(self.data_dir),
            "LOG_LEVEL": "WARNING",
            # Connections closed after each use: the suite runs these servers beside each other
            # and beside its own test databases, within PostgreSQL's max_connections.
            "PREAU_DB_CONN_MAX_AGE": "0",
            "PYTHONUNBUFFERED": "1",
            # The agents the browser tests add have no history (level 1): lift the level gates
            # that tests/backend/community covers, as backend/test_settings.py does.
            "PREAU_LEVEL_FOR_LINKS": "1",
            "PREAU_LEVEL_FOR_ROOMS": "1",
            "PREAU_LEVEL_FOR_JOBS": "1",
            "PREAU_LEVEL_FOR_FICHES": "1",
            "PREAU_NEW_MEMBER_MESSAGES_PER_MINUTE": "0",
            # Level 2 within a few contributions, so a test can watch a badge change.
            "PREAU_LEVEL_THRESHOLDS": "5,7,200,1000",
        }
        self.proc: subprocess.Popen | None = None

    # --- database -------------------------------------------------------------------------

    def create_database(self) -> None:
        with psycopg.connect(self.admin_dsn, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{self.db_name}"')

    def drop_database(self) -> None:
        with psycopg.connect(self.admin_dsn, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self.db_name}" WITH (FORCE)')
        shutil.rmtree(self.data_dir, ignore_errors=True)

    # --- commands -------------------------------------------------------------------------

    def cli(self, *args: str) -> str:
        result = subprocess.run(
            [sys.executable, "-m", "backend.cli", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        if result.returncode != 0:
            raise RuntimeError(f"preau {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
        return result.stdout

    def start(self) -> None:
        log = self.log_path.open("ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "backend.cli", "serve", "--port", str(self.port)],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"preau serve exited: see {self.log_path}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.1)  # polling a port, not waiting for the browser
        raise RuntimeError("preau serve did not open its port in 60 s")

    def kill(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(timeout=10)
        self.proc = None

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self.proc = None

    def restart(self) -> None:
        self.kill()
        self.start()
