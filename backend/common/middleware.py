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
