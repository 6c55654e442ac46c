"""Shared behaviour of Préau's CLI commands: domain errors become a clear message and exit 1."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from backend.common.errors import PreauError


class PreauCommand(BaseCommand):
    def execute(self, *args: Any, **options: Any) -> Any:
        try:
            return super().execute(*args, **options)
        except PreauError as exc:
            raise CommandError(f"{exc.code}: {exc.message}", returncode=1) from None
