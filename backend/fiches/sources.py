"""The source of a fiche: a thread (or chosen messages of one room) and their documents."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _

from backend.accounts.models import User
from backend.common.errors import BadRequest, NotFound, TooLarge
from backend.messaging.models import Message
from backend.rooms.access import access_room_readable, readable_rooms_q
from backend.rooms.models import Room

MESSAGES_MAX = 500


@dataclass(frozen=True)
class Source:
    room: Room
    thread: Message | None
    messages: list[Message]  # in their order in the room

    @property
    def anchor(self) -> Message:
        return self.thread if self.thread is not None else self.messages[0]


def check_id(value: Any, name: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0 or value > 2**62:
        raise BadRequest(_("« %(name)s » doit être un identifiant.") % {"name": name})
    return value


def _check_ids(value: Any) -> list[int]:
    if not isinstance(value, list):
        raise BadRequest(_("« messages » doit être une liste d'identifiants de messages."))
    if len(value) > MESSAGES_MAX:
        raise TooLarge(_("Trop de messages (%(n)s au plus).") % {"n": MESSAGES_MAX})
    ids = [check_id(v, "messages") for v in value]
    if not ids:
        raise BadRequest(_("Choisissez au moins un message."), reason="no_messages")
    return list(dict.fromkeys(ids))


def _room_of_messages(actor: User, ids: list[int]) -> Room:
    """The one room of the chosen messages. A message that does not exist (or is deleted) and
    one in a room the actor may not read both answer 404, whatever the others are, so the
    answer never tells whether someone else's message exists; messages of several readable
    rooms are ``not_same_room``."""
    found = dict(
        Message.objects.filter(pk__in=ids, deleted_at__isnull=True).values_list("pk", "room_id")
    )
    if len(found) != len(ids):
        raise NotFound()
    room_ids = set(found.values())
    readable = Room.objects.filter(readable_rooms_q(actor), pk__in=room_ids).distinct()
    if readable.count() != len(room_ids):
        raise NotFound()
    if len(room_ids) > 1:
        raise BadRequest(
            _("Les messages choisis doivent être d'un même salon."), reason="not_same_room"
        )
    room, _membership = access_room_readable(actor=actor, room_id=room_ids.pop())
    return room


def source_resolve(*, actor: User, thread: Any = None, messages: Any = None) -> Source:
    """The thread or messages a fiche is made from, all readable by ``actor``, of one room."""
    if thread is None and messages is None:
        raise BadRequest(
            _("Indiquez le fil (« thread ») ou les messages (« messages ») de la fiche."),
            reason="no_source",
        )
    live = Message.objects.select_related("author").filter(deleted_at__isnull=True)
    root: Message | None = None
    if thread is not None:
        root = live.filter(pk=check_id(thread, "thread")).first()
        if root is None:
            raise NotFound()
        if root.thread_id is not None:
            root = live.filter(pk=root.thread_id).first()
            if root is None:
                raise NotFound()
        room, _membership = access_room_readable(actor=actor, room_id=root.room_id)
        chosen = live.filter(Q(pk=root.pk) | Q(thread_id=root.pk), room_id=room.pk)
        if messages is not None:
            ids = _check_ids(messages)
            chosen = chosen.filter(pk__in=ids)
            if chosen.count() != len(ids):
                raise BadRequest(
                    _("Les messages choisis doivent appartenir au fil."), reason="not_in_thread"
                )
    else:
        chosen_ids = _check_ids(messages)
        room = _room_of_messages(actor, chosen_ids)
        chosen = live.filter(pk__in=chosen_ids, room_id=room.pk)
    rows = list(chosen.prefetch_related("attachments").order_by("seq", "pk"))
    return Source(room=room, thread=root, messages=rows)


def source_documents(messages: list[Message]) -> list[dict[str, Any]]:
    """Every link and file the messages carry, in order, without repeats."""
    found: dict[str, dict[str, Any]] = {}
    for message in messages:
        for doc in message.documents or []:
            found.setdefault(
                doc["url"],
                {
                    "type": "link",
                    "url": doc["url"],
                    "title": doc.get("title", "") or "",
                    "description": doc.get("description", "") or "",
                    "message": message.pk,
                    "file": None,
                },
            )
        for attachment in message.attachments.all():
            url = f"/api/v1/files/{attachment.pk}"
            found.setdefault(
                url,
                {
                    "type": "file",
                    "url": url,
                    "title": attachment.name,
                    "description": "",
                    "message": message.pk,
                    "file": attachment.pk,
                },
            )
    return list(found.values())


def documents_choose(candidates: list[dict[str, Any]], urls: Any) -> list[dict[str, Any]]:
    """The chosen documents among ``candidates`` (all of them when ``urls`` is None)."""
    if urls is None:
        return candidates
    if not isinstance(urls, list) or not all(isinstance(u, str) for u in urls):
        raise BadRequest(_("« document_urls » doit être une liste d'adresses."))
    by_url = {c["url"]: c for c in candidates}
    unknown = [u for u in urls if u not in by_url]
    if unknown:
        raise BadRequest(
            _("Ce document n'est pas joint aux messages d'origine : %(url)s")
            % {"url": unknown[0][:200]},
            reason="unknown_document",
        )
    wanted = set(urls)
    return [c for c in candidates if c["url"] in wanted]
