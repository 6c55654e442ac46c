"""Where the realtime layer's database work runs: a small pool of threads, not one.

``channels.db.database_sync_to_async`` is thread-sensitive: every socket of a process shares
one thread for its database calls, so a process acknowledges one ``message.send`` (or
authenticates one connection) at a time, and one slow query holds up every other socket.
Each call here is a self-contained unit of work (its own transaction, no thread-local state
carried between calls), so it can run on any thread of a pool; each thread keeps its own
database connection, and ``close_old_connections`` still runs around every call.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from channels.db import DatabaseSyncToAsync

F = TypeVar("F", bound=Callable[..., Any])

# Enough to overlap database round trips; PostgreSQL row locks still serialise writers of one
# room, and SQLite (embedded mode) serialises writers itself.
THREADS = int(os.environ.get("PREAU_DB_THREADS", "8"))

_executor = ThreadPoolExecutor(max_workers=THREADS, thread_name_prefix="preau-db")


def db_call(func: F) -> Any:
    """``database_sync_to_async`` on the realtime pool."""
    return DatabaseSyncToAsync(func, thread_sensitive=False, executor=_executor)
