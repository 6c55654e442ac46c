"""Pages of the fiches pratiques: the knowledge base, one fiche, a new fiche from a thread.

Each page is a skeleton; ES modules fill it from /api/v1/fiches (which applies the visibility
rules: a fiche the caller may not read answers 404 there and here).
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import ensure_csrf_cookie

from backend.common.errors import PreauError
from backend.fiches.access import access_fiche

from .community_views import _gate
from .csp import csp


@csp
@never_cache
@ensure_csrf_cookie
def fiches_page(request: HttpRequest) -> HttpResponse:
    if (elsewhere := _gate(request)) is not None:
        return elsewhere
    return render(request, "web/fiches/list.html")


@csp
@never_cache
@ensure_csrf_cookie
def fiche_new_page(request: HttpRequest) -> HttpResponse:
    if (elsewhere := _gate(request)) is not None:
        return elsewhere
    return render(request, "web/fiches/new.html")


@csp
@never_cache
@ensure_csrf_cookie
def fiche_page(request: HttpRequest, fiche_id: int) -> HttpResponse:
    if (elsewhere := _gate(request)) is not None:
        return elsewhere
    try:
        fiche = access_fiche(actor=request.user, fiche_id=fiche_id)
    except PreauError:
        raise Http404 from None
    return render(request, "web/fiches/fiche.html", {"fiche": fiche})
