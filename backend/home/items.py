"""The shape of a home item, shared by every source, the registry and the live frames.

An item is a plain dict of JSON primitives: ``kind``, ``id`` (a stable string: the same thing
keeps the same id, so a client replaces rather than duplicates it), ``at`` (ISO-8601 UTC),
``title``, ``summary`` (plain text, short), ``url`` (a client route), ``room`` (``{id, name}``
or null) and ``seen``. Titles are names (an author, a fiche, a webinar): the client labels each
kind in its own language.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from backend.rooms.events import iso

Kind = Literal["announcement", "mention", "thread", "webinar", "fiche", "member"]
SUMMARY_MAX = 160
TITLE_MAX = 120

_MARKUP = re.compile(r"[*_`~>#\[\]]+|\((?:https?://|/)[^)\s]*\)")
_SPACES = re.compile(r"\s+")


def plain(text: str, most: int = SUMMARY_MAX) -> str:
    """A short plain-text excerpt of Markdown: markup signs dropped, spaces collapsed."""
    flat = _SPACES.sub(" ", _MARKUP.sub("", text or "")).strip()
    if len(flat) <= most:
        return flat
    return flat[: most - 1].rstrip() + "…"


@dataclass(frozen=True)
class Item:
    kind: Kind
    id: str
    at: datetime
    title: str
    summary: str
    url: str
    room: dict[str, Any] | None = None
    extra: dict[str, Any] | None = None

    @property
    def key(self) -> tuple[datetime, str]:
        """Newest first, then by id: the order of the feed and of its cursor."""
        return (self.at, self.id)

    def out(self, *, seen_until: datetime | None) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "id": self.id,
            "at": iso(self.at),
            "title": plain(self.title, TITLE_MAX),
            "summary": self.summary,
            "url": self.url,
            "room": self.room,
            "seen": seen_until is not None and self.at <= seen_until,
            **(self.extra or {}),
        }


def room_ref(room: Any) -> dict[str, Any]:
    return {"id": room.pk, "name": room.name}


def message_url(room_id: int, message_id: int) -> str:
    return f"/#/room/{room_id}/message/{message_id}"
