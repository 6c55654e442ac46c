"""Backups of the embedded mode: the SQLite database (online) and the uploaded files.

An archive is a ``.tar.gz`` holding ``manifest.json``, ``preau.sqlite3`` (a consistent copy
made with SQLite's online backup API, so the server keeps running) and ``media/``. The scaled
mode is backed up with ``pg_dump`` (docs/deploy.md): PostgreSQL's own tools do it better.
"""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import sqlite3
import tarfile
import tempfile
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connections

from .errors import BadRequest, Conflict

FORMAT = "preau-backup"
VERSION = 1
DB_NAME = "preau.sqlite3"
SCALED_REFUSAL = (
    "preau backup/restore sauvegardent le mode embarqué (SQLite). Ce serveur utilise "
    "PostgreSQL : sauvegardez avec pg_dump et restaurez avec pg_restore (docs/deploy.md, "
    "« Backups / Sauvegardes »)."
)


@dataclass(frozen=True)
class BackupResult:
    path: Path
    manifest: dict[str, Any]


def _require_sqlite() -> Path:
    db = settings.DATABASES["default"]
    if "sqlite3" not in db["ENGINE"]:
        raise BadRequest(SCALED_REFUSAL, reason="scaled_mode")
    return Path(db["NAME"])


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.is_dir() else []


def _applied_migrations(database: Path) -> dict[str, str]:
    with closing(sqlite3.connect(database)) as db:
        try:
            rows = db.execute("SELECT app, name FROM django_migrations ORDER BY id").fetchall()
        except sqlite3.DatabaseError:
            return {}
    return dict(rows)  # the last applied migration of each app


def backup(dest: Path) -> BackupResult:
    source = _require_sqlite()
    if not source.is_file():
        raise BadRequest(f"Aucune base à sauvegarder : {source} n'existe pas.")
    now = datetime.now(UTC)
    if dest.is_dir():
        dest = dest / f"preau-backup-{now:%Y%m%d-%H%M%S}.tar.gz"
    if dest.exists():
        raise Conflict(f"{dest} existe déjà : choisissez un autre nom.")
    if not dest.parent.is_dir():
        raise BadRequest(f"Le dossier {dest.parent} n'existe pas.")
    media = Path(settings.MEDIA_ROOT)
    with tempfile.TemporaryDirectory(dir=dest.parent) as tmp:
        copy = Path(tmp) / DB_NAME
        with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(copy)) as dst:
            src.backup(dst)  # a consistent snapshot, even while the server writes
        files = _files(media)
        manifest = {
            "format": FORMAT,
            "version": VERSION,
            "created_at": now.isoformat(timespec="seconds"),
            "database": {"file": DB_NAME, "bytes": copy.stat().st_size, "sha256": _sha256(copy)},
            "media": {"files": len(files), "bytes": sum(p.stat().st_size for p in files)},
            "migrations": _applied_migrations(copy),
        }
        partial = Path(tmp) / "archive.tar.gz"
        with tarfile.open(partial, "w:gz") as tar:
            data = json.dumps(manifest, indent=2, ensure_ascii=False).encode()
            info = tarfile.TarInfo("manifest.json")
            info.size, info.mtime = len(data), int(now.timestamp())
            tar.addfile(info, io.BytesIO(data))
            tar.add(copy, DB_NAME)
            for path in files:
                tar.add(path, f"media/{path.relative_to(media).as_posix()}")
        partial.replace(dest)  # never leave a half-written archive under the final name
    return BackupResult(path=dest, manifest=manifest)


def _read_manifest(tar: tarfile.TarFile) -> dict[str, Any]:
    try:
        member = tar.extractfile("manifest.json")
        manifest = json.loads(member.read()) if member else None
    except (KeyError, ValueError):
        manifest = None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BadRequest("Ce fichier n'est pas une sauvegarde Préau (manifest.json absent).")
    if manifest.get("version") != VERSION:
        raise BadRequest(f"Version de sauvegarde inconnue : {manifest.get('version')}.")
    return manifest


def _safe_members(tar: tarfile.TarFile) -> list[tarfile.TarInfo]:
    wanted = []
    for member in tar.getmembers():
        name = member.name
        if name in ("manifest.json", DB_NAME) or name.startswith("media/"):
            wanted.append(member)
        else:
            raise BadRequest(f"Entrée inattendue dans l'archive : {name}")
    return wanted


def _has_tables(database: Path) -> bool:
    if not database.is_file():
        return False
    try:
        with closing(sqlite3.connect(f"{database.as_uri()}?mode=ro", uri=True)) as db:
            return db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] > 0
    except sqlite3.DatabaseError:
        return True  # not a database we can read: do not overwrite it silently


def data_dir_in_use(database: Path, media: Path) -> bool:
    """Data worth keeping: a database with tables, or uploaded files."""
    return _has_tables(database) or bool(_files(media))


def restore(source: Path, *, force: bool = False) -> dict[str, Any]:
    target = _require_sqlite()
    media = Path(settings.MEDIA_ROOT)
    if not source.is_file():
        raise BadRequest(f"{source} n'existe pas.")
    if data_dir_in_use(target, media) and not force:
        raise Conflict(
            f"{settings.DATA_DIR} contient déjà des données : restaurez dans un PREAU_DATA_DIR "
            "vide, ou ajoutez --force pour les remplacer (arrêtez d'abord preau serve)."
        )
    connections.close_all()
    with tempfile.TemporaryDirectory(dir=target.parent) as tmp:
        with tarfile.open(source, "r:gz") as tar:
            manifest = _read_manifest(tar)
            tar.extractall(tmp, members=_safe_members(tar), filter="data")
        copy = Path(tmp) / DB_NAME
        if not copy.is_file() or _sha256(copy) != manifest["database"]["sha256"]:
            raise BadRequest("La base de l'archive est absente ou abîmée (empreinte différente).")
        for suffix in ("", "-wal", "-shm"):
            Path(f"{target}{suffix}").unlink(missing_ok=True)
        with closing(sqlite3.connect(copy)) as src, closing(sqlite3.connect(target)) as dst:
            src.backup(dst)
        if media.exists():
            shutil.rmtree(media)
        if (Path(tmp) / "media").is_dir():
            shutil.move(Path(tmp) / "media", media)
    return manifest
