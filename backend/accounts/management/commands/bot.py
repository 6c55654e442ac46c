from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser

from backend.accounts import services
from backend.accounts.models import User
from backend.common.errors import NotFound
from backend.common.management.base import PreauCommand


class Command(PreauCommand):
    help = (
        "Robots : preau bot create NOM --owner EMAIL (le jeton est sur la dernière ligne) ; "
        "preau bot outgoing create|list|rotate|delete … (webhooks sortants)"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="Créer un robot et son jeton")
        create.add_argument("name")
        create.add_argument("--owner", required=True)
        out = sub.add_parser("outgoing", help="Webhooks sortants d'un robot")
        verbs = out.add_subparsers(dest="verb", required=True)
        add = verbs.add_parser("create", help="Créer (le secret est sur la dernière ligne)")
        add.add_argument("bot_id", type=int)
        add.add_argument("url")
        add.add_argument("--room", type=int, action="append", default=[], help="Salon suivi")
        add.add_argument("--no-mention", action="store_true", help="Ignorer les mentions")
        listing = verbs.add_parser("list", help="Lister")
        listing.add_argument("bot_id", type=int)
        for verb, text in (("rotate", "Renouveler le secret"), ("delete", "Supprimer")):
            one = verbs.add_parser(verb, help=text)
            one.add_argument("bot_id", type=int)
            one.add_argument("webhook_id", type=int)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "outgoing":
            self._outgoing(options)
            return
        owner = User.objects.filter(email__iexact=options["owner"].strip(), is_bot=False).first()
        if owner is None:
            raise NotFound(f"aucun agent {options['owner']}")
        result = services.bot_create(name=options["name"], owner=owner)
        self.stdout.write(f"Robot {result.record.user.name} (id {result.record.user_id}) créé.")
        self.stdout.write("Jeton du robot ; il ne sera plus affiché :")
        self.stdout.write(result.token)

    def _outgoing(self, options: dict[str, Any]) -> None:
        from backend.integrations import outgoing

        # The operator acts as the bot's owner: the same service, the same checks.
        bot = User.objects.filter(pk=options["bot_id"], is_bot=True).first()
        if bot is None or bot.bot_owner is None:
            raise NotFound(f"aucun robot {options['bot_id']}")
        actor, verb = bot.bot_owner, options["verb"]
        if verb == "create":
            result = outgoing.outgoing_create(
                actor=actor,
                bot_id=bot.pk,
                url=options["url"],
                on_mention=not options["no_mention"],
                rooms=options["room"],
            )
            self.stdout.write(f"Webhook sortant {result.webhook.pk} créé.")
            self.stdout.write("Secret de signature ; il ne sera plus affiché :")
            self.stdout.write(result.secret)
        elif verb == "list":
            for hook in outgoing.outgoing_list_for(actor=actor, bot_id=bot.pk):
                rooms = ",".join(str(r) for r in hook["rooms"]) or "-"
                self.stdout.write(
                    f"{hook['id']}\t{hook['url']}\tmentions={'oui' if hook['on_mention'] else 'non'}"
                    f"\tsalons={rooms}\ten attente={hook['pending']}\téchecs={hook['failed']}"
                )
        elif verb == "rotate":
            result = outgoing.outgoing_secret_rotate(
                actor=actor, bot_id=bot.pk, webhook_id=options["webhook_id"]
            )
            self.stdout.write("Nouveau secret de signature ; il ne sera plus affiché :")
            self.stdout.write(result.secret)
        else:
            outgoing.outgoing_delete(actor=actor, bot_id=bot.pk, webhook_id=options["webhook_id"])
            self.stdout.write(f"Webhook sortant {options['webhook_id']} supprimé.")
