"""Prometheus metrics of this process, served at ``/metrics`` (see ``backend.common.probes``).

One registry per process, scraped per process: every ``preau serve`` is its own Prometheus
target (Prometheus adds the ``instance`` label, and ``preau_ws_connections`` carries the
``pid``), and dashboards aggregate with ``sum()``. We did not use prometheus-client's
multiprocess mode: Préau's processes are separate servers (often on separate machines), not
forks sharing a directory, and its mmap files would need cleaning after every killed process.

The hot paths (frames, deliveries) only increment in-memory counters; label children are bound
once here, so no per-frame label lookup happens.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    PlatformCollector,
    ProcessCollector,
    generate_latest,
)

REGISTRY = CollectorRegistry(auto_describe=True)
ProcessCollector(registry=REGISTRY)
PlatformCollector(registry=REGISTRY)

PID = str(os.getpid())
FAST = (0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0)
SLOW = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

# --- WebSocket -------------------------------------------------------------------------------

WS_CONNECTIONS = Gauge(
    "preau_ws_connections",
    "Open WebSocket connections held by this process.",
    ["pid"],
    registry=REGISTRY,
).labels(pid=PID)
WS_OPENED = Counter(
    "preau_ws_connections_opened", "WebSocket connections accepted.", registry=REGISTRY
)
WS_FRAMES_IN = Counter(
    "preau_ws_frames_received", "Frames received from clients.", registry=REGISTRY
)
WS_FRAMES_OUT = Counter("preau_ws_frames_sent", "Frames written to clients.", registry=REGISTRY)
SYNCS = Counter("preau_ws_syncs", "sync frames answered (client resyncs).", registry=REGISTRY)
SYNC_LIMITED = Counter(
    "preau_ws_sync_limited_rooms",
    "Rooms whose sync replay was cut short (limited): the client pages the REST event log.",
    registry=REGISTRY,
)
MESSAGE_SEND = Histogram(
    "preau_message_send_seconds",
    "Time to send a message, from the request to the acknowledgement (service and commit).",
    ["transport"],
    buckets=SLOW,
    registry=REGISTRY,
)
MESSAGE_SEND_WS = MESSAGE_SEND.labels(transport="ws")
MESSAGE_SEND_HTTP = MESSAGE_SEND.labels(transport="http")

# --- bus and fan-out -------------------------------------------------------------------------

EVENTS_PUBLISHED = Counter(
    "preau_room_events_published",
    "Room events this process handed to the bus after commit.",
    registry=REGISTRY,
)
PUBLISH_FAILURES = Counter(
    "preau_bus_publish_failures",
    "Publications the bus refused (clients catch up by sync).",
    registry=REGISTRY,
)
HUB_EVENTS = Counter(
    "preau_hub_room_events",
    "Room events the hub of this process delivered, in order, to its local sockets.",
    registry=REGISTRY,
)
DELIVERIES = Counter(
    "preau_deliveries",
    "Frames queued by the hub to local sockets (one per socket per frame).",
    ["kind"],
    registry=REGISTRY,
)
DELIVERIES_EVENT = DELIVERIES.labels(kind="event")
DELIVERIES_EPHEMERAL = DELIVERIES.labels(kind="ephemeral")
FANOUT = Histogram(
    "preau_fanout_seconds",
    "Time from the hub receiving a room event from the bus to its last local delivery.",
    buckets=FAST,
    registry=REGISTRY,
)
GAP_FILLS = Counter(
    "preau_hub_gap_fills",
    "Room events the bus lost or reordered, read back from the database.",
    registry=REGISTRY,
)
REDIS_RECONNECTS = Counter(
    "preau_redis_reconnects",
    "Times the hub lost its Redis pub/sub connection (its sockets were closed to resync).",
    registry=REGISTRY,
)

# --- requests, errors, database --------------------------------------------------------------

HTTP_REQUESTS = Counter(
    "preau_http_requests", "HTTP requests answered.", ["method", "status"], registry=REGISTRY
)
HTTP_SECONDS = Histogram(
    "preau_http_request_seconds", "HTTP request duration.", buckets=SLOW, registry=REGISTRY
)
ERRORS = Counter(
    "preau_errors",
    "Error replies by code (REST and WebSocket).",
    ["transport", "code"],
    registry=REGISTRY,
)
RATE_LIMITED = Counter(
    "preau_rate_limited",
    "Requests or frames refused by a rate limit.",
    ["transport"],
    registry=REGISTRY,
)
RATE_LIMITED_WS = RATE_LIMITED.labels(transport="ws")
RATE_LIMITED_HTTP = RATE_LIMITED.labels(transport="http")
DB_QUERY = Histogram(
    "preau_db_query_seconds", "Database query duration.", buckets=FAST, registry=REGISTRY
)


def error(transport: str, code: str) -> None:
    ERRORS.labels(transport=transport, code=code).inc()
    if code == "rate_limited":
        (RATE_LIMITED_WS if transport == "ws" else RATE_LIMITED_HTTP).inc()


def time_queries(
    execute: Callable[..., Any], sql: str, params: Any, many: bool, context: dict[str, Any]
) -> Any:
    """A database execute wrapper: one histogram observation per query."""
    start = time.perf_counter()
    try:
        return execute(sql, params, many, context)
    finally:
        DB_QUERY.observe(time.perf_counter() - start)


def install_query_timer(sender: Any, connection: Any, **kwargs: Any) -> None:
    """``connection_created`` receiver; a wrapper list outlives reconnections: add it once."""
    if time_queries not in connection.execute_wrappers:
        connection.execute_wrappers.append(time_queries)


def exposition() -> tuple[bytes, str]:
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST
