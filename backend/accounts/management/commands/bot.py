from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser

from backend.accounts import services
from backend.accounts.models import User
from backend.common.errors import NotFound
from backend.common.management.base import PreauCommand


class Command(PreauCommand):
    help = "Robots : preau bot create NOM --owner EMAIL (le jeton est sur la dernière ligne)"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="Créer un robot et son jeton")
        create.add_argument("name")
        create.add_argument("--owner", required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        owner = User.objects.filter(email__iexact=options["owner"].strip(), is_bot=False).first()
        if owner is None:
            raise NotFound(f"aucun agent {options['owner']}")
        result = services.bot_create(name=options["name"], owner=owner)
        self.stdout.write(f"Robot {result.record.user.name} (id {result.record.user_id}) créé.")
        self.stdout.write("Jeton du robot ; il ne sera plus affiché :")
        self.stdout.write(result.token)
