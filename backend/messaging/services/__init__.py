"""Writes for messages: send, edit, delete. Same functions behind REST, socket and CLI."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.accounts.models import User
from backend.common.errors import BadRequest, Conflict, Forbidden, NotFound, TooLarge
from backend.integrations import ratelimit
from backend.integrations.access import require_bot_may_post
from backend.integrations.outgoing import deliveries_enqueue
from backend.rooms.access import (
    access_room_for_posting,
    access_room_readable,
    is_moderator,
    membership_of,
)
from backend.rooms.eventlog import event_append, room_lock
from backend.rooms.models import Membership, Room, RoomEvent
from backend.search.indexing import document_text, index_message, unindex_message

from .. import events
from ..models import Attachment, Mention, Message, MessageRevision, Reaction
from .files import (
    attachment_for_download,
    attachment_upload,
    attachments_claim,
    attachments_erase,
)
from .mentions import mentions_record
from .reactions import reaction_add, reaction_remove
from .threads import thread_follow, thread_read_mark, thread_reply_recorded, thread_reply_removed

__all__ = [
    "MessageResult",
    "attachment_for_download",
    "attachment_upload",
    "clean_documents",
    "message_delete",
    "message_edit",
    "message_send",
    "reaction_add",
    "reaction_remove",
    "thread_follow",
    "thread_read_mark",
]

CLIENT_ID_MAX = 64
URL_MAX = 2048
TITLE_MAX = 200
DESCRIPTION_MAX = 1000


@dataclass(frozen=True)
class MessageResult:
    message: Message
    created: bool


def _check_body(body: Any, *, allow_empty: bool) -> str:
    if not isinstance(body, str):
        raise BadRequest(_("« body » doit être une chaîne de caractères."))
    limit = settings.PREAU["MESSAGE_MAX_CHARS"]
    if len(body) > limit:
        raise TooLarge(
            _("Le message dépasse %(n)s caractères ; il n'a pas été envoyé.")
            % {"n": f"{limit:,}".replace(",", "\u202f")}
        )
    if not allow_empty and not body.strip():
        raise BadRequest(_("Le message est vide."), reason="empty")
    return body


def clean_documents(documents: Any) -> list[dict[str, str]]:
    if documents is None:
        return []
    if not isinstance(documents, list):
        raise BadRequest(_("« documents » doit être une liste."))
    if len(documents) > settings.PREAU["DOCUMENTS_MAX"]:
        raise TooLarge(
            _("Trop de documents joints (%(n)s au plus).") % {"n": settings.PREAU["DOCUMENTS_MAX"]}
        )
    clean = []
    for item in documents:
        if not isinstance(item, dict):
            raise BadRequest(_("Chaque document est un objet {url, title}."))
        url, title = item.get("url"), item.get("title", "")
        description = item.get("description", "")
        if not isinstance(url, str) or not isinstance(title, str):
            raise BadRequest(_("« url » et « title » sont des chaînes de caractères."))
        if not isinstance(description, str):
            raise BadRequest(_("« description » doit être une chaîne de caractères."))
        url = url.strip()
        if len(url) > URL_MAX or len(title) > TITLE_MAX:
            raise TooLarge(_("Lien ou titre de document trop long."))
        if len(description) > DESCRIPTION_MAX:
            raise TooLarge(_("Description de document trop longue (1 000 caractères au plus)."))
        try:
            parts = urlsplit(url)
        except ValueError:
            parts = None
        if parts is None or parts.scheme.lower() not in ("http", "https") or not parts.netloc:
            raise BadRequest(
                _("Seuls les liens http et https sont acceptés."), reason="bad_document_url"
            )
        clean.append(
            {"url": url, "title": title.strip() or url, "description": description.strip()}
        )
    return clean


def _check_client_id(client_id: Any) -> str | None:
    if client_id is None or client_id == "":
        return None
    if not isinstance(client_id, str):
        raise BadRequest(_("« client_id » doit être une chaîne de caractères."))
    if len(client_id) > CLIENT_ID_MAX:
        raise TooLarge(_("« client_id » est trop long (64 caractères au plus)."))
    return client_id


def _require_can_post(*, actor: User, room: Room, membership: Membership | None) -> None:
    if room.archived_at is not None:
        raise Forbidden(_("Ce salon est archivé."))
    if membership is None:
        raise Forbidden(_("Rejoignez le salon pour y écrire."))
    if actor.is_bot:
        require_bot_may_post(bot=actor, room_id=room.pk)
    if room.kind == Room.Kind.DIRECT:
        from backend.direct.access import require_not_blocked

        require_not_blocked(actor=actor, room=room)
    from backend.moderation.services import require_may_post

    require_may_post(actor=actor, room=room, membership=membership)


def _room_for_authorized(*, actor: User, room_id: int) -> tuple[Room, Membership | None]:
    room = Room.objects.filter(pk=room_id).first()
    if room is None or room.kind == Room.Kind.DIRECT:
        raise NotFound()
    if room.archived_at is not None:
        raise Forbidden(_("Ce salon est archivé."))
    return room, membership_of(user=actor, room_id=room.pk)


@transaction.atomic
def message_send(
    *,
    actor: User,
    room_id: int,
    body: Any,
    client_id: Any = None,
    thread: Any = None,
    documents: Any = None,
    files: Any = None,
    meta: dict[str, Any] | None = None,
    authorized: bool = False,
    notify_bots: bool = True,
) -> MessageResult:
    """Post a message. ``authorized``: the caller (an announcement) already checked that the
    actor may post in this room without being a member of it. ``notify_bots`` is off for a
    bot's answer to an outgoing webhook, so two bots cannot answer each other forever."""
    body = _check_body(body, allow_empty=bool(documents) or bool(files))
    client_id = _check_client_id(client_id)
    docs = clean_documents(documents)
    if thread is not None and (not isinstance(thread, int) or isinstance(thread, bool)):
        raise BadRequest(_("« thread » doit être un identifiant de message."))
    if client_id is not None:
        # Fast path without locking for a plain retry.
        previous = _previous_send(actor=actor, client_id=client_id, room_id=room_id)
        if previous is not None:
            return MessageResult(message=previous, created=False)

    if authorized:
        room, membership = _room_for_authorized(actor=actor, room_id=room_id)
    else:
        room, membership = access_room_for_posting(actor=actor, room_id=room_id)
        _require_can_post(actor=actor, room=room, membership=membership)
        from backend.community.levels import require_may_post_content

        require_may_post_content(actor=actor, body=body, documents=docs, files=files)
        if actor.is_bot:
            # Bots have their own limit, separate from the agents' (an announcement, already
            # authorised, spends one token for all its rooms in announcement_send).
            ratelimit.bot_post_spend(bot_id=actor.pk)
    root_id = root_author_id = None
    if thread is not None:
        root = Message.objects.filter(pk=thread, room=room, deleted_at__isnull=True).first()
        if root is None:
            raise NotFound(_("Le message racine du fil est introuvable."))
        root_id = root.thread_id or root.pk
        root_author_id = (
            root.author_id
            if root.thread_id is None
            else Message.objects.values_list("author_id", flat=True).get(pk=root_id)
        )

    locked = room_lock(room.pk)
    if client_id is not None:
        # Concurrent retries of one client_id serialise on the room lock and find the first.
        previous = _previous_send(actor=actor, client_id=client_id, room_id=room_id)
        if previous is not None:
            return MessageResult(message=previous, created=False)
    attachments = attachments_claim(actor=actor, room_id=room.pk, file_ids=files)
    message = Message(
        room=locked,
        author=actor,
        body=body,
        thread_id=root_id,
        documents=docs,
        client_id=client_id,
        meta=dict(meta or {}),
        seq=locked.last_seq + 1,
        search_text=document_text(body, docs),
    )
    try:
        with transaction.atomic():
            message.save()
    except IntegrityError:
        # A send of the same client_id to another room holds another room's lock, so the
        # look-ups above cannot see it until it commits; the unique key is the last word.
        if client_id is None:
            raise
        previous = _previous_send(actor=actor, client_id=client_id, room_id=room_id)
        if previous is None:
            raise
        return MessageResult(message=previous, created=False)
    for attachment in attachments:
        attachment.message = message
        attachment.save(update_fields=["message"])
    if attachments:
        message.search_text = "\n".join([message.search_text, *(a.name for a in attachments)])
        message.save(update_fields=["search_text"])
    index_message(message.pk, message.search_text)
    if root_id is not None:
        thread_reply_recorded(reply=message, root_author_id=root_author_id)
    mentioned = mentions_record(actor=actor, message=message, membership=membership)
    event_append(
        room=locked,
        kind="message.created",
        data=dict(events.message_created(message, mentions=mentioned, files=attachments)),
        message_id=message.pk,
    )
    from backend.moderation.services import newcomer_check

    newcomer_check(message=message)
    from backend.home.live import message_posted

    message_posted(message=message, mentioned=mentioned, root_id=root_id)
    if notify_bots:
        deliveries_enqueue(message=message, mentioned=mentioned)
    from backend.community.levels import on_message_sent

    on_message_sent(message=message, root_author_id=root_author_id, has_files=bool(attachments))
    return MessageResult(message=message, created=True)


