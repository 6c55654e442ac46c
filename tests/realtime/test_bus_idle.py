"""The scaled-mode bus stays up while idle: the keep-alive ping is not a lost connection."""

from __future__ import annotations

import asyncio

from realtime.hub import Hub, RedisSubscriber


async def test_an_idle_bus_pings_redis_without_closing_every_socket(monkeypatch, settings):
    """The pub/sub reply to the idle ping is a "pong" without a channel; it once counted as a lost
    bus, which closed every socket of a quiet process with 1012 every 30 s."""
    assert settings.REDIS_URL, "the scaled mode's bus"
    monkeypatch.setattr(RedisSubscriber, "IDLE_PING", 0.05)
    hub = Hub()
    try:
        await hub.ensure_started()
        assert await hub.wait_ready(5)
        await asyncio.sleep(0.5)  # idleness is the condition under test: about ten pings
        assert hub.stats["bus_down"] == 0
        assert hub.ready.is_set()
    finally:
        await hub.shutdown()
