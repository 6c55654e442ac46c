from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser

from backend.common.management.base import PreauCommand
from backend.integrations.announcements import announcements_send_due


class Command(PreauCommand):
    help = (
        "Annonces : preau announcements send-due envoie les annonces programmées arrivées à "
        "échéance (chacune une seule fois, même lancée par cron sur plusieurs machines)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("send-due", help="Envoyer les annonces programmées échues")

    def handle(self, *args: Any, **options: Any) -> None:
        total = 0
        while True:
            sent = announcements_send_due()
            total += sent
            if not sent:
                break
        self.stdout.write(f"{total} annonce(s) programmée(s) traitée(s).")