def _previous_send(*, actor: User, client_id: str, room_id: int) -> Message | None:
    previous = (
        Message.objects.select_related("author").filter(author=actor, client_id=client_id).first()
    )
    if previous is None:
        return None
    if previous.room_id != room_id and not _moved_from(previous, room_id):
        raise Conflict(
            _("Ce client_id a déjà servi pour un autre salon."), reason="client_id_reused"
        )
    return previous


def _moved_from(message: Message, room_id: int) -> bool:
    """A retry into the room a moderator has since moved the message out of: same message."""
    return RoomEvent.objects.filter(
        room_id=room_id, message_id=message.pk, kind="message.created"
    ).exists()


def _access_message_for_change(
    *, actor: User, message_id: Any
) -> tuple[Message, Membership | None]:
    if not isinstance(message_id, int) or isinstance(message_id, bool):
        raise BadRequest(_("« message » doit être un identifiant de message."))
    message = (
        Message.objects.select_related("author")
        .filter(pk=message_id, deleted_at__isnull=True)
        .first()
    )
    if message is None:
        raise NotFound()
    room, membership = access_room_readable(actor=actor, room_id=message.room_id)
    if message.author_id != actor.pk and not is_moderator(user=actor, membership=membership):
        raise Forbidden(_("Vous ne pouvez modifier que vos propres messages."))
    return message, membership


