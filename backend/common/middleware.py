from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse


class NoIndexMiddleware:
    """Nothing Préau serves is for search engines (devoir de réserve, privacy)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not getattr(response, "preau_indexable", False):
            response.setdefault("X-Robots-Tag", "noindex, nofollow")
        return response


class UploadLimitMiddleware:
    """Refuse an oversized upload from its Content-Length, before a byte of it is read."""

    # Room for the multipart envelope around the file itself.
    ENVELOPE = 64 * 1024

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (
            request.method == "POST"
            and request.path.startswith("/api/")
            and request.path.endswith("/files")
        ):
            from django.conf import settings
            from django.http import JsonResponse
            from django.utils.translation import gettext as _

            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
            limit = settings.PREAU["UPLOAD_MAX_BYTES"]
            if length > limit + self.ENVELOPE:
                return JsonResponse(
                    {
                        "code": "too_large",
                        "message": _("Le fichier dépasse la taille maximale (%(n)d Mo).")
                        % {"n": limit // (1024 * 1024)},
                    },
                    status=413,
                )
        return self.get_response(request)
