from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser

from backend.accounts import services
from backend.common.management.base import PreauCommand


class Command(PreauCommand):
    help = "Gérer les agents : preau user add EMAIL --password MOT_DE_PASSE [--name NOM] [--staff]"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser("add", help="Créer un agent vérifié")
        add.add_argument("email")
        add.add_argument("--password", required=True)
        add.add_argument("--name", default="")
        add.add_argument("--job-title", default="")
        add.add_argument("--staff", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        user = services.user_add(
            email=options["email"],
            password=options["password"],
            name=options["name"],
            job_title=options["job_title"],
            staff=options["staff"],
        )
        self.stdout.write(str(user.pk))