@transaction.atomic
def message_edit(
    *, actor: User, message_id: Any, body: Any, documents: Any = None
) -> MessageResult:
    message, membership = _access_message_for_change(actor=actor, message_id=message_id)
    docs = clean_documents(documents) if documents is not None else list(message.documents)
    body = _check_body(body, allow_empty=bool(docs))
    from backend.community.levels import require_may_post_content

    require_may_post_content(actor=actor, body=body, documents=docs, files=None, sending=False)
    locked = room_lock(message.room_id)
    message = Message.objects.select_for_update().select_related("author").get(pk=message.pk)
    if message.deleted_at is not None:
        raise NotFound()
    if message.body == body and message.documents == docs:
        return MessageResult(message=message, created=False)
    MessageRevision.objects.create(
        message=message,
        body=message.body,
        documents=message.documents,
        written_at=message.edited_at or message.created_at,
        written_by_id=message.edited_by_id or message.author_id,
    )
    message.body = body
    message.documents = docs
    message.edited_at = timezone.now()
    message.edited_by = actor
    message.search_text = document_text(body, docs)
    message.save(update_fields=["body", "documents", "edited_at", "edited_by", "search_text"])
    index_message(message.pk, message.search_text)
    named_before = set(Mention.objects.filter(message=message).values_list("user_id", flat=True))
    mentioned = mentions_record(actor=actor, message=message, membership=membership)
    from backend.home.live import message_mentioned

    message_mentioned(message=message, user_ids=set(mentioned) - named_before)
    event_append(
        room=locked,
        kind="message.edited",
        data=dict(events.message_edited(message, by=actor, mentions=mentioned)),
        message_id=message.pk,
    )
    return MessageResult(message=message, created=False)


