from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from backend.accounts import services
from backend.common.errors import PreauError


def verify_email(request: HttpRequest, token: str) -> HttpResponse:
    """Landing page of the verification link sent at sign-up."""
    try:
        user = services.email_verify(token=token)
    except PreauError as exc:
        return render(request, "web/verify.html", {"error": exc.message}, status=exc.status)
    return render(request, "web/verify.html", {"verified_user": user})
