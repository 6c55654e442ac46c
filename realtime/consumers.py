"""The WebSocket endpoint /ws/v1/: parse a frame, check it, call one backend function, relay.

Everything a handler needs from the database goes through ``realtime.backend`` (thin
``database_sync_to_async`` wrappers around backend services and selectors). Live delivery comes
from the per-process hub; nothing here builds room events.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from channels.exceptions import StopConsumer
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from backend.common import metrics
from backend.common.errors import BadRequest, NotFound, PreauError, RateLimited

from . import backend as db
from . import presence as presence_module
from .auth import Credentials, authenticate_scope
from .hub import Hub, get_hub
from .ratelimit import TokenBucket
from .wire import (
    DIRECT_WRITE,
    MAX_FRAME_BYTES,
    SUBPROTOCOL_JSON,
    SUBPROTOCOL_MSGPACK,
    DecodeError,
    Outgoing,
    decode_frame,
    dumps_json,
)

if TYPE_CHECKING:
    from .transport import DirectWriter

log = logging.getLogger("preau.realtime.consumer")
lifecycle_log = logging.getLogger("preau.ws")

SEND_QUEUE_MAX = 5000  # frames waiting for a slow client before it is cut off to resync
SYNC_PAGE = 200
MAX_CONNECTIONS_PER_USER = 16
PRESENCE_MAX_ROOM = 200  # presence and typing are not broadcast in larger rooms
TYPING_INTERVAL = 2.0

CLOSE_UNAUTHORIZED = 4401
CLOSE_FORBIDDEN = 4403  # valid credentials that may not open a socket (2FA still to enrol)
CLOSE_FLOOD = 4429
CLOSE_SLOW = 4408
CLOSE_TOO_LARGE = 1009
CLOSE_TRY_LATER = 1013


def _int(value: Any, name: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0 or value > 2**62:
        raise BadRequest(_("« %(name)s » doit être un entier positif.") % {"name": name})
    return value


class Connection(AsyncWebsocketConsumer):
    # Room fan-out goes through the hub, not the channel layer: opt out of a per-socket channel.
    channel_layer_alias = "__no_layer__"

    # --- state -------------------------------------------------------------------------------

    hub: Hub
    user_id: int
    creds: Credentials

    def _init_state(self) -> None:
        self.conn_id = uuid.uuid4().hex
        self.rooms: dict[int, int] = {}  # room -> last seq delivered on this socket
        self.catchup: dict[int, list[Outgoing]] = {}  # live events held while replaying a room
        self.member_rooms: dict[int, int] = {}  # room -> member count, for typing/presence
        self.attending: dict[int, int] = {}  # webinar -> its room, while attending
        self.binary = False
        self.queue: asyncio.Queue[Outgoing | tuple[int, str] | None] = asyncio.Queue()
        self.writer: asyncio.Task[None] | None = None  # runs only while frames are queued
        self.live = False  # connect() is done: frames may leave
        self.sending = False  # the writer task is between taking a frame and writing it
        self.direct: DirectWriter | None = None
        self.pending: list[bytes] = []  # prepared frames for the hub's end-of-iteration flush
        self.closing = False
        self.bucket = TokenBucket(rate=20.0, burst=40.0)
        self.refusals: list[float] = []
        self.typing_sent: dict[int, float] = {}
        self.language = settings.LANGUAGE_CODE
        self.registered = False
        self.expiry: asyncio.TimerHandle | None = None
        self.opened_at = time.monotonic()
        self.frames_in = 0
        self.frames_out = 0
        self.close_code: int | None = None  # set when the server closes

    async def dispatch(self, message: dict[str, Any]) -> None:
        # Channels closes stale DB connections on a thread hop before every message; our
        # database work already runs in database_sync_to_async, which does that itself.
        handler = getattr(self, message["type"].replace(".", "_"), None)
        if handler is None:
            raise ValueError(f"no handler for {message['type']}")
        await handler(message)

    # --- connection lifecycle ----------------------------------------------------------------

    async def connect(self) -> None:
        self._init_state()
        self.language = _language(self.scope)
        creds = await authenticate_scope(self.scope)
        if creds is None:
            await self.close()  # before accept: HTTP 403 at the handshake
            return
        self.creds = creds
        self.user_id = creds.user_id
        self.hub = get_hub()
        await self.hub.ensure_started()
        offered = self.scope.get("subprotocols") or []
        self.binary = SUBPROTOCOL_MSGPACK in offered
        subprotocol = (
            SUBPROTOCOL_MSGPACK
            if self.binary
            else (SUBPROTOCOL_JSON if SUBPROTOCOL_JSON in offered else None)
        )
        await self.accept(subprotocol)
        # Under `preau serve` (realtime/transport.py): prepared frames go straight to the socket.
        self.direct = (self.scope.get("extensions") or {}).get(DIRECT_WRITE)
        if creds.two_factor_missing:
            with translation.override(self.language):
                message = str(
                    _(
                        "La double authentification est obligatoire pour l'équipe de la "
                        "plateforme : activez-la depuis la page « Sécurité du compte »."
                    )
                )
            await self._send_now(
                {
                    "type": "error",
                    "code": "forbidden",
                    "reason": "two_factor_required",
                    "message": message,
                }
            )
            self.close_code = CLOSE_FORBIDDEN
            await self.close(CLOSE_FORBIDDEN)
            return
        if not await self.hub.wait_ready(3):
            self.close_code = CLOSE_TRY_LATER
            await self.close(CLOSE_TRY_LATER)
            return
        store = presence_module.get_store()
        if await store.count(self.user_id) >= MAX_CONNECTIONS_PER_USER:
            await self._send_now(
                {
                    "type": "error",
                    "code": "rate_limited",
                    "message": str(_("Trop de connexions simultanées.")),
                }
            )
            self.close_code = CLOSE_FLOOD
            await self.close(CLOSE_FLOOD)
            return
        rooms = await db.socket_rooms(self.user_id)
        self.member_rooms = {r.id: r.member_count for r in rooms}
        self.push(
            {
                "type": "hello",
                "user": {"id": creds.user_id, "name": creds.name},
                "rooms": [
                    {
                        "id": r.id,
                        "seq": r.seq,
                        "read": r.read,
                        "unread": r.unread,
                        "mentions": r.mentions,
                    }
                    for r in rooms
                ],
            }
        )
        self.registered = True
        metrics.WS_OPENED.inc()
        metrics.WS_CONNECTIONS.inc()
        await self.hub.add_connection(self)
        for r in rooms:
            await self.hub.join_room(self, r.id, r.seq)
        if await store.connect(self.user_id, self.conn_id):
            # From the event loop: a database-thread hop for one Redis GET slowed every handshake.
            await self._announce_presence(await store.own_status(self.user_id))
        self.hub.track(self)
        self._expire_at(creds.expires_at)
        # Frames wait in the queue (hello first) until the connection is fully set up: a client
        # that has its hello is live in every room and misses nothing sent after it.
        self.live = True
        self._wake_writer()

    async def disconnect(self, code: int) -> None:
        if not getattr(self, "registered", False):
            return
        self.registered = False
        self.closing = True
        if self.expiry is not None:
            self.expiry.cancel()
        metrics.WS_CONNECTIONS.dec()
        self.hub.untrack(self)
        await self.hub.remove_connection(self)
        if self.writer is not None:
            self.writer.cancel()
        try:
            if await presence_module.get_store().disconnect(self.user_id, self.conn_id):
                await self._announce_presence("offline")
        except Exception:  # Redis may be the reason we are closing
            log.debug("presence disconnect failed", exc_info=True)

    async def websocket_disconnect(self, message: dict[str, Any]) -> None:
        await self.disconnect(message.get("code", 1000))
        self._log_lifecycle(message.get("code", 1000))
        raise StopConsumer()

    def _expire_at(self, at: float | None) -> None:
        """Close with 4401 when the credentials stop working (end of a rotation's grace)."""
        if at is None:
            return
        if self.expiry is not None:
            self.expiry.cancel()
        delay = max(0.0, at - time.time())
        self.expiry = asyncio.get_running_loop().call_later(
            delay, self.close_soon, CLOSE_UNAUTHORIZED, "token_expired"
        )

    def _log_lifecycle(self, client_code: int) -> None:
        """One line per connection: ids, counts, duration and close code, never content."""
        creds = getattr(self, "creds", None)
        opened_at = getattr(self, "opened_at", None)
        lifecycle_log.info(
            "websocket %s",
            "closed" if creds is not None else "refused",
            extra={
                "fields": {
                    "event": "ws.closed" if creds is not None else "ws.refused",
                    "conn_id": getattr(self, "conn_id", None),
                    "user_id": creds.user_id if creds is not None else None,
                    "duration_ms": (
                        round((time.monotonic() - opened_at) * 1000) if opened_at else None
                    ),
                    "close_code": getattr(self, "close_code", None) or client_code,
                    "closed_by": "server" if getattr(self, "close_code", None) else "client",
                    "frames_in": getattr(self, "frames_in", 0),
                    "frames_out": getattr(self, "frames_out", 0),
                }
            },
        )

    def close_soon(self, code: int, reason: str = "") -> None:
        """Close from synchronous code (hub callbacks): after what is already queued."""
        if self.closing:
            return
        self.closing = True
        self.queue.put_nowait((code, reason))
        self._wake_writer()

    # --- outgoing ----------------------------------------------------------------------------

    def push(self, payload: dict[str, Any]) -> None:
        self._enqueue(Outgoing(payload))

    def _enqueue(self, out: Outgoing) -> None:
        if self.closing:
            return
        direct = self.direct
        if (
            direct is not None
            and self.live
            and not self.sending
            and self.queue.empty()
            and direct.ready()
        ):
            # Nothing is waiting before this frame: take the process-wide prepared frame, to be
            # written with the others this socket gets in the same loop iteration (one write,
            # no writer-task wake-up: the fan-out's per-delivery cost).
            if not self.pending:
                self.hub.flush_soon(self)
            self.pending.append(out.packed_frame if self.binary else out.text_frame)
            return
        if self.queue.qsize() >= SEND_QUEUE_MAX:
            log.info("slow client %s cut off after %d queued frames", self.conn_id, SEND_QUEUE_MAX)
            self.close_soon(CLOSE_SLOW, "too_slow")
            return
        self.queue.put_nowait(out)
        self._wake_writer()

    def push_event(self, room_id: int, seq: int, out: Outgoing) -> None:
        held = self.catchup.get(room_id)
        if held is not None:
            held.append(out)
            return
        last = self.rooms.get(room_id)
        if last is None or seq <= last:
            return
        self.rooms[room_id] = seq
        self._enqueue(out)
        if out.payload.get("event") == "member.left":
            self._on_member_left(room_id, out.payload)

    def push_frames(self, room_id: int, frames: list[Outgoing]) -> None:
        for out in frames:
            seq = out.seq or 0
            if seq > self.rooms.get(room_id, 0):
                self.rooms[room_id] = seq
                self._enqueue(out)

    def end_catchup(self, room_id: int) -> None:
        held = self.catchup.pop(room_id, None) or []
        for out in held:
            self.push_event(room_id, out.seq or 0, out)

    def push_ephemeral(self, out: Outgoing) -> None:
        user = out.payload.get("user")
        if isinstance(user, dict) and user.get("id") == self.user_id:
            return  # one's own typing and presence are not echoed
        self._enqueue(out)

    def _on_member_left(self, room_id: int, payload: dict[str, Any]) -> None:
        user = (payload.get("data") or {}).get("user") or {}
        if user.get("id") == self.user_id:
            # Stop delivery at once; nothing after this event reaches the socket.
            self.member_rooms.pop(room_id, None)
            self.hub.drop_room(self, room_id)
            self.push({"type": "unsubscribed", "room": room_id})

    def _wake_writer(self) -> None:
        if self.live and self.writer is None and not self.queue.empty():
            self.writer = asyncio.ensure_future(self._write_loop())

    async def _write_loop(self) -> None:
        """Send what is queued, then end: an idle socket holds no task (idle memory)."""
        try:
            while not self.queue.empty():
                item = self.queue.get_nowait()
                self.sending = True
                self.flush()  # prepared frames taken before this item go first
                if isinstance(item, tuple):
                    self.close_code = item[0]
                    await super().close(code=item[0])
                    return
                if self.binary:
                    await self.send(bytes_data=item.packed)
                else:
                    await self.send(text_data=item.text)
                self.frames_out += 1
                metrics.WS_FRAMES_OUT.inc()
                self.sending = False
        except asyncio.CancelledError:
            return
        finally:
            self.sending = False
            self.writer = None

    def flush(self) -> None:
        """Write the prepared frames taken since the last flush, in one write."""
        pending = self.pending
        if not pending:
            return
        self.pending = []
        if self.direct is not None and self.direct.open():
            self.direct.write(pending[0] if len(pending) == 1 else b"".join(pending))
            self.frames_out += len(pending)
            metrics.WS_FRAMES_OUT.inc(len(pending))

    async def _send_now(self, payload: dict[str, Any]) -> None:
        if self.binary:
            await self.send(bytes_data=Outgoing(payload).packed)
        else:
            await self.send(text_data=dumps_json(payload))
        self.frames_out += 1
        metrics.WS_FRAMES_OUT.inc()

    # --- control messages from the user channel ------------------------------------------------

    def on_control(self, payload: dict[str, Any]) -> None:
        control = payload.get("control")
        if control == "frame":
            self.push(payload["frame"])
        elif control == "membership":
            room_id = int(payload["room"])
            if payload.get("joined"):
                asyncio.ensure_future(self._follow_joined_room(room_id))
            else:
                self.member_rooms.pop(room_id, None)
                if room_id in self.rooms or room_id in self.catchup:
                    self.hub.drop_room(self, room_id)
                    self.push({"type": "unsubscribed", "room": room_id})
        elif control == "token_revoked":
            if self.creds.token_id is not None and self.creds.token_id == payload.get("token"):
                self.close_soon(CLOSE_UNAUTHORIZED, "token_revoked")
        elif control == "token_expiring":
            if self.creds.token_id is not None and self.creds.token_id in payload.get("tokens", []):
                self._expire_at(float(payload["at"]))
        elif control == "session_ended":
            tag = payload.get("session")
            if self.creds.session_tag is not None and tag in (None, self.creds.session_tag):
                self.close_soon(CLOSE_UNAUTHORIZED, "session_ended")
        elif control == "deactivated":
            self.close_soon(CLOSE_UNAUTHORIZED, "deactivated")

    async def _follow_joined_room(self, room_id: int) -> None:
        try:
            info = await db.member_room(self.user_id, room_id)
        except PreauError:
            return
        if info is None or self.closing:
            return
        self.member_rooms[room_id] = info.member_count
        if room_id not in self.rooms:
            await self.hub.join_room(self, room_id, info.seq)
            self.push({"type": "subscribed", "room": room_id, "seq": info.seq})

    # --- incoming ----------------------------------------------------------------------------

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        self.frames_in += 1
        metrics.WS_FRAMES_IN.inc()
        size = len(bytes_data) if bytes_data is not None else len((text_data or "").encode())
        if size > MAX_FRAME_BYTES:
            self.closing = True
            self.close_code = CLOSE_TOO_LARGE
            await super().close(code=CLOSE_TOO_LARGE)
            return
        ref = None
        try:
            if not self.bucket.take():
                self._note_refusal()
                raise RateLimited()
            try:
                frame = decode_frame(text=text_data, data=bytes_data, binary=self.binary)
            except DecodeError as exc:
                raise BadRequest(exc.message) from None
            if not isinstance(frame, dict):
                raise BadRequest(_("Une trame est un objet avec un champ « type »."))
            ref = frame.get("ref")
            if ref is not None and (not isinstance(ref, str) or len(ref) > 64):
                ref = None
                raise BadRequest(_("« ref » doit être une chaîne de 64 caractères au plus."))
            handler = HANDLERS.get(frame.get("type"))  # type: ignore[arg-type]
            if handler is None:
                raise BadRequest(_("Type de trame inconnu."))
            with translation.override(self.language):
                reply = await handler(self, frame)
            if reply is not None:
                reply.setdefault("type", "ack")
                if ref is not None:
                    reply["ref"] = ref
                self.push(reply)
        except PreauError as exc:
            metrics.error("ws", exc.code)
            with translation.override(self.language):
                error = {"type": "error", **exc.as_dict()}
            if ref is not None:
                error["ref"] = ref
            self.push(error)

    def _note_refusal(self) -> None:
        now = time.monotonic()
        self.refusals = [t for t in self.refusals if now - t < 10] + [now]
        if len(self.refusals) > 50:
            self.close_soon(CLOSE_FLOOD, "flood")

    # --- frame handlers ----------------------------------------------------------------------

    async def on_ping(self, frame: dict[str, Any]) -> dict[str, Any]:
        return {"type": "pong"}

    async def on_sync(self, frame: dict[str, Any]) -> dict[str, Any]:
        since = frame.get("since")
        if not isinstance(since, dict) or len(since) > 1000:
            raise BadRequest(_("« since » doit être un objet {salon: seq}."))
        wanted: list[tuple[int, int]] = []
        for key, seq in since.items():
            try:
                room_id = int(key)
            except (TypeError, ValueError):
                raise BadRequest(
                    _("Les clés de « since » sont des identifiants de salon.")
                ) from None
            wanted.append((_int(room_id, "room"), _int(seq, "seq")))
        limited, refused = [], []
        for room_id, seq in sorted(wanted):
            live = room_id in self.rooms
            if live:
                self.catchup[room_id] = []
                self.rooms[room_id] = seq
            try:
                frames, was_limited = await db.sync_page(self.user_id, room_id, seq, SYNC_PAGE)
            except PreauError:
                refused.append(room_id)
                if live:
                    self.catchup.pop(room_id, None)
                continue
            if was_limited:
                limited.append(room_id)
            outs = [Outgoing(f) for f in frames]
            if live:
                self.push_frames(room_id, outs)
                self.end_catchup(room_id)
            else:
                for out in outs:
                    self._enqueue(out)
        metrics.SYNCS.inc()
        metrics.SYNC_LIMITED.inc(len(limited))
        reply: dict[str, Any] = {"limited": limited}
        if refused:
            reply["not_found"] = refused
        return reply

    async def on_subscribe(self, frame: dict[str, Any]) -> dict[str, Any]:
        room_id = _int(frame.get("room"), "room")
        seq = await db.readable_seq(self.user_id, room_id)
        if room_id not in self.rooms:
            await self.hub.join_room(self, room_id, seq)
        return {"room": room_id, "seq": self.rooms.get(room_id, seq)}

    async def on_unsubscribe(self, frame: dict[str, Any]) -> dict[str, Any]:
        room_id = _int(frame.get("room"), "room")
        self.hub.drop_room(self, room_id)
        return {"room": room_id}

    async def on_message_send(self, frame: dict[str, Any]) -> dict[str, Any]:
        room_id = _int(frame.get("room"), "room")
        with metrics.MESSAGE_SEND_WS.time():
            message = await db.message_send(
                self.user_id,
                room_id=room_id,
                body=frame.get("body"),
                client_id=frame.get("client_id"),
                thread=frame.get("thread"),
                documents=frame.get("documents"),
                files=frame.get("files"),
            )
        return {"message": message}

    async def on_message_edit(self, frame: dict[str, Any]) -> dict[str, Any]:
        message = await db.message_edit(
            self.user_id,
            message_id=_int(frame.get("message"), "message"),
            body=frame.get("body"),
            documents=frame.get("documents"),
        )
        return {"message": message}

    async def on_message_delete(self, frame: dict[str, Any]) -> dict[str, Any]:
        message = await db.message_delete(
            self.user_id, message_id=_int(frame.get("message"), "message")
        )
        return {"message": message}

    async def on_read(self, frame: dict[str, Any]) -> dict[str, Any]:
        room_id = _int(frame.get("room"), "room")
        seq = _int(frame.get("seq"), "seq")
        if frame.get("thread") is not None:
            thread = _int(frame.get("thread"), "thread")
            return {
                "room": room_id,
                "thread": thread,
                "seq": await db.thread_read_mark(self.user_id, room_id, thread, seq),
            }
        return {"room": room_id, "seq": await db.read_mark(self.user_id, room_id, seq)}

    async def on_reaction_add(self, frame: dict[str, Any]) -> dict[str, Any]:
        message_id = _int(frame.get("message"), "message")
        changed = await db.reaction(self.user_id, message_id, frame.get("emoji"), add=True)
        return {"message": message_id, "changed": changed}

    async def on_reaction_remove(self, frame: dict[str, Any]) -> dict[str, Any]:
        message_id = _int(frame.get("message"), "message")
        changed = await db.reaction(self.user_id, message_id, frame.get("emoji"), add=False)
        return {"message": message_id, "changed": changed}

    async def on_moderate(self, frame: dict[str, Any]) -> dict[str, Any]:
        # message.hide / message.pin / message.unpin / message.report / message.move
        return await db.moderate(self.user_id, frame["type"], frame, _client_ip(self.scope))

    async def on_typing(self, frame: dict[str, Any]) -> dict[str, Any] | None:
        room_id = _int(frame.get("room"), "room")
        if room_id not in self.member_rooms:
            raise NotFound()
        now = time.monotonic()
        if now - self.typing_sent.get(room_id, -TYPING_INTERVAL) >= TYPING_INTERVAL and (
            await self._chatty([room_id])
        ):
            self.typing_sent[room_id] = now
            await self.hub.publish_room_ephemeral(
                room_id,
                {
                    "type": "typing",
                    "room": room_id,
                    "user": {"id": self.user_id, "name": self.creds.name},
                },
            )
        return {} if frame.get("ref") is not None else None

    async def on_presence(self, frame: dict[str, Any]) -> dict[str, Any]:
        status = frame.get("status")
        if status not in ("online", "away", "dnd"):
            raise BadRequest(_("« status » vaut online, away ou dnd."))
        await presence_module.get_store().set_status(self.user_id, status)
        await self._announce_presence(status)
        return {"status": status}

    async def _announce_presence(self, status: str) -> None:
        frame = {
            "type": "presence",
            "user": {"id": self.user_id, "name": self.creds.name},
            "status": status,
        }
        for room_id in await self._chatty(list(self.member_rooms)):
            await self.hub.publish_room_ephemeral(room_id, frame)

    async def _chatty(self, room_ids: list[int]) -> list[int]:
        """The rooms where presence and typing are broadcast: small rooms without a large webinar
        audience. Both tests read shared state (the member count stored in the database, the
        attendance store), so every server process takes the same decision."""
        small = [r for r in room_ids if self.member_rooms.get(r, 0) <= PRESENCE_MAX_ROOM]
        quiet = await self.hub.quiet_rooms(small) if small else set()
        return [r for r in small if r not in quiet]

    # --- webinars --------------------------------------------------------------------------

    async def on_webinar_attend(self, frame: dict[str, Any]) -> dict[str, Any]:
        webinar_id = _int(frame.get("webinar"), "webinar")
        room_id, seq = await db.webinar_attend(self.user_id, webinar_id)
        if seq is not None and room_id not in self.rooms:
            await self.hub.join_room(self, room_id, seq)
        count = await self.hub.attend(self, webinar_id, room_id)
        return {"webinar": webinar_id, "room": room_id, "count": count}

    async def on_webinar_leave(self, frame: dict[str, Any]) -> dict[str, Any]:
        webinar_id = _int(frame.get("webinar"), "webinar")
        await self.hub.unattend(self, webinar_id)
        return {"webinar": webinar_id}

    async def on_question_ask(self, frame: dict[str, Any]) -> dict[str, Any]:
        question = await db.question_ask(
            self.user_id,
            webinar_id=_int(frame.get("webinar"), "webinar"),
            body=frame.get("body"),
            anonymous=frame.get("anonymous", False),
        )
        return {"question": question}

    async def on_question_vote(self, frame: dict[str, Any]) -> dict[str, Any]:
        vote = frame.get("vote", True)
        if not isinstance(vote, bool):
            raise BadRequest(_("« vote » doit être un booléen."))
        return await db.question_vote(self.user_id, _int(frame.get("question"), "question"), vote)

    async def on_question_moderate(self, frame: dict[str, Any]) -> dict[str, Any]:
        action = frame.get("action")
        if action not in ("approve", "dismiss", "restore"):
            raise BadRequest(_("« action » vaut approve, dismiss ou restore."))
        return await db.question_moderate(
            self.user_id,
            question_id=_int(frame.get("question"), "question"),
            action=action,
            reason=frame.get("reason"),
        )


def _client_ip(scope: dict[str, Any]) -> str | None:
    """The peer's address, or the proxy's last X-Forwarded-For entry when trusted (as REST)."""
    import ipaddress

    raw = (scope.get("client") or ("",))[0] or ""
    if settings.PREAU_TRUST_X_FORWARDED_FOR:
        for name, value in scope.get("headers", []):
            if name == b"x-forwarded-for" and value:
                raw = value.decode("latin-1").split(",")[-1]
    try:
        return str(ipaddress.ip_address(raw.strip()))
    except ValueError:
        return None


def _language(scope: dict[str, Any]) -> str:
    from django.utils.translation import get_supported_language_variant
    from django.utils.translation.trans_real import parse_accept_lang_header

    for name, value in scope.get("headers", []):
        if name == b"accept-language":
            for lang, _q in parse_accept_lang_header(value.decode("latin-1")):
                try:
                    return get_supported_language_variant(lang)
                except LookupError:
                    continue
    return settings.LANGUAGE_CODE


Handler = Callable[[Connection, dict[str, Any]], Awaitable[dict[str, Any] | None]]

HANDLERS: dict[str, Handler] = {
    "ping": Connection.on_ping,
    "sync": Connection.on_sync,
    "subscribe": Connection.on_subscribe,
    "unsubscribe": Connection.on_unsubscribe,
    "message.send": Connection.on_message_send,
    "message.edit": Connection.on_message_edit,
    "message.delete": Connection.on_message_delete,
    "read": Connection.on_read,
    "reaction.add": Connection.on_reaction_add,
    "reaction.remove": Connection.on_reaction_remove,
    "message.hide": Connection.on_moderate,
    "message.pin": Connection.on_moderate,
    "message.unpin": Connection.on_moderate,
    "message.report": Connection.on_moderate,
    "message.move": Connection.on_moderate,
    "typing": Connection.on_typing,
    "presence": Connection.on_presence,
    "webinar.attend": Connection.on_webinar_attend,
    "webinar.leave": Connection.on_webinar_leave,
    "question.ask": Connection.on_question_ask,
    "question.vote": Connection.on_question_vote,
    "question.moderate": Connection.on_question_moderate,
}