@transaction.atomic
def message_delete(*, actor: User, message_id: Any) -> MessageResult:
    message, _membership = _access_message_for_change(actor=actor, message_id=message_id)
    result = message_remove(message_id=message.pk, by=actor)
    if message.author_id != actor.pk:
        from backend.moderation.services import moderator_deleted

        moderator_deleted(actor=actor, message=message)
    return result


@transaction.atomic
def message_remove(*, message_id: int, by: User | None, erase: bool = False) -> MessageResult:
    """Delete a message, for callers that have checked access themselves.

    ``by`` is None when the platform removes it (retention purge). ``erase`` also blanks the
    stored body and documents and drops revisions, reactions and files (account erasure,
    retention), which a user's deletion keeps.
    """
    room_id = Message.objects.filter(pk=message_id).values_list("room_id", flat=True).first()
    if room_id is None:
        raise NotFound()
    locked = room_lock(room_id)
    message = Message.objects.select_for_update().select_related("author").get(pk=message_id)
    if message.deleted_at is None:
        message.deleted_at = timezone.now()
        message.search_text = ""
        message.save(update_fields=["deleted_at", "search_text"])
        unindex_message(message.pk)
        if message.thread_id is not None:
            thread_reply_removed(reply=message)
        Mention.objects.filter(message=message).delete()
        from backend.community.levels import on_message_removed

        on_message_removed(message=message)
        # Earlier events no longer carry the content on replay.
        for event in RoomEvent.objects.filter(
            message_id=message.pk, kind__in=("message.created", "message.edited")
        ):
            event.data = events.message_redacted(event.data)
            event.save(update_fields=["data"])
        event_append(
            room=locked,
            kind="message.deleted",
            data=dict(events.message_deleted(message, by=by)),
            message_id=message.pk,
        )
    elif not erase:
        raise NotFound()
    if erase:
        MessageRevision.objects.filter(message=message).delete()
        Reaction.objects.filter(message=message).delete()
        attachments_erase(Attachment.objects.filter(message=message))
        if message.body or message.documents:
            message.body = ""
            message.documents = []
            message.save(update_fields=["body", "documents"])
    return MessageResult(message=message, created=False)


@transaction.atomic
def message_rewrite(*, message_id: int, body: str) -> bool:
    """Replace the words of a message the platform generated, wherever they are kept.

    For account erasure: a Q&A message quotes the erased person's question and names them. The
    stored body, its earlier events (so a replay shows the new words), the search index are
    rewritten and its revisions (which hold the former words) dropped, in place and without a
    new event, the way the erasure renames the person in events. Returns whether it changed.
    """
    room_id = Message.objects.filter(pk=message_id).values_list("room_id", flat=True).first()
    if room_id is None:
        return False
    room_lock(room_id)
    message = Message.objects.select_for_update().get(pk=message_id)
    if message.deleted_at is not None or message.body == body:
        return False
    message.body = body
    message.search_text = document_text(body, message.documents)
    message.save(update_fields=["body", "search_text"])
    index_message(message.pk, message.search_text)
    for event in RoomEvent.objects.filter(
        message_id=message.pk, kind__in=("message.created", "message.edited")
    ):
        event.data = {**event.data, "body": body}
        event.save(update_fields=["data"])
    MessageRevision.objects.filter(message=message).delete()
    return True
