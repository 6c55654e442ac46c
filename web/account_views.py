"""Pages of one's account: password reset, profile, and "Sécurité du compte".

Each page is a template plus an ES module (reset.js, account.js) that talks to /api/v1/.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.password_validation import password_validators_help_texts
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import ensure_csrf_cookie

from backend.accounts.otp import otp_missing_for

from .csp import csp

SECURITY_PATH = "/account/security/"


def _is_agent(request: HttpRequest) -> bool:
    user = request.user
    return bool(user.is_authenticated and getattr(user, "is_agent", False))


def enrolment_redirect(request: HttpRequest) -> HttpResponse | None:
    """Staff who must enrol in 2FA and have not go to the enrolment page (the API refuses them)."""
    if _is_agent(request) and otp_missing_for(request.user):
        return redirect(SECURITY_PATH + "#two-factor")
    return None


def _login_redirect(request: HttpRequest) -> HttpResponse:
    return redirect("/login/?" + urlencode({"next": request.get_full_path()}))


@csp
@never_cache
@ensure_csrf_cookie
def password_reset_page(request: HttpRequest) -> HttpResponse:
    """Ask for a reset link (the answer is the same whether or not the address has an account)."""
    return render(request, "web/password_reset.html")


@csp
@never_cache
@ensure_csrf_cookie
def password_reset_confirm_page(request: HttpRequest, token: str) -> HttpResponse:
    """The page the reset email links to (``/reset/<token>``): choose a new password."""
    response = render(
        request,
        "web/password_reset_confirm.html",
        {"token": token, "password_rules": password_validators_help_texts()},
    )
    response["Referrer-Policy"] = "no-referrer"  # the token is in the address
    return response


@csp
@never_cache
@ensure_csrf_cookie
def profile_page(request: HttpRequest) -> HttpResponse:
    if not _is_agent(request):
        return _login_redirect(request)
    if (to_enrol := enrolment_redirect(request)) is not None:
        return to_enrol
    return render(request, "web/profile.html")


@csp
@never_cache
@ensure_csrf_cookie
def security_page(request: HttpRequest) -> HttpResponse:
    if not _is_agent(request):
        return _login_redirect(request)
    return render(
        request,
        "web/security.html",
        {
            "erasure_mode": settings.PREAU_ERASURE,
            "password_rules": password_validators_help_texts(),
            "must_enrol": otp_missing_for(request.user),
        },
    )
