"""The « Annonces » page: write an announcement to an audience, follow its read count."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import ensure_csrf_cookie

from backend.accounts.models import Organisation
from backend.integrations.announcements import PINNED_DAYS_MAX

from .csp import csp


@csp
@never_cache
@ensure_csrf_cookie
def announcements_page(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not (user.is_authenticated and getattr(user, "is_agent", False)):
        return redirect("/login/")
    return render(
        request,
        "web/announcements.html",
        {
            "organisation_kinds": Organisation.Kind.choices,
            "pinned_days_max": PINNED_DAYS_MAX,
            # Audiences beyond a list of rooms are the platform team's (the API says so too).
            "broad": user.is_staff,
        },
    )
