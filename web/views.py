"""Pages of the browser client. Each page is a template plus ES modules that talk to /api/v1/."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import ensure_csrf_cookie

from backend.accounts import services
from backend.common.errors import PreauError

from .account_views import enrolment_redirect
from .csp import csp


def _is_agent(request: HttpRequest) -> bool:
    user = request.user
    return bool(user.is_authenticated and getattr(user, "is_agent", False))


@csp
def verify_email(request: HttpRequest, token: str) -> HttpResponse:
    """Landing page of the verification link sent at sign-up."""
    try:
        user = services.email_verify(token=token)
    except PreauError as exc:
        return render(request, "web/verify.html", {"error": exc.message}, status=exc.status)
    return render(request, "web/verify.html", {"verified_user": user})


@csp
@never_cache
@ensure_csrf_cookie
def app(request: HttpRequest) -> HttpResponse:
    """The main screen; the page itself only holds the skeleton, app.js fills it."""
    if not _is_agent(request):
        return redirect("/login/")
    if (to_enrol := enrolment_redirect(request)) is not None:
        return to_enrol
    return render(request, "web/app.html")


@csp
@never_cache
@ensure_csrf_cookie
def login_page(request: HttpRequest) -> HttpResponse:
    if _is_agent(request):
        return redirect("/")
    return render(request, "web/login.html")


@csp
@never_cache
@ensure_csrf_cookie
def signup_page(request: HttpRequest) -> HttpResponse:
    return render(request, "web/signup.html")
