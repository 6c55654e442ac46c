"""Reads for messages."""

from __future__ import annotations

from typing import Any

from backend.rooms.events import iso

from .models import Message


def message_dict(message: Message) -> dict[str, Any]:
    deleted = message.deleted_at is not None
    return {
        "id": message.pk,
        "room": message.room_id,
        "seq": message.seq,
        "author": {"id": message.author.pk, "name": message.author.name},
        "body": "" if deleted else message.body,
        "thread": message.thread_id,
        "documents": [] if deleted else list(message.documents),
        "client_id": message.client_id,
        "created_at": iso(message.created_at),
        "edited_at": iso(message.edited_at),
        "deleted": deleted,
    }
