"""``preau check``: Django's checks, plus whether PostgreSQL, Redis and SMTP answer."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser
from django.core.management.commands.check import Command as DjangoCheck

from backend.common import checks


class Command(DjangoCheck):
    help = (
        "Vérifier la configuration (secrets, hôtes, courriel) et que PostgreSQL, Redis et le "
        "serveur SMTP répondent. --deploy ajoute les contrôles de sécurité de production."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--no-connect",
            action="store_true",
            help="Ne pas contacter PostgreSQL, Redis ni le serveur SMTP (configuration seule).",
        )

    def handle(self, *app_labels: Any, **options: Any) -> None:
        checks.ACTIVE, checks.CONNECT = True, not options["no_connect"]
        try:
            super().handle(*app_labels, **options)
        finally:
            checks.ACTIVE = checks.CONNECT = False
