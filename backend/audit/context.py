"""The client address of the request being served, for audit entries written deep in services.

Services do not take the HTTP request; the middleware records the caller's address in a context
variable that ``audit_record`` reads when no ``ip`` is given.
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar

from django.http import HttpRequest, HttpResponse

from backend.common.http import client_ip

current_ip: ContextVar[str | None] = ContextVar("preau_audit_ip", default=None)


class AuditContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = current_ip.set(client_ip(request))
        try:
            return self.get_response(request)
        finally:
            current_ip.reset(token)
