from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Appliquer les migrations puis servir HTTP et WebSocket sur un seul port (Daphne)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--no-migrate", action="store_true", help=argparse_suppress())

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["no_migrate"]:
            call_command("migrate", interactive=False, verbosity=0)
        if settings.PRODUCTION:
            call_command("collectstatic", interactive=False, verbosity=0)
        mode = "embedded (SQLite, in-process)" if settings.EMBEDDED else "scaled (PostgreSQL/Redis)"
        self.stdout.write(
            f"Préau listening on http://{options['host']}:{options['port']}/ — mode {mode}"
        )
        self.stdout.flush()
        from daphne.cli import CommandLineInterface

        argv = [
            # Verbosity 0 turns Daphne's own access log off: RequestLogMiddleware writes one
            # structured line per request, and the consumer one per WebSocket connection.
            "-v",
            "0",
            "-b",
            options["host"],
            "-p",
            str(options["port"]),
            # Contract: frames over 64 KiB close the connection with 1009.
            "--websocket-max-message-size",
            str(64 * 1024),
        ]
        if settings.PRODUCTION:
            argv.append("--proxy-headers")
        CommandLineInterface().run([*argv, "backend.asgi:application"])


def argparse_suppress() -> str:
    import argparse

    return argparse.SUPPRESS
