"""Coalesced vote counts: at most one count update per webinar per interval, per process.

A vote marks its question dirty (after commit). A background thread wakes when something is
dirty, waits until at least ``interval`` has passed since the webinar's previous update, reads
the current counts of the dirty questions from the database and sends one ephemeral
``webinar.votes`` frame to the room. Reading from the database (not adding up deltas) makes the
last update exact whatever the order in which concurrent votes committed; a thousand votes in a
second cost each attendee a handful of frames.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import defaultdict
from typing import Any

from django.conf import settings
from django.db import close_old_connections

log = logging.getLogger("preau.webinars.votes")


def interval() -> float:
    return float(getattr(settings, "PREAU_WEBINAR_VOTE_INTERVAL", 0.25))


class VoteCoalescer:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.wake = threading.Event()
        self.dirty: dict[int, set[int]] = defaultdict(set)  # webinar -> questions
        self.rooms: dict[int, int] = {}
        self.last: dict[int, float] = {}  # webinar -> monotonic time of its last update
        self.thread: threading.Thread | None = None
        self.flushes = 0

    def mark(self, *, webinar_id: int, room_id: int, question_id: int) -> None:
        with self.lock:
            self.dirty[webinar_id].add(question_id)
            self.rooms[webinar_id] = room_id
            if self.thread is None or not self.thread.is_alive():
                self.thread = threading.Thread(
                    target=self._run, name="preau-vote-coalescer", daemon=True
                )
                self.thread.start()
        self.wake.set()

    def _due(self, now: float) -> tuple[list[int], float | None]:
        """Webinars whose update is due now, and the delay until the next one otherwise."""
        due, wait = [], None
        step = interval()
        for webinar_id in self.dirty:
            at = self.last.get(webinar_id, 0.0) + step
            if at <= now:
                due.append(webinar_id)
            else:
                wait = at - now if wait is None else min(wait, at - now)
        return due, wait

    def _run(self) -> None:
        while True:
            self.wake.wait(timeout=30)
            self.wake.clear()
            while True:
                with self.lock:
                    due, wait = self._due(time.monotonic())
                if due:
                    self.flush(due)
                    continue
                if wait is None:
                    break
                time.sleep(wait)

    def flush(self, webinar_ids: list[int] | None = None) -> int:
        """Send the current counts of the dirty questions of these webinars (all by default)."""
        with self.lock:
            ids = list(self.dirty) if webinar_ids is None else webinar_ids
            batch = {w: self.dirty.pop(w) for w in ids if w in self.dirty}
            now = time.monotonic()
            for w in batch:
                self.last[w] = now
        if not batch:
            return 0
        refused = [w for w in batch if not _claim(w)]
        if refused:  # another process updated these webinars less than an interval ago
            with self.lock:
                for w in refused:
                    self.dirty[w] |= batch.pop(w)
            self.wake.set()
        if not batch:
            return 0
        try:
            self._send(batch)
        except Exception:
            log.warning("vote count update failed", exc_info=True)
        finally:
            close_old_connections()
        return len(batch)

    def _send(self, batch: dict[int, set[int]]) -> None:
        from realtime import publish

        from . import events
        from .models import Question

        wanted = set().union(*batch.values())
        counts: dict[int, dict[int, int]] = defaultdict(dict)
        for pk, webinar_id, votes in Question.objects.filter(pk__in=wanted).values_list(
            "pk", "webinar_id", "votes"
        ):
            counts[webinar_id][pk] = votes
        for webinar_id in batch:
            if counts.get(webinar_id):
                self.flushes += 1
                publish.room_ephemeral(
                    room_id=self.rooms[webinar_id],
                    frame=events.votes_frame(
                        room_id=self.rooms[webinar_id],
                        webinar_id=webinar_id,
                        counts=counts[webinar_id],
                    ),
                )


def _claim(webinar_id: int) -> bool:
    """One update per webinar per interval across every server process (scaled mode): a
    short-lived Redis key taken by whichever process flushes first; the others retry later,
    so the last update still comes after the last vote."""
    url = getattr(settings, "REDIS_URL", "")
    if not url:
        return True
    global _redis
    try:
        if _redis is None:
            import redis

            _redis = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)
        key = f"{settings.PREAU_BUS_PREFIX}:votes:{int(webinar_id)}"
        return bool(_redis.set(key, b"1", px=max(1, int(interval() * 1000)), nx=True))
    except Exception:  # Redis down: update anyway, the bus is down too
        log.debug("vote flush claim failed", exc_info=True)
        return True


_redis: Any = None
_coalescer = VoteCoalescer()


def get_coalescer() -> VoteCoalescer:
    return _coalescer


def votes_changed(*, webinar_id: int, room_id: int, question_id: int) -> None:
    _coalescer.mark(webinar_id=webinar_id, room_id=room_id, question_id=question_id)
