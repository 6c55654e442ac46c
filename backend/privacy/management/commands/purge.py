from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser

from backend.common.management.base import PreauCommand
from backend.moderation.purge import moderation_purge
from backend.privacy.services import retention_purge


class Command(PreauCommand):
    help = (
        "Efface les messages plus anciens que la durée de conservation de leur salon "
        "(Room.retention_days), puis le journal d'audit et le contenu des messages masqués par "
        "les modérateurs au-delà de PREAU_AUDIT_RETENTION_DAYS. À lancer chaque jour (cron, "
        "timer systemd)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Compter sans rien effacer")

    def handle(self, *args: Any, **options: Any) -> None:
        result = retention_purge(dry_run=options["dry_run"])
        verb = "à effacer" if options["dry_run"] else "effacés"
        self.stdout.write(f"{result.messages} message(s) {verb} dans {result.rooms} salon(s).")
        audit = moderation_purge(dry_run=options["dry_run"])
        self.stdout.write(
            f"{audit.hidden_messages} message(s) masqué(s) {verb}, "
            f"{audit.entries} entrée(s) du journal d'audit {verb}."
        )
