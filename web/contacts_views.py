"""Pages of one's contacts and of the contact import."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import ensure_csrf_cookie

from backend.contacts.parsing import ENTRIES_MAX, FILE_MAX_BYTES

from .community_views import _gate
from .csp import csp


@csp
@never_cache
@ensure_csrf_cookie
def contacts_page(request: HttpRequest) -> HttpResponse:
    if (elsewhere := _gate(request)) is not None:
        return elsewhere
    return render(request, "web/contacts.html")


@csp
@never_cache
@ensure_csrf_cookie
def contacts_import_page(request: HttpRequest) -> HttpResponse:
    if (elsewhere := _gate(request)) is not None:
        return elsewhere
    return render(
        request,
        "web/contacts_import.html",
        {
            "file_max_kib": FILE_MAX_BYTES // 1024,
            "file_max_bytes": FILE_MAX_BYTES,
            "entries_max": ENTRIES_MAX,
        },
    )
