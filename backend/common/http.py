"""Facts about the HTTP client, read the same way everywhere."""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    """The client's address: REMOTE_ADDR, or the proxy's last X-Forwarded-For entry if trusted."""
    raw = request.META.get("REMOTE_ADDR", "")
    if settings.PREAU_TRUST_X_FORWARDED_FOR:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            raw = forwarded.split(",")[-1]
    try:
        return str(ipaddress.ip_address(raw.strip()))
    except ValueError:
        return None


def user_agent(request: HttpRequest) -> str:
    return request.META.get("HTTP_USER_AGENT", "")[:300]
