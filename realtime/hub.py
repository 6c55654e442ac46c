"""The per-process fan-out hub.

One bus subscription per room (and per user) per process, whatever the number of local
sockets: a room event costs one PUBLISH, one decode per process, one encoding per wire format,
and a queue append per local subscriber. The bus is best effort, so the hub also keeps each
room's events in ``seq`` order inside the process and fills gaps from the database: an event
that the bus lost or reordered still reaches every local subscriber, exactly once, in order.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections import defaultdict
from typing import TYPE_CHECKING, Any

from django.conf import settings

from backend.common import metrics

from . import bus as bus_module
from .dbpool import db_call
from .groups import parse_channel, room_channel, user_channel
from .wire import Outgoing, dumps_json

if TYPE_CHECKING:
    from .consumers import Connection

log = logging.getLogger("preau.realtime.hub")

GAP_WAIT = 0.25  # seconds to wait for a late event before reading the gap from the database


@db_call
def _room_last_seq(room_id: int) -> int:
    from backend.rooms.selectors import room_last_seq

    return room_last_seq(room_id=room_id)


@db_call
def _event_frames(room_id: int, after: int, upto: int | None) -> list[dict[str, Any]]:
    from backend.rooms.selectors import event_frames_between

    return event_frames_between(room_id=room_id, after=after, upto=upto)


@db_call
def _presence_rooms(user_id: int) -> Any:
    from backend.rooms.selectors import presence_rooms_for

    return presence_rooms_for(user_id=user_id)


class Hub:
    def __init__(self) -> None:
        self.loop: asyncio.AbstractEventLoop | None = None
        self.rooms: dict[int, set[Connection]] = defaultdict(set)
        self.users: dict[int, set[Connection]] = defaultdict(set)
        # Highest seq delivered in this process per subscribed room (None while subscribing).
        self.room_seq: dict[int, int | None] = {}
        self.pending: dict[int, dict[int, Outgoing]] = defaultdict(dict)
        self.gap_tasks: dict[int, asyncio.Task[None]] = {}
        self.subscriber: RedisSubscriber | LocalSubscriber | None = None
        self.ready = asyncio.Event()
        self._start_lock = asyncio.Lock()
        self._room_locks: dict[int, asyncio.Lock] = defaultdict(asyncio.Lock)
        self.stats: dict[str, int] = defaultdict(int)
        self.connections: set[Connection] = set()
        self.upkeep: asyncio.Task[None] | None = None
        self.dirty: list[Connection] = []
        # Webinar attendance: local attendees, the room of each webinar, throttled announces.
        self.attending: dict[int, set[Connection]] = defaultdict(set)
        self.webinar_rooms: dict[int, int] = {}
        self.announces: dict[int, asyncio.TimerHandle] = {}
        self.peaks: dict[int, int] = {}

    # --- lifecycle ---------------------------------------------------------------------------

    async def ensure_started(self) -> None:
        if self.subscriber is not None:
            return
        async with self._start_lock:
            if self.subscriber is not None:
                return
            self.loop = asyncio.get_running_loop()
            if settings.REDIS_URL:
                self.subscriber = RedisSubscriber(settings.REDIS_URL, self)
            else:
                self.subscriber = LocalSubscriber(self)
            await self.subscriber.start()

    async def wait_ready(self, seconds: float) -> bool:
        try:
            await asyncio.wait_for(self.ready.wait(), seconds)
        except TimeoutError:
            return False
        return True

    async def shutdown(self) -> None:
        """Stop background tasks and close bus connections (tests, process exit)."""
        for task in [self.upkeep, *self.gap_tasks.values()]:
            if task is not None:
                task.cancel()
        for handle in self.announces.values():
            handle.cancel()
        if self.subscriber is not None:
            await self.subscriber.stop()

    def bus_up(self) -> None:
        self.ready.set()

    def bus_down(self) -> None:
        """The bus lost messages we cannot name: close every socket so clients resync."""
        self.ready.clear()
        self.stats["bus_down"] += 1
        for conns in list(self.users.values()):
            for conn in list(conns):
                conn.close_soon(1012, "bus_lost")
        self.room_seq.clear()
        self.pending.clear()
        for task in self.gap_tasks.values():
            task.cancel()
        self.gap_tasks.clear()

    # --- connections -------------------------------------------------------------------------

    async def add_connection(self, conn: Connection) -> None:
        first = not self.users[conn.user_id]
        self.users[conn.user_id].add(conn)
        if first:
            await self.subscriber.subscribe(user_channel(conn.user_id))

    async def remove_connection(self, conn: Connection) -> None:
        for webinar_id in list(conn.attending):
            await self.unattend(conn, webinar_id)
        for room_id in list(conn.rooms):
            await self.leave_room(conn, room_id)
        conns = self.users.get(conn.user_id)
        if conns is not None:
            conns.discard(conn)
            if not conns:
                del self.users[conn.user_id]
                await self.subscriber.unsubscribe(user_channel(conn.user_id))

    async def join_room(self, conn: Connection, room_id: int, known_seq: int) -> None:
        """Start live delivery of a room to a connection that has every event up to known_seq."""
        async with self._room_locks[room_id]:
            if room_id not in self.room_seq:
                self.room_seq[room_id] = None
                await self.subscriber.subscribe(room_channel(room_id))
                # Anything committed before the subscription was active comes from the database.
                self.room_seq[room_id] = await _room_last_seq(room_id)
                self._drain(room_id)
            conn.rooms[room_id] = known_seq
            conn.catchup[room_id] = []
            self.rooms[room_id].add(conn)
        base = self.room_seq.get(room_id) or 0
        if known_seq < base:
            frames = await _event_frames(room_id, known_seq, base)
            conn.push_frames(room_id, [Outgoing.from_frame(f) for f in frames])
        conn.end_catchup(room_id)

    def drop_room(self, conn: Connection, room_id: int) -> None:
        """Stop delivering a room to a connection now; release the subscription later."""
        conn.rooms.pop(room_id, None)
        conn.catchup.pop(room_id, None)
        conns = self.rooms.get(room_id)
        if conns is not None:
            conns.discard(conn)
            if not conns:
                asyncio.ensure_future(self._release_room(room_id))

    async def leave_room(self, conn: Connection, room_id: int) -> None:
        conn.rooms.pop(room_id, None)
        conn.catchup.pop(room_id, None)
        conns = self.rooms.get(room_id)
        if conns is not None:
            conns.discard(conn)
        await self._release_room(room_id)

    async def _release_room(self, room_id: int) -> None:
        async with self._room_locks[room_id]:
            if self.rooms.get(room_id) or room_id not in self.room_seq:
                return
            self.rooms.pop(room_id, None)
            self.room_seq.pop(room_id, None)
            self.pending.pop(room_id, None)
            task = self.gap_tasks.pop(room_id, None)
            if task is not None:
                task.cancel()
            await self.subscriber.unsubscribe(room_channel(room_id))

    # --- writes ----------------------------------------------------------------------------------

    def flush_soon(self, conn: Connection) -> None:
        """Flush a socket's prepared frames once this loop iteration has handled every bus
        message it read: under load, several events reach a socket in one write."""
        if not self.dirty:
            asyncio.get_running_loop().call_soon(self._flush)
        self.dirty.append(conn)

    def _flush(self) -> None:
        dirty, self.dirty = self.dirty, []
        for conn in dirty:
            conn.flush()

    # --- webinar attendance ----------------------------------------------------------------

    async def attend(self, conn: Connection, webinar_id: int, room_id: int) -> int:
        from . import attendance

        conn.attending[webinar_id] = room_id
        self.attending[webinar_id].add(conn)
        self.webinar_rooms[webinar_id] = room_id
        count = await attendance.get_store().join(webinar_id, conn.conn_id)
        self._announce_soon(webinar_id)
        return count

    async def unattend(self, conn: Connection, webinar_id: int) -> None:
        from . import attendance

        if conn.attending.pop(webinar_id, None) is None:
            return
        conns = self.attending.get(webinar_id)
        if conns is not None:
            conns.discard(conn)
            if not conns:
                del self.attending[webinar_id]
        try:
            await attendance.get_store().leave(webinar_id, conn.conn_id)
        except Exception:  # Redis may be why we are closing; the entry expires by itself
            log.debug("attendance leave failed", exc_info=True)
        self._announce_soon(webinar_id)

    def _announce_soon(self, webinar_id: int) -> None:
        """At most one attendance update per webinar per ANNOUNCE_EVERY from this process."""
        from . import attendance

        if webinar_id in self.announces:
            return
        loop = asyncio.get_running_loop()
        self.announces[webinar_id] = loop.call_later(
            attendance.ANNOUNCE_EVERY,
            lambda: asyncio.ensure_future(self._announce_attendance(webinar_id)),
        )

    async def _announce_attendance(self, webinar_id: int) -> None:
        from . import attendance
        from .backend import webinar_peak
        from .consumers import PRESENCE_MAX_ROOM

        self.announces.pop(webinar_id, None)
        room_id = self.webinar_rooms.get(webinar_id)
        if room_id is None:
            return
        try:
            count = await attendance.get_store().count(webinar_id)
            peak = self.peaks.get(webinar_id, 0)
            if count > peak:
                peak = await webinar_peak(webinar_id, count)
                self.peaks[webinar_id] = peak
            await attendance.get_store().set_quiet(room_id, webinar_id, count > PRESENCE_MAX_ROOM)
            frame = {
                "type": "webinar.attendance",
                "room": room_id,
                "webinar": webinar_id,
                "count": count,
                "peak": max(peak, count),
            }
            await self.publish_room_ephemeral(room_id, frame)
        except Exception:
            log.warning("attendance update failed for webinar %s", webinar_id, exc_info=True)
        # Keep the room while another announce is due: the last attendees may have left while
        # this one awaited, and theirs must still reach the room (count 0, presence back on).
        if webinar_id not in self.attending and webinar_id not in self.announces:
            self.webinar_rooms.pop(webinar_id, None)

    async def quiet_rooms(self, room_ids: list[int]) -> set[int]:
        """Rooms with a webinar audience over the presence limit: no presence, no typing.

        Read from the shared attendance store, never from this process's sockets, so every
        process decides alike.
        """
        from . import attendance

        try:
            return await attendance.get_store().quiet_rooms(room_ids)
        except Exception:  # the store is down: err on the quiet side, presence is best-effort
            log.debug("quiet rooms check failed", exc_info=True)
            return set(room_ids)

    async def _refresh_quiet(self) -> None:
        """Keep the shared quiet flags of the webinars attended here from expiring (or drop them)."""
        from . import attendance
        from .consumers import PRESENCE_MAX_ROOM

        store = attendance.get_store()
        for webinar_id in list(self.attending):
            room_id = self.webinar_rooms.get(webinar_id)
            if room_id is not None:
                count = await store.count(webinar_id)
                await store.set_quiet(room_id, webinar_id, count > PRESENCE_MAX_ROOM)

    # --- ephemeral frames and presence upkeep ---------------------------------------------------

    async def publish_room_ephemeral(self, room_id: int, frame: dict[str, Any]) -> None:
        await self.subscriber.publish(room_channel(room_id), dumps_json(frame).encode())

    def track(self, conn: Connection) -> None:
        self.connections.add(conn)
        if self.upkeep is None:
            self.upkeep = asyncio.ensure_future(self._presence_upkeep())

    def untrack(self, conn: Connection) -> None:
        self.connections.discard(conn)

    async def _presence_upkeep(self) -> None:
        from . import presence

        while True:
            await asyncio.sleep(presence.REFRESH)
            try:
                store = presence.get_store()
                await store.refresh([(c.user_id, c.conn_id) for c in self.connections])
                from . import attendance

                await attendance.get_store().refresh(
                    [(w, c.conn_id) for w, conns in self.attending.items() for c in conns]
                )
                await self._refresh_quiet()
                for user_id in await store.sweep():
                    await self._announce_offline(user_id)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.warning("presence upkeep failed", exc_info=True)

    async def _announce_offline(self, user_id: int) -> None:
        rooms = await _presence_rooms(user_id)
        frame = {
            "type": "presence",
            "user": {"id": user_id, "name": rooms.name},
            "status": "offline",
        }
        quiet = await self.quiet_rooms(list(rooms.room_ids))
        for room_id in rooms.room_ids:
            if room_id not in quiet:
                await self.publish_room_ephemeral(room_id, frame)

    # --- bus messages ------------------------------------------------------------------------

    def on_message(self, channel: str, data: bytes) -> None:
        parsed = parse_channel(channel)
        if parsed is None:
            return
        kind, ident = parsed
        try:
            payload = json.loads(data)
        except ValueError:
            log.warning("undecodable bus message on %s", channel)
            return
        if kind == "user":
            for conn in list(self.users.get(ident, ())):
                conn.on_control(payload)
            return
        out = Outgoing(payload, data)
        seq = payload.get("seq")
        if seq is None:  # ephemeral: typing, presence
            conns = list(self.rooms.get(ident, ()))
            for conn in conns:
                conn.push_ephemeral(out)
            metrics.DELIVERIES_EPHEMERAL.inc(len(conns))
            return
        start = time.perf_counter()
        self._on_room_event(ident, seq, out)
        metrics.FANOUT.observe(time.perf_counter() - start)

    def _on_room_event(self, room_id: int, seq: int, out: Outgoing) -> None:
        if room_id not in self.room_seq:
            return
        base = self.room_seq[room_id]
        if base is not None and seq <= base:
            return
        self.pending[room_id][seq] = out
        if base is not None:
            self._drain(room_id)

    def _drain(self, room_id: int) -> None:
        base = self.room_seq.get(room_id)
        pending = self.pending.get(room_id)
        if base is None or not pending:
            return
        for seq in [s for s in pending if s <= base]:
            del pending[seq]
        while base + 1 in pending:
            base += 1
            self._deliver(room_id, base, pending.pop(base))
        self.room_seq[room_id] = base
        if pending and room_id not in self.gap_tasks:
            self.gap_tasks[room_id] = asyncio.ensure_future(self._fill_gap(room_id))

    async def _fill_gap(self, room_id: int) -> None:
        try:
            await asyncio.sleep(GAP_WAIT)
            base = self.room_seq.get(room_id)
            pending = self.pending.get(room_id)
            if base is None or not pending:
                return
            self.stats["gap_fills"] += 1
            metrics.GAP_FILLS.inc()
            frames = await _event_frames(room_id, base, min(pending) - 1)
            for frame in frames:
                if frame["seq"] > (self.room_seq.get(room_id) or 0):
                    self.pending[room_id].setdefault(frame["seq"], Outgoing.from_frame(frame))
        except asyncio.CancelledError:
            return
        except Exception:
            log.exception("gap fill failed for room %s", room_id)
        finally:
            self.gap_tasks.pop(room_id, None)
        self._drain(room_id)

    def _deliver(self, room_id: int, seq: int, out: Outgoing) -> None:
        self.stats["events"] += 1
        conns = list(self.rooms.get(room_id, ()))
        for conn in conns:
            conn.push_event(room_id, seq, out)
        metrics.HUB_EVENTS.inc()
        metrics.DELIVERIES_EVENT.inc(len(conns))


class LocalSubscriber:
    """Embedded mode: the in-process bus calls us from the publishing thread."""

    def __init__(self, hub: Hub) -> None:
        self.hub = hub
        self.listener: Any = None

    async def start(self) -> None:
        loop = asyncio.get_running_loop()

        def listener(channel: str, data: bytes) -> None:
            if loop.is_closed():
                return
            loop.call_soon_threadsafe(self.hub.on_message, channel, data)

        bus = bus_module.get_bus()
        if isinstance(bus, bus_module.LocalBus):
            bus.add_listener(listener)
            self.listener = listener
        self.hub.bus_up()

    async def subscribe(self, channel: str) -> None:
        return None

    async def unsubscribe(self, channel: str) -> None:
        return None

    async def publish(self, channel: str, data: bytes) -> None:
        self.hub.on_message(channel, data)

    async def stop(self) -> None:
        bus = bus_module.get_bus()
        if isinstance(bus, bus_module.LocalBus) and self.listener is not None:
            bus.remove_listener(self.listener)


class RedisSubscriber:
    """Scaled mode: one pub/sub connection per process, resubscribed after a reconnect."""

    IDLE_PING = 30.0  # seconds without a message before pinging Redis

    def __init__(self, url: str, hub: Hub) -> None:
        self.url = url
        self.hub = hub
        self.channels: set[str] = set()
        self.pubsub: Any = None
        self.confirmations: dict[str, asyncio.Future[None]] = {}
        self.task: asyncio.Task[None] | None = None
        self.publisher: Any = None

    async def start(self) -> None:
        self.task = asyncio.ensure_future(self._run())
        await self.hub.wait_ready(5)

    async def _run(self) -> None:
        import redis.asyncio as aioredis
        from redis.asyncio.retry import Retry
        from redis.backoff import NoBackoff

        delay = 0.2
        while True:
            # No silent retry: redis-py would otherwise reconnect and resubscribe by itself,
            # and whatever was published meanwhile would be lost with nobody told. Every loss
            # of the connection must reach the except clause below (close sockets, resync).
            client = aioredis.Redis.from_url(
                self.url, socket_connect_timeout=2, retry=Retry(NoBackoff(), 0)
            )
            try:
                self.pubsub = client.pubsub()
                # A placeholder subscription keeps the connection in pub/sub mode even when idle.
                await self.pubsub.subscribe(f"{settings.PREAU_BUS_PREFIX}:hub")
                for channel in list(self.channels):
                    await self.pubsub.subscribe(channel)
                self.hub.bus_up()
                delay = 0.2
                while True:
                    message = await self.pubsub.get_message(timeout=self.IDLE_PING)
                    if message is None:
                        await self.pubsub.ping()
                        continue
                    kind = message["type"]
                    if kind not in ("message", "subscribe"):
                        continue  # the idle ping's "pong" (no channel), unsubscribe replies
                    channel = message["channel"].decode()
                    if kind == "message":
                        self.hub.on_message(channel, message["data"])
                    else:
                        future = self.confirmations.pop(channel, None)
                        if future is not None and not future.done():
                            future.set_result(None)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # connection lost: resync everyone, then reconnect
                log.warning("Redis pub/sub lost (%s); closing sockets, reconnecting", exc)
                metrics.REDIS_RECONNECTS.inc()
                self.pubsub = None
                for future in self.confirmations.values():
                    if not future.done():
                        future.set_result(None)
                self.confirmations.clear()
                self.hub.bus_down()
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5)
            finally:
                try:
                    await client.aclose()
                except Exception:  # noqa: S110 - already broken
                    pass

    async def subscribe(self, channel: str) -> None:
        self.channels.add(channel)
        if self.pubsub is None:
            return
        future = asyncio.get_running_loop().create_future()
        self.confirmations[channel] = future
        try:
            await self.pubsub.subscribe(channel)
            await asyncio.wait_for(future, 5)
        except Exception:
            self.confirmations.pop(channel, None)
            log.warning("subscribe to %s not confirmed", channel)

    async def stop(self) -> None:
        if self.task is not None:
            self.task.cancel()
            try:
                await self.task
            except BaseException:  # noqa: S110 - cancelled on purpose
                pass
        if self.publisher is not None:
            await self.publisher.aclose()

    async def publish(self, channel: str, data: bytes) -> None:
        """Ephemeral frames (typing, presence): best effort, from the event loop."""
        if self.publisher is None:
            self.publisher = bus_module.async_redis(self.url)
        try:
            await self.publisher.publish(channel, data)
        except Exception:
            log.debug("ephemeral publish failed", exc_info=True)

    async def unsubscribe(self, channel: str) -> None:
        self.channels.discard(channel)
        if self.pubsub is None:
            return
        try:
            await self.pubsub.unsubscribe(channel)
        except Exception:  # the reader loop notices a broken connection
            log.debug("unsubscribe from %s failed", channel, exc_info=True)


_hub: Hub | None = None


def get_hub() -> Hub:
    global _hub
    if _hub is None:
        _hub = Hub()
    return _hub


def reset_hub() -> None:
    """Forget the hub (tests run each in a fresh event loop)."""
    global _hub
    _hub = None
