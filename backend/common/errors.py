"""One exception hierarchy for domain errors, rendered once by REST, socket and CLI.

Codes are those of the wire contract; ``reason`` is an optional finer-grained, stable
identifier added by Préau (e.g. ``domain_not_registered``).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _


class PreauError(Exception):
    code = "bad_request"
    status = 400
    default_message = _("Requête invalide.")

    def __init__(self, message: Any = None, *, reason: str | None = None, **extra: Any) -> None:
        self.message = message if message is not None else self.default_message
        self.reason = reason
        self.extra = extra
        super().__init__(str(self.message))

    def as_dict(self) -> dict[str, Any]:
        payload: dict[str, Any] = {"code": self.code, "message": str(self.message)}
        if self.reason:
            payload["reason"] = self.reason
        payload.update(self.extra)
        return payload


class BadRequest(PreauError):
    pass


class Unauthorized(PreauError):
    code = "unauthorized"
    status = 401
    default_message = _("Authentification requise.")


class Forbidden(PreauError):
    code = "forbidden"
    status = 403
    default_message = _("Vous n'avez pas le droit de faire cela.")


class NotFound(PreauError):
    code = "not_found"
    status = 404
    default_message = _("Introuvable.")


class Conflict(PreauError):
    code = "conflict"
    status = 409
    default_message = _("Conflit avec l'état actuel.")


class TooLarge(PreauError):
    code = "too_large"
    status = 413
    default_message = _("Contenu trop volumineux.")


class RateLimited(PreauError):
    code = "rate_limited"
    status = 429
    default_message = _("Trop de requêtes, réessayez plus tard.")
