"""Socket frames of the home feed, sent on the user's own channel only."""

from __future__ import annotations

from typing import Any, Literal, TypedDict


class HomeItemFrame(TypedDict):
    type: Literal["home.item"]
    item: dict[str, Any]


class HomeSeenFrame(TypedDict):
    type: Literal["home.seen"]
    seen_until: str
    unseen: int


def home_item(item: dict[str, Any]) -> HomeItemFrame:
    return {"type": "home.item", "item": item}


def home_seen(*, seen_until: str, unseen: int) -> HomeSeenFrame:
    return {"type": "home.seen", "seen_until": seen_until, "unseen": unseen}
