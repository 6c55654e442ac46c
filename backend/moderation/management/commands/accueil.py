from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser

from backend.accounts.models import User
from backend.common.errors import NotFound
from backend.common.management.base import PreauCommand
from backend.moderation import accueil


def _agent(email: str) -> User:
    user = User.objects.filter(email__iexact=email.strip(), is_bot=False, is_active=True).first()
    if user is None:
        raise NotFound(f"aucun agent actif {email}")
    return user


class Command(PreauCommand):
    help = (
        "Créer le salon Accueil, ouvert à tous les agents, et nommer ses animateurs "
        "(idempotent) : preau accueil --owner EMAIL [--animateur EMAIL]…"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--owner", required=True, help="Propriétaire du salon (à sa création)")
        parser.add_argument(
            "--animateur",
            action="append",
            default=[],
            dest="animateurs",
            help="Agent nommé modérateur de l'Accueil (répétable)",
        )
        parser.add_argument("--name", default=accueil.DEFAULT_NAME, help="Nom, à la création")

    def handle(self, *args: Any, **options: Any) -> None:
        owner = _agent(options["owner"])
        animateurs = [_agent(email) for email in options["animateurs"]]
        result = accueil.accueil_setup(owner=owner, animateurs=animateurs, name=options["name"])
        state = "créé" if result.created else "déjà en place"
        self.stdout.write(f"Salon {result.room.name} (id {result.room.pk}) {state}.")
        for user in result.animateurs_added:
            self.stdout.write(f"Animateur ajouté : {user.name} <{user.email}>")
        self.stdout.write(str(result.room.pk))
