"""Logging in, with failed attempts limited per address and per IP.

The limiter is a table of recent failures rather than django-axes: it needs no extra
middleware or authentication backend, it runs the same in the embedded mode (SQLite, no
Redis) and the scaled one, it sees our email-as-username and our JSON API directly, and each
test gets a clean slate from its transaction. A failure row lives for the window only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import authenticate
from django.http import HttpRequest
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from backend.audit.services import audit_record
from backend.common.errors import RateLimited, TooLarge, Unauthorized
from backend.common.http import client_ip

from .models import LoginFailure, User
from .otp import otp_device_for, otp_verify

_ACCOUNT_SALT = "preau.accounts.login-failure"


def account_key(email: str) -> str:
    return salted_hmac(_ACCOUNT_SALT, (email or "").strip().lower()).hexdigest()


def bad_credentials() -> Unauthorized:
    # One message for an unknown address, a wrong password and an unverified account.
    return Unauthorized(
        _("Adresse ou mot de passe incorrect, ou adresse pas encore vérifiée."),
        reason="bad_credentials",
    )


def _window_start():  # type: ignore[no-untyped-def]
    return timezone.now() - timedelta(seconds=settings.PREAU_LOGIN_WINDOW_SECONDS)


def login_throttle_check(*, email: str, ip: str | None) -> None:
    """Refuse (429, audited) once the address or the IP has too many recent failures."""
    since = _window_start()
    key = account_key(email)
    recent = LoginFailure.objects.filter(created_at__gte=since)
    reason = ""
    if recent.filter(account=key).count() >= settings.PREAU_LOGIN_MAX_FAILURES:
        reason = "account"
    elif ip and recent.filter(ip=ip).count() >= settings.PREAU_LOGIN_MAX_FAILURES_PER_IP:
        reason = "ip"
    if not reason:
        return
    audit_record(action="login.throttled", target=f"account:{key[:16]}", ip=ip, reason=reason)
    raise RateLimited(
        _(
            "Trop de tentatives de connexion infructueuses. Réessayez dans %(minutes)s minutes "
            "ou réinitialisez votre mot de passe."
        )
        % {"minutes": max(1, settings.PREAU_LOGIN_WINDOW_SECONDS // 60)},
        reason="too_many_failures",
    )


def login_failure_record(*, email: str, ip: str | None) -> None:
    LoginFailure.objects.filter(created_at__lt=_window_start()).delete()
    LoginFailure.objects.create(account=account_key(email), ip=ip)


@dataclass(frozen=True)
class LoginResult:
    user: User
    otp_verified: bool = False


def login_check(
    *, request: HttpRequest, email: str, password: str, otp: str | None = None
) -> LoginResult:
    """The agent these credentials name, or an error; counts and limits failures.

    Django's ModelBackend hashes the password even for an unknown address, so both take about
    the same time; it also rehashes an older (PBKDF2) hash with Argon2 on success.
    """
    if len(email) > 254 or len(password) > 1024 or len(otp or "") > 16:
        raise TooLarge()
    email = email.strip().lower()
    ip = client_ip(request)
    login_throttle_check(email=email, ip=ip)
    user = authenticate(request, email=email, password=password)
    if user is None or not user.is_agent or user.is_bot:
        login_failure_record(email=email, ip=ip)
        raise bad_credentials()
    device = otp_device_for(user)
    if device is not None:
        if not otp:
            # The password was right; asking for the code is not counted as a failure.
            raise Unauthorized(
                _("Saisissez le code de votre application d'authentification."),
                reason="otp_required",
            )
        if not otp_verify(device=device, code=otp):
            login_failure_record(email=email, ip=ip)
            raise Unauthorized(_("Code de double authentification incorrect."), reason="bad_otp")
    LoginFailure.objects.filter(account=account_key(email)).delete()
    return LoginResult(user=user, otp_verified=device is not None)
