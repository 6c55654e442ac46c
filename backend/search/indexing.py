"""Keeping the search index in step with messages (called by the messaging services)."""

from __future__ import annotations

from typing import Any

from django.db import connection

from .text import index_text


def document_text(body: str, documents: list[dict[str, Any]]) -> str:
    """What search matches for a message: its body and its documents' titles and descriptions."""
    parts = [body]
    for doc in documents:
        parts.extend(str(doc.get(key, "")) for key in ("title", "description") if doc.get(key))
    return "\n".join(p for p in parts if p)


def index_message(message_id: int, search_text: str) -> None:
    """PostgreSQL indexes ``search_text`` by itself; SQLite's FTS5 table gets the stems."""
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM search_message_fts WHERE rowid = %s", [message_id])
        if search_text:
            cursor.execute(
                "INSERT INTO search_message_fts (rowid, content) VALUES (%s, %s)",
                [message_id, index_text(search_text)],
            )


def unindex_message(message_id: int) -> None:
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM search_message_fts WHERE rowid = %s", [message_id])
