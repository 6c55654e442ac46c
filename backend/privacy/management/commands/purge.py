from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser

from backend.common.management.base import PreauCommand
from backend.privacy.services import retention_purge


class Command(PreauCommand):
    help = (
        "Efface les messages plus anciens que la durée de conservation de leur salon "
        "(Room.retention_days). À lancer chaque jour (cron, timer systemd)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Compter sans rien effacer")

    def handle(self, *args: Any, **options: Any) -> None:
        result = retention_purge(dry_run=options["dry_run"])
        verb = "à effacer" if options["dry_run"] else "effacés"
        self.stdout.write(f"{result.messages} message(s) {verb} dans {result.rooms} salon(s).")
