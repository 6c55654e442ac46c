"""REST endpoint for one's personal data export (deletion is DELETE /me, beside GET /me)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Router

from backend.common.api import AUTH, ERRORS
from backend.common.errors import Forbidden

from . import services

router = Router(tags=["données personnelles"])

_ZIP = {"content": {"application/zip": {"schema": {"type": "string", "format": "binary"}}}}


@router.get(
    "/me/export",
    response={200: None, **ERRORS},
    auth=AUTH,
    summary="Télécharger mes données (zip de fichiers JSON)",
    openapi_extra={"responses": {200: {"description": "Archive zip", **_ZIP}}},
)
def export(request: HttpRequest) -> HttpResponse:
    if request.auth.is_bot:
        raise Forbidden()
    data = services.user_export(user=request.auth)
    response = HttpResponse(data, content_type="application/zip")
    stamp = timezone.now().strftime("%Y%m%d")
    response["Content-Disposition"] = f'attachment; filename="preau-export-{stamp}.zip"'
    response["Cache-Control"] = "no-store"
    return response
