"""Live home items: built from the message just posted, sent after commit to the users it
concerns, on their own channels only.

Cheap by design: one query for the recipients of each kind (no query per recipient), and the
item comes from the objects in hand. Recipients are limited to those who may read the room now:
the mentioned (mentions are only ever recorded for the room's members), the members of the
rooms an announcement reaches (one frame each, however many of those rooms they are in), and
the followers of a thread who are members of its room (a follower reading an open room without
being a member finds the reply on the home page when it loads). Bots never get home items.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction

from backend.accounts.models import User
from backend.messaging.models import Message, ThreadFollow
from backend.rooms.models import Membership

from . import events
from .sources import announcements, mentions, threads


def _humans(user_ids: set[int]) -> set[int]:
    if not user_ids:
        return set()
    return set(
        User.objects.filter(pk__in=user_ids, is_bot=False, is_active=True).values_list(
            "pk", flat=True
        )
    )


def _for_each_reader(
    room: Any, user_ids: set[int], frame: dict[str, Any]
) -> list[tuple[set[int], dict[str, Any]]]:
    """A direct conversation is named after the other participants, so each of its (at most
    eight) participants gets their own frame; any other room, one frame for all."""
    from backend.rooms.models import Room
    from backend.rooms.selectors import direct_names_by_reader

    if room.kind != Room.Kind.DIRECT:
        return [(user_ids, frame)]
    frames = []
    for user_id, name in direct_names_by_reader(room_id=room.pk, user_ids=user_ids).items():
        item = {**frame["item"], "room": {**frame["item"]["room"], "name": name}}
        frames.append(({user_id}, {**frame, "item": item}))
    return frames


def _send_after_commit(frames: list[tuple[set[int], dict[str, Any]]]) -> None:
    frames = [(ids, frame) for ids, frame in frames if ids]
    if not frames:
        return

    def publish() -> None:
        from realtime import publish as bus

        for user_ids, frame in frames:
            for user_id in sorted(user_ids):
                bus.user_event(user_id=user_id, frame=frame)

    transaction.on_commit(publish)


def message_posted(*, message: Message, mentioned: list[int], root_id: int | None) -> None:
    """Home items for a new message: a mention to the mentioned, a reply to the thread's
    followers (those not already told by a mention). An announcement's messages are told once
    for all its rooms by ``announcement_delivered``."""
    if isinstance((message.meta or {}).get("announcement"), int):
        return
    room, author = message.room, message.author
    frames: list[tuple[set[int], dict[str, Any]]] = []
    named = _humans(set(mentioned)) - {author.pk}
    if named:
        item = mentions.item(
            message_id=message.pk,
            room=room,
            author_name=author.name,
            body=message.body,
            at=message.created_at,
        )
        frames += _for_each_reader(room, named, dict(events.home_item(item.out(seen_until=None))))
    if root_id is not None:
        followers = (
            set(
                ThreadFollow.objects.filter(
                    root_id=root_id,
                    user__is_bot=False,
                    user__is_active=True,
                    user__memberships__room_id=room.pk,
                ).values_list("user_id", flat=True)
            )
            - named
            - {author.pk}
        )
        if followers:
            root_body = Message.objects.filter(pk=root_id).values_list("body", flat=True).first()
            item = threads.item(
                root_id=root_id,
                root_body=root_body or "",
                reply_id=message.pk,
                room=room,
                author_name=author.name,
                body=message.body,
                at=message.created_at,
            )
            frame = dict(events.home_item(item.out(seen_until=None)))
            frames += _for_each_reader(room, followers, frame)
    _send_after_commit(frames)


def message_mentioned(*, message: Message, user_ids: set[int]) -> None:
    """Agents an edit newly mentions (the message's date stays that of its sending)."""
    named = _humans(user_ids) - {message.author_id}
    if not named:
        return
    item = mentions.item(
        message_id=message.pk,
        room=message.room,
        author_name=message.author.name,
        body=message.body,
        at=message.created_at,
    )
    frame = dict(events.home_item(item.out(seen_until=None)))
    _send_after_commit(_for_each_reader(message.room, named, frame))


def announcement_delivered(
    *,
    announcement_id: int,
    author: User,
    body: str,
    at: datetime,
    messages: list[Message],
    organisation_kind: str | None = None,
) -> None:
    """One home item per member of the rooms an announcement reached (however many of them
    they are in: the first, as on the home page), found with one query; with
    ``organisation_kind``, one too for every other agent of that kind of organisation."""
    by_room = {m.room_id: m for m in messages}
    told: set[int] = {author.pk}
    if by_room:
        told |= _announce_to_members(
            announcement_id=announcement_id, author=author, body=body, at=at, by_room=by_room
        )
    if organisation_kind:
        _announce_to_kind(
            announcement_id=announcement_id,
            author=author,
            body=body,
            at=at,
            by_room=by_room,
            kind=organisation_kind,
            told=told,
        )


def _announce_to_kind(
    *,
    announcement_id: int,
    author: User,
    body: str,
    at: datetime,
    by_room: dict[int, Message],
    kind: str,
    told: set[int],
) -> None:
    """The agents of a kind of organisation not told as members: linked to their own
    organisation's room when the announcement reached one (they may read it), else whole."""
    by_org = {m.room.organisation_id: m for m in by_room.values() if m.room.organisation_id}
    groups: dict[int | None, set[int]] = {}
    for user_id, org_id in (
        User.objects.filter(organisation__kind=kind, is_bot=False, is_active=True)
        .exclude(pk__in=told)
        .values_list("pk", "organisation_id")
    ):
        groups.setdefault(org_id if org_id in by_org else None, set()).add(user_id)
    frames = []
    for org_id, user_ids in groups.items():
        message = by_org.get(org_id) if org_id is not None else None
        item = announcements.item(
            announcement_id=announcement_id,
            room=message.room if message else None,
            message_id=message.pk if message else None,
            author_name=author.name,
            body=body,
            at=at,
        )
        frames.append((user_ids, dict(events.home_item(item.out(seen_until=None)))))
    _send_after_commit(frames)


def _announce_to_members(
    *,
    announcement_id: int,
    author: User,
    body: str,
    at: datetime,
    by_room: dict[int, Message],
) -> set[int]:
    first_room: dict[int, int] = {}
    for user_id, room_id in (
        Membership.objects.filter(room_id__in=by_room, user__is_bot=False, user__is_active=True)
        .exclude(user_id=author.pk)
        .order_by("room_id")
        .values_list("user_id", "room_id")
    ):
        first_room.setdefault(user_id, room_id)
    readers: dict[int, set[int]] = {}
    for user_id, room_id in first_room.items():
        readers.setdefault(room_id, set()).add(user_id)
    frames = []
    for room_id, user_ids in readers.items():
        message = by_room[room_id]
        item = announcements.item(
            announcement_id=announcement_id,
            room=message.room,
            message_id=message.pk,
            author_name=author.name,
            body=body,
            at=at,
        )
        frames.append((user_ids, dict(events.home_item(item.out(seen_until=None)))))
    _send_after_commit(frames)
    return set(first_room)
