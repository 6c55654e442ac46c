from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import CommandParser

from backend.common import backup
from backend.common.management.base import PreauCommand


class Command(PreauCommand):
    help = (
        "Restaurer une sauvegarde du mode embarqué dans PREAU_DATA_DIR (vide, sauf --force). "
        "Arrêtez preau serve avant ; au redémarrage il applique les migrations éventuelles."
    )
    requires_system_checks: list[str] = []  # nothing may open the database first

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("source", type=Path)
        parser.add_argument(
            "--force", action="store_true", help="Remplacer les données déjà présentes."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        manifest = backup.restore(options["source"].resolve(), force=options["force"])
        self.stdout.write(
            f"Sauvegarde du {manifest['created_at']} restaurée dans {settings.DATA_DIR} "
            f"({manifest['media']['files']} fichier(s))."
        )
