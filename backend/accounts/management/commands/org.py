from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser

from backend.accounts import services
from backend.accounts.models import Organisation
from backend.common.management.base import PreauCommand


class Command(PreauCommand):
    help = "Gérer les organisations : preau org add NOM --domain DOMAINE [--subdomains]"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser("add", help="Ajouter une organisation et ses domaines")
        add.add_argument("name")
        add.add_argument("--domain", action="append", required=True, dest="domains")
        add.add_argument("--subdomains", action="store_true")
        add.add_argument("--kind", default="other", choices=Organisation.Kind.values)
        add.add_argument("--insee", default="")

    def handle(self, *args: Any, **options: Any) -> None:
        result = services.organisation_add(
            name=options["name"],
            domains=options["domains"],
            covers_subdomains=options["subdomains"],
            kind=options["kind"],
            insee_code=options["insee"],
        )
        self.stdout.write(str(result.organisation.pk))
