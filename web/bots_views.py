"""The « Mes robots » page: an agent's bots, their tokens, rooms and webhooks (bots.js)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import ensure_csrf_cookie

from .csp import csp


@csp
@never_cache
@ensure_csrf_cookie
def bots_page(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not (user.is_authenticated and getattr(user, "is_agent", False)):
        return redirect("/login/")
    return render(request, "web/bots.html")
