"""REST endpoint for one's personal data export (deletion is DELETE /me, beside GET /me)."""

from __future__ import annotations

import tempfile

from django.http import FileResponse, HttpRequest, HttpResponse
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
    # On disk, not in memory: the person's files may be large.
    archive = tempfile.TemporaryFile()  # closed by FileResponse
    services.user_export(user=request.auth, out=archive)
    archive.seek(0)
    stamp = timezone.now().strftime("%Y%m%d")
    response = FileResponse(
        archive,
        as_attachment=True,
        filename=f"preau-export-{stamp}.zip",
        content_type="application/zip",
    )
    response["Cache-Control"] = "no-store"
    return response
