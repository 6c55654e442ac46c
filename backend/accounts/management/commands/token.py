from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser

from backend.accounts import services
from backend.accounts.models import User
from backend.common.errors import NotFound
from backend.common.management.base import PreauCommand


class Command(PreauCommand):
    help = "Jetons personnels : preau token create EMAIL (le jeton est sur la dernière ligne)"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="Créer un jeton personnel")
        create.add_argument("email")
        create.add_argument("--name", default="cli")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(email__iexact=options["email"].strip(), is_bot=False).first()
        if user is None:
            raise NotFound(f"aucun agent {options['email']}")
        result = services.token_create(user=user, name=options["name"])
        self.stdout.write("Jeton créé ; il ne sera plus affiché :")
        self.stdout.write(result.token)
