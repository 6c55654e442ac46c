"""Messages that mention the user (by name or @salon), in rooms it may read now."""

from __future__ import annotations

from datetime import datetime

from backend.accounts.models import User
from backend.messaging.models import Mention

from ..items import Item, message_url, plain, room_ref
from . import readable_room_ids, window


def item(*, message_id: int, room: object, author_name: str, body: str, at: datetime) -> Item:
    return Item(
        kind="mention",
        id=f"mention:{message_id}",
        at=at,
        title=author_name,
        summary=plain(body),
        url=message_url(room.pk, message_id),  # type: ignore[attr-defined]
        room=room_ref(room),
    )


def items_for(*, user: User, since: datetime, before: datetime | None, limit: int) -> list[Item]:
    rows = (
        Mention.objects.filter(
            window("message__created_at", since=since, before=before),
            user=user,
            message__deleted_at__isnull=True,
            message__room__in=readable_room_ids(user),
        )
        .exclude(message__author=user)
        .select_related("message__author", "message__room")
        .order_by("-message__created_at", "-message_id")[:limit]
    )
    return [
        item(
            message_id=m.message_id,
            room=m.message.room,
            author_name=m.message.author.name,
            body=m.message.body,
            at=m.message.created_at,
        )
        for m in rows
    ]
