"""Password rules beyond Django's own (ANSSI and CNIL: length first, no low maximum)."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

_LIST = Path(__file__).resolve().parent / "data" / "breached.txt"


@cache
def _breached_cores() -> frozenset[str]:
    lines = _LIST.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


def _core(password: str) -> str:
    return "".join(c for c in password.lower() if c.isalpha())


class BreachedPasswordValidator:
    """Refuse well-known passwords padded with digits or symbols (``Azertyuiop2024!``)."""

    def validate(self, password: str, user: Any = None) -> None:
        core = _core(password)
        if not core or core in _breached_cores():
            raise ValidationError(
                _("Ce mot de passe figure dans les listes de mots de passe compromis."),
                code="password_breached",
            )

    def get_help_text(self) -> str:
        return _("Votre mot de passe ne doit pas être un mot de passe connu, même complété.")
