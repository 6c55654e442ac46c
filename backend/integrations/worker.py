"""The background worker of each server process: outgoing webhooks, scheduled announcements.

One daemon thread per process, started by ``backend.asgi`` when
``PREAU["BACKGROUND_WORKERS"]`` is on. It wakes when a transaction queued a delivery (in this
process) and otherwise every ``WORKER_POLL_SECONDS``, which picks up work queued by other
processes and retries that became due. Several processes share the work safely: each row is
claimed with ``SELECT … FOR UPDATE SKIP LOCKED`` (see ``delivery.py``).
"""

from __future__ import annotations

import logging
import threading

from django.conf import settings
from django.db import close_old_connections

log = logging.getLogger("preau.integrations.worker")

_wake = threading.Event()
_started = threading.Lock()
_thread: threading.Thread | None = None


def wake() -> None:
    _wake.set()


def run_once() -> int:
    """One round of every periodic job; returns how much work was done."""
    done = 0
    for job in _jobs():
        try:
            done += job()
        except Exception:  # the worker must survive a bad round (database restart, bug)
            log.exception("background job %s failed", getattr(job, "__name__", job))
    return done


def _jobs() -> list:
    from . import announcements, delivery

    return [delivery.deliver_due, announcements.announcements_send_due]


def _loop() -> None:
    poll = settings.PREAU["WORKER_POLL_SECONDS"]
    while True:
        _wake.wait(poll)
        _wake.clear()
        close_old_connections()
        try:
            while run_once():
                pass
        finally:
            close_old_connections()


def start() -> bool:
    """Start this process's worker thread once; returns whether it runs."""
    global _thread
    if not settings.PREAU["BACKGROUND_WORKERS"]:
        return False
    with _started:
        if _thread is None:
            _thread = threading.Thread(target=_loop, name="preau-worker", daemon=True)
            _thread.start()
    return True
