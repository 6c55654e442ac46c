"""``/healthz``, ``/readyz`` and ``/metrics``: answered before the rest of the middleware.

Load balancers, container healthchecks and Prometheus call a replica by its address, not by
the public host name, and over plain HTTP: these three paths are answered first, so neither
``ALLOWED_HOSTS`` nor the HTTPS redirect of the production profile apply, and no session or
user is loaded. ``/metrics`` has its own access rule instead (``metrics_allowed``).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.crypto import constant_time_compare

from . import metrics

MIGRATIONS_TTL = 10.0  # seconds a "migrations applied" answer is reused
TIMEOUT = 1.0  # seconds a Redis PING may take before the replica counts as not ready

_lock = threading.Lock()
_migration_nodes: set[tuple[str, str]] | None = None
_migrations_ok_until = 0.0
_redis: Any = None


def _elapsed_ms(start: float) -> float:
    return round((time.perf_counter() - start) * 1000, 2)


def check_database() -> dict[str, Any]:
    start = time.perf_counter()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as exc:
        try:  # the next probe reconnects instead of reusing a broken connection
            connection.close()
        except Exception:  # noqa: S110 - already broken
            pass
        return {"ok": False, "error": type(exc).__name__}
    return {"ok": True, "ms": _elapsed_ms(start)}


def _nodes_on_disk() -> set[tuple[str, str]]:
    """Every migration this code base ships, read from disk once per process."""
    global _migration_nodes
    if _migration_nodes is None:
        from django.db.migrations.loader import MigrationLoader

        _migration_nodes = set(MigrationLoader(None, ignore_no_migrations=True).graph.nodes)
    return _migration_nodes


def check_migrations() -> dict[str, Any]:
    global _migrations_ok_until
    now = time.monotonic()
    if now < _migrations_ok_until:
        return {"ok": True, "cached": True}
    from django.db.migrations.recorder import MigrationRecorder

    with _lock:
        wanted = _nodes_on_disk()
    try:
        applied = set(MigrationRecorder(connection).applied_migrations())
    except Exception as exc:
        return {"ok": False, "error": type(exc).__name__}
    missing = len(wanted - applied)
    if missing:
        return {"ok": False, "pending": missing}
    _migrations_ok_until = now + MIGRATIONS_TTL
    return {"ok": True}


def check_redis() -> dict[str, Any]:
    global _redis
    start = time.perf_counter()
    try:
        if _redis is None:
            import redis

            _redis = redis.Redis.from_url(
                settings.REDIS_URL, socket_timeout=TIMEOUT, socket_connect_timeout=TIMEOUT
            )
        _redis.ping()
    except Exception as exc:
        return {"ok": False, "error": type(exc).__name__}
    return {"ok": True, "ms": _elapsed_ms(start)}


def healthz(request: HttpRequest) -> HttpResponse:
    """The process answers: nothing else is checked (no database query)."""
    return JsonResponse({"status": "ok", "pid": int(metrics.PID)})


def readyz(request: HttpRequest) -> HttpResponse:
    """Can this replica serve traffic: database reachable, migrations applied, Redis reachable."""
    checks = {"database": check_database()}
    checks["migrations"] = (
        check_migrations() if checks["database"]["ok"] else {"ok": False, "error": "no_database"}
    )
    if settings.REDIS_URL:
        checks["redis"] = check_redis()
    ready = all(c["ok"] for c in checks.values())
    return JsonResponse(
        {"status": "ok" if ready else "unavailable", "checks": checks},
        status=200 if ready else 503,
    )


def _client_ip(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR", "")


def metrics_allowed(request: HttpRequest) -> bool:
    """A bearer token equal to PREAU_METRICS_TOKEN, or a direct call from an allowed address.

    Behind a proxy the client address comes from X-Forwarded-For, which a client can forge:
    a request that carries that header is never let in by address, only by token.
    """
    token = settings.PREAU_METRICS_TOKEN
    if token:
        scheme, _, given = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() == "bearer" and constant_time_compare(given.strip(), token):
            return True
    if "x-forwarded-for" in request.headers:
        return False
    return _client_ip(request) in settings.PREAU_METRICS_ALLOW


def metrics_view(request: HttpRequest) -> HttpResponse:
    if not metrics_allowed(request):
        response = JsonResponse(
            {"code": "forbidden", "message": "metrics: bearer token or allowed address required"},
            status=401 if settings.PREAU_METRICS_TOKEN else 403,
        )
        if settings.PREAU_METRICS_TOKEN:
            response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    body, content_type = metrics.exposition()
    return HttpResponse(body, content_type=content_type)


PROBES: dict[str, Callable[[HttpRequest], HttpResponse]] = {
    "/healthz": healthz,
    "/readyz": readyz,
    "/metrics": metrics_view,
}


class ProbeMiddleware:
    """First in MIDDLEWARE: answers the probe paths, passes everything else on."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        probe = PROBES.get(request.path_info)
        if probe is None or request.method not in ("GET", "HEAD"):
            return self.get_response(request)
        response = probe(request)
        response["Cache-Control"] = "no-store"
        response["X-Robots-Tag"] = "noindex, nofollow"
        return response
