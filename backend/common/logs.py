"""Structured logs: JSON lines in production, readable lines in development.

Préau's own log records carry their data in ``extra={"fields": {...}}``: only those fields,
the message and the exception are written, never the other attributes a library may attach
to a record (Django attaches the whole request to ``django.request`` records). Callers put
ids, sizes, codes and durations in ``fields``; message bodies, tokens, passwords, cookies and
session keys never go there.
"""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.functional import SimpleLazyObject, empty

from . import metrics

REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}

http_log = logging.getLogger("preau.http")


def _fields(record: logging.LogRecord) -> dict[str, Any]:
    fields = getattr(record, "fields", None)
    return fields if isinstance(fields, dict) else {}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
            **_fields(record),
        }
        if record.exc_info:
            line["exc"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)-7s %(name)s %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        fields = _fields(record)
        if not fields:
            return text
        head, sep, tail = text.partition("\n")  # keep a traceback below the fields
        pairs = " ".join(f"{k}={v}" for k, v in fields.items() if v is not None)
        return f"{head} {pairs}{sep}{tail}"


def request_user_id(request: HttpRequest) -> int | None:
    """The authenticated user's id if the request already loaded it (never queries)."""
    user = request.__dict__.get("user")
    if isinstance(user, SimpleLazyObject):
        user = user._wrapped if user._wrapped is not empty else None
    if user is None:
        user = request.__dict__.get("_cached_user")
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return user.pk


class RequestLogMiddleware:
    """One log line and two metric updates per HTTP request; sets and returns X-Request-ID."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        start = time.perf_counter()
        given = request.headers.get("X-Request-ID", "")
        request_id = given if REQUEST_ID.fullmatch(given) else uuid.uuid4().hex
        request.request_id = request_id  # type: ignore[attr-defined]
        response = self.get_response(request)
        elapsed = time.perf_counter() - start
        response["X-Request-ID"] = request_id
        metrics.HTTP_SECONDS.observe(elapsed)
        method = request.method if request.method in METHODS else "other"
        metrics.HTTP_REQUESTS.labels(method=method, status=response.status_code).inc()
        http_log.log(
            logging.WARNING if response.status_code >= 500 else logging.INFO,
            "%s %s %s",
            request.method,
            request.path,
            response.status_code,
            extra={
                "fields": {
                    "event": "http.request",
                    "request_id": request_id,
                    "method": request.method,
                    "path": request.path,  # never the query string
                    "status": response.status_code,
                    "duration_ms": round(elapsed * 1000, 2),
                    "user_id": request_user_id(request),
                }
            },
        )
        return response
