"""The REST API's shared parts: authentication and the single error renderer.

django-ninja was chosen over DRF: its schemas are pydantic models (the same typing style as our
event payloads), it generates OpenAPI 3.1 from the type annotations, and its views are plain
functions, which keeps endpoints thin (parse -> one service call -> render).
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.schema import DjangoGetter
from ninja.security import HttpBearer
from ninja.security.session import SessionAuth
from pydantic import ConfigDict, model_validator
from pydantic_core import PydanticCustomError

from backend.accounts.services import token_authenticate

from . import metrics
from .errors import BadRequest, Forbidden, PreauError, TooLarge

log = logging.getLogger("preau.api")


class StrictIn(Schema):
    """A request body: a JSON object whose fields are strictly typed (no coercion)."""

    model_config = ConfigDict(strict=True)

    @model_validator(mode="before")
    @classmethod
    def _json_object_only(cls, data: Any) -> Any:
        # ninja's schemas read any value as an object with attributes (from_attributes), so a
        # body of 5, [] or null would pass wherever every field is optional.
        raw = data._obj if isinstance(data, DjangoGetter) else data
        if not isinstance(raw, dict):
            raise PydanticCustomError("object_expected", "un objet JSON est attendu")
        return data


class ErrorOut(Schema):
    code: str
    message: str
    reason: str | None = None


ERRORS: dict[int, Any] = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    413: ErrorOut,
    429: ErrorOut,
}


def iso_datetime(value: str | None, name: str) -> datetime | None:
    """An optional ISO 8601 date-time from a request body; a clear 400 when it is not one."""
    if value is None:
        return None
    if len(value) > 64:
        raise TooLarge()
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        raise BadRequest(
            _("« %(name)s » doit être une date ISO 8601, par exemple 2026-12-01T09:00:00+01:00.")
            % {"name": name},
            reason=f"bad_{name}",
        ) from None


def positive_id(value: int, name: str) -> int:
    """A path id must be a positive integer that fits the database's bigint."""
    if value <= 0 or value > 2**62:
        raise BadRequest(_("« %(name)s » doit être un entier positif.") % {"name": name})
    return value


def two_factor_gate(user: Any) -> None:
    """Refuse (403 ``two_factor_required``) a staff member who must enrol in 2FA and has not.

    Applies to every endpoint but the few that ``AUTH_ENROL`` opens (reading one's account,
    enrolling, logging out), so the web client can send the person to the enrolment page.
    """
    from backend.accounts.otp import otp_missing_for

    if otp_missing_for(user):
        raise Forbidden(
            _(
                "La double authentification est obligatoire pour l'équipe de la plateforme : "
                "activez-la depuis la page « Sécurité du compte »."
            ),
            reason="two_factor_required",
        )


class BearerAuth(HttpBearer):
    """``Authorization: Bearer <token>`` with a personal or bot token."""

    def __init__(self, *, enrolment: bool = False) -> None:
        super().__init__()
        self.enrolment = enrolment  # open to staff who still have to enrol in 2FA

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = token_authenticate(token)
        if user is not None:
            if not self.enrolment:
                two_factor_gate(user)
            request.user = user
        return user


class AgentSessionAuth(SessionAuth):
    """The browser session (CSRF checked on unsafe methods) of an active, verified agent."""

    def __init__(self, *, enrolment: bool = False) -> None:
        super().__init__()
        self.enrolment = enrolment

    def __call__(self, request: HttpRequest) -> Any:
        # No session: the caller is unauthenticated (401). Checking CSRF first would answer a
        # program whose bearer token is revoked or mistyped with a misleading CSRF 403.
        if self.authenticate(request, None) is None:
            return None
        user = super().__call__(request)  # checks CSRF, then authenticates
        if user is not None and not self.enrolment:
            two_factor_gate(user)
        return user

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.is_agent:
            return user
        return None


AUTH = [BearerAuth(), AgentSessionAuth()]
# The endpoints a staff member who must still enrol in 2FA may use (see two_factor_gate).
AUTH_ENROL = [BearerAuth(enrolment=True), AgentSessionAuth(enrolment=True)]


def error_response(api: NinjaAPI, request: HttpRequest, status: int, payload: dict) -> HttpResponse:
    metrics.error("http", payload["code"])
    return api.create_response(request, payload, status=status)


_STATUS_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "bad_request",
    409: "conflict",
    413: "too_large",
    429: "rate_limited",
}


def _validation_message(exc: NinjaValidationError) -> str:
    if any(error.get("msg") == "Cannot parse request body" for error in exc.errors):
        return _("Le corps de la requête n'est pas un JSON valide.")
    parts = []
    for error in exc.errors[:5]:
        loc = ".".join(str(p) for p in error.get("loc", ()) if p not in ("body", "payload"))
        msg = error.get("msg", "")
        parts.append(f"{loc}: {msg}" if loc else msg)
    return _("Requête invalide") + (" — " + "; ".join(parts) if parts else ".")


def install_error_handlers(api: NinjaAPI) -> None:
    @api.exception_handler(PreauError)
    def on_domain_error(request: HttpRequest, exc: PreauError) -> HttpResponse:
        response = error_response(api, request, exc.status, exc.as_dict())
        if "retry_after" in exc.extra:
            response["Retry-After"] = str(exc.extra["retry_after"])
        return response

    @api.exception_handler(NinjaValidationError)
    def on_validation(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        return error_response(
            api,
            request,
            400,
            {"code": "bad_request", "message": _validation_message(exc), "errors": exc.errors},
        )

    @api.exception_handler(AuthenticationError)
    def on_auth(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return error_response(
            api, request, 401, {"code": "unauthorized", "message": _("Authentification requise.")}
        )

    @api.exception_handler(HttpError)
    def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        code = _STATUS_CODES.get(exc.status_code, "bad_request")
        message = str(exc)
        if exc.status_code == 400 and message.startswith("Cannot parse request body"):
            message = _("Le corps de la requête n'est pas un JSON valide.")
        if exc.status_code == 403 and "CSRF" in message:
            message = _("Jeton CSRF manquant ou invalide.")
        return error_response(api, request, exc.status_code, {"code": code, "message": message})

    @api.exception_handler(Http404)
    def on_404(request: HttpRequest, exc: Http404) -> HttpResponse:
        return error_response(
            api, request, 404, {"code": "not_found", "message": _("Introuvable.")}
        )

    @api.exception_handler(PermissionDenied)
    def on_403(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        return error_response(
            api, request, 403, {"code": "forbidden", "message": _("Accès refusé.")}
        )

    @api.exception_handler(RequestDataTooBig)
    def on_too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
        return error_response(
            api, request, 413, {"code": "too_large", "message": _("Requête trop volumineuse.")}
        )

    @api.exception_handler(Exception)
    def on_unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
        log.exception("unexpected API error on %s %s", request.method, request.path)
        return error_response(
            api,
            request,
            500,
            {"code": "internal_error", "message": _("Erreur interne ; réessayez plus tard.")},
        )
