"""``POST /hooks/<secret>``: Slack-compatible incoming webhooks (outside the REST API).

Answers ``200 ok`` in plain text like Slack; refusals are the API's ``{code, message}`` JSON.
A hook's secret is its credential, so there is no session and no CSRF token to check.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qs

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from backend.common.errors import BadRequest, PreauError, TooLarge

from . import services


def _error(exc: PreauError) -> JsonResponse:
    response = JsonResponse(exc.as_dict(), status=exc.status)
    if "retry_after" in exc.extra:
        response["Retry-After"] = str(exc.extra["retry_after"])
    return response


def _payload(request: HttpRequest) -> dict[str, Any]:
    """The Slack payload: a JSON object, or form-encoded ``payload=<JSON object>``."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    limit = settings.PREAU["HOOK_MAX_BYTES"]
    if length > limit:
        raise TooLarge(_("La requête dépasse 64 Kio ; rien n'a été publié."))
    try:
        raw = request.body
    except RequestDataTooBig:
        raise TooLarge(_("La requête dépasse 64 Kio ; rien n'a été publié.")) from None
    if len(raw) > limit:
        raise TooLarge(_("La requête dépasse 64 Kio ; rien n'a été publié."))
    content_type = request.content_type or ""
    text = raw.decode("utf-8", errors="replace")
    if content_type == "application/x-www-form-urlencoded" or text.startswith("payload="):
        values = parse_qs(text).get("payload")
        text = values[0] if values else ""
    try:
        data = json.loads(text, parse_constant=_no_constant)
    except ValueError:
        data = None
    if not isinstance(data, dict):
        raise BadRequest(
            _("Le corps doit être un objet JSON, ou payload=<objet JSON> en formulaire."),
            reason="bad_payload",
        )
    return data


def _no_constant(name: str) -> None:
    raise ValueError(name)  # NaN and Infinity are not JSON


@csrf_exempt
def incoming_hook(request: HttpRequest, secret: str) -> HttpResponse:
    if request.method != "POST":
        response = JsonResponse(
            {"code": "bad_request", "message": _("Seule la méthode POST est acceptée.")},
            status=405,
        )
        response["Allow"] = "POST"
        return response
    try:
        services.hook_post(secret=secret, payload=_payload(request))
    except PreauError as exc:
        return _error(exc)
    return HttpResponse("ok", content_type="text/plain; charset=utf-8")
