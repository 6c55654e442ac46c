from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

# Contract: frames over 64 KiB close the connection with 1009.
MAX_FRAME_BYTES = 64 * 1024


class Command(BaseCommand):
    help = "Appliquer les migrations puis servir HTTP et WebSocket sur un seul port."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--no-migrate", action="store_true", help=argparse_suppress())
        # Uvicorn (sans-I/O websockets, uvloop) is the default: it writes a room's prepared frame
        # to each idle socket directly (see realtime/transport.py and docs/performance.md).
        # Daphne stays available for comparison.
        parser.add_argument("--server", choices=["uvicorn", "daphne"], default="uvicorn")

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
        if options["server"] == "daphne":
            self._daphne(options["host"], options["port"])
        else:
            self._uvicorn(options["host"], options["port"])

    def _uvicorn(self, host: str, port: int) -> None:
        import uvicorn

        from realtime.transport import PreauWebSocketProtocol

        config = uvicorn.Config(
            "backend.asgi:application",
            host=host,
            port=port,
            loop="auto",  # uvloop when installed
            http="auto",
            ws=PreauWebSocketProtocol,
            ws_max_size=MAX_FRAME_BYTES,
            ws_per_message_deflate=False,
            lifespan="off",
            access_log=False,
            log_level="warning",
            log_config=None,  # Django's LOGGING configures the root logger
            proxy_headers=settings.PRODUCTION,
            # As Daphne's --proxy-headers: the reverse proxy in front is the only way in.
            forwarded_allow_ips="*" if settings.PRODUCTION else None,
            server_header=False,
        )
        uvicorn.Server(config).run()

    def _daphne(self, host: str, port: int) -> None:
        from daphne.cli import CommandLineInterface

        argv = [
            # Verbosity 0 turns Daphne's own access log off: RequestLogMiddleware writes one
            # structured line per request, and the consumer one per WebSocket connection.
            "-v",
            "0",
            "-b",
            host,
            "-p",
            str(port),
            "--websocket-max-message-size",
            str(MAX_FRAME_BYTES),
        ]
        if settings.PRODUCTION:
            argv.append("--proxy-headers")
        CommandLineInterface().run([*argv, "backend.asgi:application"])


def argparse_suppress() -> str:
    import argparse

    return argparse.SUPPRESS
