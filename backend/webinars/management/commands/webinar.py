"""``preau webinar list|create|export|state``: the webinar services from the command line.

The operator acts as an agent (``--host`` for create, ``--as`` otherwise, by default the
webinar's first moderator): the same services and the same checks as the REST API.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser

from backend.accounts.models import User
from backend.common.errors import NotFound
from backend.common.management.base import PreauCommand
from backend.webinars import exports, selectors, services
from backend.webinars.models import Host, Webinar


def _agent(email: str) -> User:
    user = User.objects.filter(email__iexact=email.strip(), is_bot=False).first()
    if user is None or not user.is_agent:
        raise NotFound(f"aucun agent {email}")
    return user


def _actor(webinar_id: int, email: str | None) -> User:
    if email:
        return _agent(email)
    if not Webinar.objects.filter(pk=webinar_id).exists():
        raise NotFound(f"aucun webinaire {webinar_id}")
    host = (
        Host.objects.filter(webinar_id=webinar_id, role=Host.Role.MODERATOR)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    if host is None:
        raise NotFound(f"le webinaire {webinar_id} n'a pas de modérateur ; indiquez --as EMAIL")
    return host.user


class Command(PreauCommand):
    help = (
        "Webinaires : preau webinar list ; create --room ID|--new-room ACCESS --title … --start … "
        "--end … --host EMAIL ; export ID --format csv|md ; state ID live|ended"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        listing = sub.add_parser(
            "list", help="Lister les webinaires (id, état, début, salon, titre)"
        )
        listing.add_argument("--ended", action="store_true", help="Avec les webinaires terminés")
        create = sub.add_parser("create", help="Programmer un webinaire (l'id est imprimé)")
        where = create.add_mutually_exclusive_group(required=True)
        where.add_argument("--room", type=int, help="Un salon que l'animateur modère")
        where.add_argument(
            "--new-room",
            choices=["organisation", "open", "invite"],
            help="Créer un salon pour le webinaire, avec cet accès",
        )
        create.add_argument("--theme", help="Thème du nouveau salon (sauf invite)")
        create.add_argument("--title", required=True)
        create.add_argument("--description", default="")
        create.add_argument("--start", required=True, help="ISO 8601 avec fuseau horaire")
        create.add_argument("--end", required=True, help="ISO 8601 avec fuseau horaire")
        create.add_argument("--host", required=True, help="Courriel de l'animateur (modérateur)")
        create.add_argument("--no-premoderation", action="store_true")
        export = sub.add_parser("export", help="Exporter les questions-réponses sur la sortie")
        export.add_argument("webinar_id", type=int)
        export.add_argument("--format", choices=["csv", "md"], default="csv")
        export.add_argument("--as", dest="as_email", help="Courriel d'un animateur")
        state = sub.add_parser("state", help="Démarrer (live) ou terminer (ended)")
        state.add_argument("webinar_id", type=int)
        state.add_argument("state", choices=["live", "ended"])
        state.add_argument("--as", dest="as_email", help="Courriel d'un modérateur")

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, f"_{options['action']}")(options)

    def _list(self, options: dict[str, Any]) -> None:
        webinars = Webinar.objects.select_related("room").order_by("starts_at", "pk")
        if not options["ended"]:
            webinars = webinars.exclude(state=Webinar.State.ENDED)
        for w in webinars:
            self.stdout.write(
                f"{w.pk}\t{w.state}\t{w.starts_at.isoformat()}\t{w.room_id}:{w.room.name}\t{w.title}"
            )

    def _create(self, options: dict[str, Any]) -> None:
        host = _agent(options["host"])
        where: dict[str, Any] = {"room_id": options["room"]}
        if options["new_room"]:
            where = {"new_room": {"access": options["new_room"], "theme": options["theme"]}}
        result = services.webinar_create(
            actor=host,
            title=options["title"],
            description=options["description"],
            starts_at=options["start"],
            ends_at=options["end"],
            premoderation=not options["no_premoderation"],
            **where,
        )
        webinar = result.webinar
        self.stdout.write(
            f"Webinaire « {webinar.title} » programmé dans le salon {webinar.room_id}."
        )
        self.stdout.write(str(webinar.pk))

    def _export(self, options: dict[str, Any]) -> None:
        actor = _actor(options["webinar_id"], options["as_email"])
        webinar, questions = selectors.export_rows_for(user=actor, webinar_id=options["webinar_id"])
        if options["format"] == "csv":
            self.stdout.write(exports.to_csv(webinar, questions), ending="")
        else:
            self.stdout.write(exports.to_markdown(webinar, questions), ending="")

    def _state(self, options: dict[str, Any]) -> None:
        actor = _actor(options["webinar_id"], options["as_email"])
        action = "start" if options["state"] == "live" else "end"
        webinar = services.webinar_transition(
            actor=actor, webinar_id=options["webinar_id"], action=action
        ).webinar
        self.stdout.write(f"Webinaire {webinar.pk} : {webinar.state}.")
