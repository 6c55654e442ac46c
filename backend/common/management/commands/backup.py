from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser

from backend.common import backup
from backend.common.management.base import PreauCommand


class Command(PreauCommand):
    help = (
        "Sauvegarder le mode embarqué (base SQLite, à chaud, et fichiers déposés) dans une "
        "archive .tar.gz. DEST est un fichier, ou un dossier où nommer l'archive par la date."
    )
    requires_system_checks: list[str] = []  # nothing may open the database first

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("dest", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        result = backup.backup(options["dest"].resolve())
        media = result.manifest["media"]
        self.stdout.write(
            f"Sauvegarde écrite : {result.path} "
            f"(base {result.manifest['database']['bytes']} octets, {media['files']} fichier(s))"
        )
