"""The publish side of the best-effort bus: Redis pub/sub when scaled, in-process when embedded."""

from __future__ import annotations

import threading
from collections.abc import Callable

from django.conf import settings

Listener = Callable[[str, bytes], None]


class LocalBus:
    """Embedded mode: one process, listeners called synchronously by the publisher."""

    def __init__(self) -> None:
        self._listeners: list[Listener] = []
        self._lock = threading.Lock()

    def add_listener(self, listener: Listener) -> None:
        with self._lock:
            self._listeners.append(listener)

    def remove_listener(self, listener: Listener) -> None:
        with self._lock:
            if listener in self._listeners:
                self._listeners.remove(listener)

    def publish(self, channel: str, data: bytes) -> None:
        with self._lock:
            listeners = list(self._listeners)
        for listener in listeners:
            listener(channel, data)


class RedisBus:
    """Scaled mode: one PUBLISH per event, whatever the number of subscribers."""

    def __init__(self, url: str) -> None:
        import redis

        self.url = url
        self.client = redis.Redis.from_url(
            url, socket_timeout=2, socket_connect_timeout=2, health_check_interval=30
        )

    def publish(self, channel: str, data: bytes) -> None:
        self.client.publish(channel, data)


_bus: LocalBus | RedisBus | None = None
_bus_lock = threading.Lock()


def get_bus() -> LocalBus | RedisBus:
    global _bus
    if _bus is None:
        with _bus_lock:
            if _bus is None:
                _bus = RedisBus(settings.REDIS_URL) if settings.REDIS_URL else LocalBus()
    return _bus


def reset_bus() -> None:
    """Forget the bus (tests that switch settings)."""
    global _bus
    with _bus_lock:
        _bus = None


# Connections per asyncio Redis client of a process (presence, attendance, ephemeral publish).
ASYNC_POOL_SIZE = 50
ASYNC_POOL_WAIT = 5.0


def async_redis(url: str, **kwargs: object) -> object:
    """An asyncio Redis client whose pool makes a burst wait for a free connection.

    redis-py's default pool refuses at once ("Too many connections", 100) when a burst needs more:
    a webinar audience of a few hundred closing together then lost its attendance leaves and
    presence updates. A blocking pool queues them (up to ``ASYNC_POOL_WAIT`` seconds) and bounds
    the connections each process opens to Redis.
    """
    import redis.asyncio as aioredis

    pool = aioredis.BlockingConnectionPool.from_url(
        url,
        max_connections=ASYNC_POOL_SIZE,
        timeout=ASYNC_POOL_WAIT,
        socket_connect_timeout=2,
        **kwargs,
    )
    return aioredis.Redis.from_pool(pool)  # closing the client closes its pool
