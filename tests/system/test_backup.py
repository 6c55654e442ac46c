"""`preau backup` / `preau restore` in embedded mode, run as an operator runs them."""

from __future__ import annotations

import sqlite3
import tarfile
from contextlib import closing
from pathlib import Path

import pytest

from tests.system.test_embedded import embedded_env, preau

pytestmark = pytest.mark.system

QUERIES = {
    "rooms": "SELECT id, name, kind, access, last_seq FROM rooms_room ORDER BY id",
    "messages": "SELECT id, room_id, author_id, body, seq FROM messaging_message ORDER BY id",
    "events": "SELECT room_id, seq, kind, data FROM rooms_roomevent ORDER BY room_id, seq",
    "agents": "SELECT id, email, password, is_active FROM accounts_user ORDER BY id",
}


def snapshot(data_dir: Path) -> dict[str, list]:
    with closing(sqlite3.connect(data_dir / "preau.sqlite3")) as db:
        return {name: db.execute(sql).fetchall() for name, sql in QUERIES.items()}


def files(data_dir: Path) -> dict[str, bytes]:
    media = data_dir / "media"
    return {
        p.relative_to(media).as_posix(): p.read_bytes() for p in media.rglob("*") if p.is_file()
    }


def test_backup_then_restore_into_a_fresh_data_dir_gives_the_same_rooms_messages_and_files(
    tmp_path: Path,
):
    origin = embedded_env(tmp_path / "origin")
    assert preau("demo", env=origin).returncode == 0
    upload = tmp_path / "origin" / "media" / "documents" / "2026"
    upload.mkdir(parents=True)
    (upload / "compte-rendu.pdf").write_bytes(b"%PDF-1.4 compte rendu du conseil\x00\xff")
    (tmp_path / "backups").mkdir()

    made = preau("backup", str(tmp_path / "backups"), env=origin)
    assert made.returncode == 0, made.stderr
    (archive,) = (tmp_path / "backups").glob("preau-backup-*.tar.gz")
    with tarfile.open(archive) as tar:
        names = set(tar.getnames())
    assert {"manifest.json", "preau.sqlite3", "media/documents/2026/compte-rendu.pdf"} <= names

    fresh = embedded_env(tmp_path / "fresh")
    checked = preau("check", env=fresh)  # what an operator may well run first
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "preau.I004" in checked.stdout + checked.stderr
    restored = preau("restore", str(archive), env=fresh)

    assert restored.returncode == 0, restored.stderr
    assert snapshot(tmp_path / "fresh") == snapshot(tmp_path / "origin")
    assert snapshot(tmp_path / "fresh")["messages"], "the demo wrote messages"
    assert files(tmp_path / "fresh") == files(tmp_path / "origin")
    check = preau("migrate", "--check", env=fresh)
    assert check.returncode == 0, check.stdout + check.stderr


def test_restore_refuses_a_data_dir_in_use_unless_forced(tmp_path: Path):
    origin = embedded_env(tmp_path / "origin")
    assert preau("demo", env=origin).returncode == 0
    archive = tmp_path / "preau.tar.gz"
    assert preau("backup", str(archive), env=origin).returncode == 0
    other = embedded_env(tmp_path / "other")
    assert preau("migrate", "-v0", env=other).returncode == 0

    refused = preau("restore", str(archive), env=other)
    forced = preau("restore", str(archive), "--force", env=other)

    assert refused.returncode == 1
    assert "--force" in refused.stderr and "Traceback" not in refused.stderr
    assert forced.returncode == 0, forced.stderr
    assert snapshot(tmp_path / "other") == snapshot(tmp_path / "origin")


def test_backup_never_overwrites_an_archive(tmp_path: Path):
    env = embedded_env(tmp_path / "data")
    assert preau("migrate", "-v0", env=env).returncode == 0
    archive = tmp_path / "preau.tar.gz"
    archive.write_bytes(b"previous")

    result = preau("backup", str(archive), env=env)

    assert result.returncode == 1 and "existe déjà" in result.stderr
    assert archive.read_bytes() == b"previous"


def test_scaled_mode_is_pointed_to_pg_dump(tmp_path: Path):
    env = embedded_env(
        tmp_path,
        DATABASE_URL="postgres://preau@127.0.0.1:1/preau",
        REDIS_URL="redis://127.0.0.1:1/0",
    )

    for command in (["backup", str(tmp_path)], ["restore", str(tmp_path / "x.tar.gz")]):
        result = preau(*command, env=env)
        assert result.returncode == 1
        assert "pg_dump" in result.stderr and "Traceback" not in result.stderr
