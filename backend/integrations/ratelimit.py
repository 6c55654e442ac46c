"""Token buckets for bots and hooks, separate from the agents' limits.

With ``REDIS_URL`` the buckets live in Redis (one Lua script, atomic, shared by every server
process); in the embedded mode they live in this process, which is the only one.
"""

from __future__ import annotations

import math
import threading
import time
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from backend.common.errors import RateLimited

# Refill, take one token if there is one, and answer how long to wait otherwise.
_SCRIPT = """
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local saved = redis.call('HMGET', KEYS[1], 'tokens', 'stamp')
local tokens = tonumber(saved[1]) or burst
local stamp = tonumber(saved[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - stamp) * rate)
local wait = 0
if tokens >= 1 then tokens = tokens - 1 else wait = (1 - tokens) / rate end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'stamp', tostring(now))
redis.call('EXPIRE', KEYS[1], math.ceil(burst / rate) + 1)
return tostring(wait)
"""

_lock = threading.Lock()
_local: dict[str, tuple[float, float]] = {}


@lru_cache(maxsize=4)
def _script(url: str) -> Any:
    import redis

    return redis.Redis.from_url(url, socket_timeout=2).register_script(_SCRIPT)


def _take_local(key: str, rate: float, burst: float) -> float:
    now = time.monotonic()
    with _lock:
        tokens, stamp = _local.get(key, (burst, now))
        tokens = min(burst, tokens + (now - stamp) * rate)
        wait = 0.0 if tokens >= 1 else (1 - tokens) / rate
        _local[key] = (tokens - 1 if wait == 0 else tokens, now)
        return wait


def take(key: str, *, per_minute: int) -> int:
    """Spend one token of ``key``; 0 if allowed, else the seconds to wait (Retry-After)."""
    if per_minute <= 0:
        return 60
    rate, burst = per_minute / 60.0, float(per_minute)
    if settings.REDIS_URL:
        full_key = f"{settings.PREAU_BUS_PREFIX}:ratelimit:{key}"
        wait = float(_script(settings.REDIS_URL)(keys=[full_key], args=[rate, burst]))
    else:
        wait = _take_local(key, rate, burst)
    return 0 if wait <= 0 else max(1, math.ceil(wait))


def spend(key: str, *, per_minute: int) -> None:
    """Spend one token of ``key`` or refuse (429 ``rate_limited`` with ``Retry-After``)."""
    wait = take(key, per_minute=per_minute)
    if wait:
        raise RateLimited(
            _("Trop de messages pour ce robot ; réessayez dans %(s)d s.") % {"s": wait},
            retry_after=wait,
        )


def bot_post_spend(*, bot_id: int) -> None:
    """One post of a bot, whichever way it comes (token API, socket, hook, outgoing reply)."""
    spend(f"bot:{bot_id}", per_minute=settings.PREAU["BOT_POSTS_PER_MINUTE"])


def reset_local() -> None:
    with _lock:
        _local.clear()
