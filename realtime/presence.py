"""Presence across processes and devices, with expiry.

Scaled mode keeps, per user, a Redis sorted set of connection ids scored by expiry time; every
process refreshes its own connections' scores, so the connections of a killed process expire by
themselves and a sweeper (any process, under a short Redis lock) announces those users offline.
Embedded mode keeps the same in a dictionary. Nothing is written to the database.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from django.conf import settings

STATUSES = ("online", "away", "dnd", "offline")
TTL = 60.0  # a connection not refreshed for this long is gone
REFRESH = 20.0


def _key(*parts: Any) -> str:
    return ":".join([settings.PREAU_BUS_PREFIX, "presence", *map(str, parts)])


class LocalPresence:
    def __init__(self) -> None:
        self.conns: dict[int, dict[str, float]] = {}
        self.status: dict[int, str] = {}
        self.lock = threading.Lock()

    async def connect(self, user_id: int, conn_id: str) -> bool:
        with self.lock:
            conns = self.conns.setdefault(user_id, {})
            first = not conns
            conns[conn_id] = time.time() + TTL
            return first

    async def disconnect(self, user_id: int, conn_id: str) -> bool:
        with self.lock:
            conns = self.conns.get(user_id, {})
            conns.pop(conn_id, None)
            if not conns:
                self.conns.pop(user_id, None)
                return True
            return False

    async def count(self, user_id: int) -> int:
        with self.lock:
            return len(self.conns.get(user_id, {}))

    async def set_status(self, user_id: int, status: str) -> None:
        with self.lock:
            self.status[user_id] = status

    async def own_status(self, user_id: int) -> str:
        """The status a user chose (online by default), read when a connection opens."""
        with self.lock:
            return self.status.get(user_id, "online")

    async def refresh(self, conns: list[tuple[int, str]]) -> None:
        return None

    async def close(self) -> None:
        return None

    async def sweep(self) -> list[int]:
        return []

    def statuses(self, user_ids: list[int]) -> dict[int, str]:
        with self.lock:
            return {
                uid: (self.status.get(uid, "online") if self.conns.get(uid) else "offline")
                for uid in user_ids
            }


class RedisPresence:
    def __init__(self, url: str) -> None:
        import redis

        from .bus import async_redis

        self.aio: Any = async_redis(url, socket_timeout=2)
        self.sync = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)

    async def connect(self, user_id: int, conn_id: str) -> bool:
        now = time.time()
        pipe = self.aio.pipeline()
        pipe.zremrangebyscore(_key("conns", user_id), "-inf", now)
        pipe.zcard(_key("conns", user_id))
        pipe.zadd(_key("conns", user_id), {conn_id: now + TTL})
        pipe.expire(_key("conns", user_id), int(TTL * 2))
        pipe.zadd(_key("users"), {str(user_id): now + TTL})
        results = await pipe.execute()
        return results[1] == 0

    async def disconnect(self, user_id: int, conn_id: str) -> bool:
        now = time.time()
        pipe = self.aio.pipeline()
        pipe.zrem(_key("conns", user_id), conn_id)
        pipe.zremrangebyscore(_key("conns", user_id), "-inf", now)
        pipe.zcard(_key("conns", user_id))
        results = await pipe.execute()
        if results[2] == 0:
            await self.aio.zrem(_key("users"), str(user_id))
            return True
        return False

    async def close(self) -> None:
        await self.aio.aclose()
        self.sync.close()

    async def count(self, user_id: int) -> int:
        return int(await self.aio.zcount(_key("conns", user_id), time.time(), "+inf"))

    async def set_status(self, user_id: int, status: str) -> None:
        await self.aio.set(_key("status", user_id), status, ex=24 * 3600)

    async def own_status(self, user_id: int) -> str:
        status = await self.aio.get(_key("status", user_id))
        return status.decode() if status else "online"

    async def refresh(self, conns: list[tuple[int, str]]) -> None:
        if not conns:
            return
        expiry = time.time() + TTL
        pipe = self.aio.pipeline(transaction=False)
        for user_id, conn_id in conns:
            pipe.zadd(_key("conns", user_id), {conn_id: expiry})
            pipe.expire(_key("conns", user_id), int(TTL * 2))
            pipe.zadd(_key("users"), {str(user_id): expiry})
        await pipe.execute()

    async def sweep(self) -> list[int]:
        """Users whose every connection expired (a killed process): now offline."""
        if not await self.aio.set(_key("sweeper"), "1", nx=True, ex=int(REFRESH) - 5):
            return []
        now = time.time()
        gone = []
        for raw in await self.aio.zrangebyscore(_key("users"), "-inf", now):
            user_id = int(raw)
            await self.aio.zremrangebyscore(_key("conns", user_id), "-inf", now)
            if await self.aio.zcard(_key("conns", user_id)) == 0:
                if await self.aio.zrem(_key("users"), str(user_id)):
                    gone.append(user_id)
        return gone

    def statuses(self, user_ids: list[int]) -> dict[int, str]:
        if not user_ids:
            return {}
        now = time.time()
        pipe = self.sync.pipeline(transaction=False)
        for uid in user_ids:
            pipe.zcount(_key("conns", uid), now, "+inf")
            pipe.get(_key("status", uid))
        results = pipe.execute()
        out = {}
        for i, uid in enumerate(user_ids):
            count, status = results[2 * i], results[2 * i + 1]
            out[uid] = (status.decode() if status else "online") if count else "offline"
        return out


_store: LocalPresence | RedisPresence | None = None
_lock = threading.Lock()


def get_store() -> LocalPresence | RedisPresence:
    global _store
    if _store is None:
        with _lock:
            if _store is None:
                _store = (
                    RedisPresence(settings.REDIS_URL) if settings.REDIS_URL else LocalPresence()
                )
    return _store


def reset_store() -> None:
    global _store
    with _lock:
        _store = None
