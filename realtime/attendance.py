"""Live webinar attendance: a count of connections (never a member list), and its peak.

Like presence, scaled mode keeps a Redis sorted set per webinar of connection ids scored by
expiry; every process refreshes its own, so a killed process's attendees expire by themselves.
Embedded mode keeps the same in a dictionary. Count updates to the room are throttled to one
per ``ANNOUNCE_EVERY`` per webinar and process.

Rooms whose webinar attendance passes the presence limit stop carrying presence and typing. That
decision is kept in the same store as the count (a sorted set per room of the large webinars,
scored by expiry), so every server process reads the same answer, including a process that has
no attendee of the webinar; the processes holding attendees keep it fresh (``set_quiet``).
"""

from __future__ import annotations

import threading
import time
from typing import Any

from django.conf import settings

TTL = 60.0
ANNOUNCE_EVERY = 1.0


def _key(webinar_id: int) -> str:
    return f"{settings.PREAU_BUS_PREFIX}:attend:{int(webinar_id)}"


def _quiet_key(room_id: int) -> str:
    return f"{settings.PREAU_BUS_PREFIX}:quiet:{int(room_id)}"


class LocalAttendance:
    def __init__(self) -> None:
        self.conns: dict[int, dict[str, float]] = {}
        self.quiet: dict[int, dict[int, float]] = {}  # room -> large webinar -> expiry
        self.lock = threading.Lock()

    async def set_quiet(self, room_id: int, webinar_id: int, quiet: bool) -> None:
        with self.lock:
            webinars = self.quiet.setdefault(room_id, {})
            if quiet:
                webinars[webinar_id] = time.time() + TTL
            else:
                webinars.pop(webinar_id, None)

    async def quiet_rooms(self, room_ids: list[int]) -> set[int]:
        now = time.time()
        with self.lock:
            return {r for r in room_ids if any(t > now for t in self.quiet.get(r, {}).values())}

    async def join(self, webinar_id: int, conn_id: str) -> int:
        with self.lock:
            self.conns.setdefault(webinar_id, {})[conn_id] = time.time() + TTL
            return self._count(webinar_id)

    async def leave(self, webinar_id: int, conn_id: str) -> int:
        with self.lock:
            self.conns.get(webinar_id, {}).pop(conn_id, None)
            return self._count(webinar_id)

    async def count(self, webinar_id: int) -> int:
        with self.lock:
            return self._count(webinar_id)

    def _count(self, webinar_id: int) -> int:
        now = time.time()
        conns = self.conns.get(webinar_id, {})
        for conn_id in [c for c, at in conns.items() if at <= now]:
            del conns[conn_id]
        return len(conns)

    async def refresh(self, pairs: list[tuple[int, str]]) -> None:
        with self.lock:
            for webinar_id, conn_id in pairs:
                self.conns.setdefault(webinar_id, {})[conn_id] = time.time() + TTL

    async def close(self) -> None:
        return None


class RedisAttendance:
    def __init__(self, url: str) -> None:
        from .bus import async_redis

        self.aio: Any = async_redis(url, socket_timeout=2)

    async def join(self, webinar_id: int, conn_id: str) -> int:
        now = time.time()
        pipe = self.aio.pipeline()
        pipe.zadd(_key(webinar_id), {conn_id: now + TTL})
        pipe.expire(_key(webinar_id), int(TTL * 2))
        pipe.zremrangebyscore(_key(webinar_id), "-inf", now)
        pipe.zcard(_key(webinar_id))
        return int((await pipe.execute())[3])

    async def leave(self, webinar_id: int, conn_id: str) -> int:
        now = time.time()
        pipe = self.aio.pipeline()
        pipe.zrem(_key(webinar_id), conn_id)
        pipe.zremrangebyscore(_key(webinar_id), "-inf", now)
        pipe.zcard(_key(webinar_id))
        return int((await pipe.execute())[2])

    async def count(self, webinar_id: int) -> int:
        return int(await self.aio.zcount(_key(webinar_id), time.time(), "+inf"))

    async def refresh(self, pairs: list[tuple[int, str]]) -> None:
        if not pairs:
            return
        expiry = time.time() + TTL
        pipe = self.aio.pipeline(transaction=False)
        for webinar_id, conn_id in pairs:
            pipe.zadd(_key(webinar_id), {conn_id: expiry})
            pipe.expire(_key(webinar_id), int(TTL * 2))
        await pipe.execute()

    async def set_quiet(self, room_id: int, webinar_id: int, quiet: bool) -> None:
        pipe = self.aio.pipeline()
        if quiet:
            pipe.zadd(_quiet_key(room_id), {str(webinar_id): time.time() + TTL})
            pipe.expire(_quiet_key(room_id), int(TTL * 2))
        else:
            pipe.zrem(_quiet_key(room_id), str(webinar_id))
        await pipe.execute()

    async def quiet_rooms(self, room_ids: list[int]) -> set[int]:
        if not room_ids:
            return set()
        now = time.time()
        pipe = self.aio.pipeline(transaction=False)
        for room_id in room_ids:
            pipe.zcount(_quiet_key(room_id), now, "+inf")
        counts = await pipe.execute()
        return {r for r, n in zip(room_ids, counts, strict=True) if n}

    async def close(self) -> None:
        await self.aio.aclose()


_store: LocalAttendance | RedisAttendance | None = None
_lock = threading.Lock()


def get_store() -> LocalAttendance | RedisAttendance:
    global _store
    if _store is None:
        with _lock:
            if _store is None:
                _store = (
                    RedisAttendance(settings.REDIS_URL) if settings.REDIS_URL else LocalAttendance()
                )
    return _store


def reset_store() -> None:
    global _store
    with _lock:
        _store = None
