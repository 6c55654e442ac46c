"""Handshake authentication: a bearer token (no Origin needed) or the session cookie (same Origin)."""

from __future__ import annotations

from dataclasses import dataclass
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings

from backend.accounts import services as accounts
from backend.accounts.otp import otp_missing_for

from .dbpool import db_call
from .publish import session_tag


@dataclass(frozen=True)
class Credentials:
    user_id: int
    name: str
    token_id: int | None = None
    session_tag: str | None = None
    # When the token stops working (a rotated bot token's grace period), as an epoch time.
    expires_at: float | None = None
    # Staff who must enrol in 2FA and have not: the socket closes with 4403 at once.
    two_factor_missing: bool = False


def _headers(scope: dict[str, Any]) -> dict[bytes, bytes]:
    out: dict[bytes, bytes] = {}
    for name, value in scope.get("headers", []):
        out.setdefault(name.lower(), value)
    return out


def origin_allowed(origin: str | None, host: str | None) -> bool:
    """The page's origin must be this site: the Host it connected to, or a configured origin."""
    if not origin or origin == "null":
        return False
    if origin.rstrip("/") in {o.rstrip("/") for o in settings.PREAU_ORIGINS}:
        return True
    parts = urlsplit(origin)
    if parts.scheme not in ("http", "https") or not host:
        return False
    return parts.netloc.lower() == host.lower()


@db_call
def _from_token(token: str) -> Credentials | None:
    user = accounts.token_authenticate(token)
    if user is None:
        return None
    expires_at = user.auth_token_expires_at
    return Credentials(
        user_id=user.pk,
        name=user.name,
        token_id=user.auth_token_id,
        expires_at=expires_at.timestamp() if expires_at is not None else None,
        two_factor_missing=otp_missing_for(user),
    )


@db_call
def _from_session(session_key: str) -> Credentials | None:
    user = accounts.user_for_session(session_key)
    if user is None:
        return None
    return Credentials(
        user_id=user.pk,
        name=user.name,
        session_tag=session_tag(session_key),
        two_factor_missing=otp_missing_for(user),
    )


async def authenticate_scope(scope: dict[str, Any]) -> Credentials | None:
    headers = _headers(scope)
    authorization = headers.get(b"authorization", b"").decode("latin-1")
    if authorization:
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return None
        return await _from_token(token.strip())
    origin = headers.get(b"origin", b"").decode("latin-1") or None
    host = headers.get(b"host", b"").decode("latin-1") or None
    if not origin_allowed(origin, host):
        return None
    cookie = SimpleCookie()
    try:
        cookie.load(headers.get(b"cookie", b"").decode("latin-1"))
    except Exception:
        return None
    morsel = cookie.get(settings.SESSION_COOKIE_NAME)
    if morsel is None:
        return None
    return await _from_session(morsel.value)
