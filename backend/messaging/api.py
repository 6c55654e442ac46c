"""REST endpoints for messages."""

from __future__ import annotations

from typing import Any, Literal

from django.http import FileResponse, HttpRequest, HttpResponse
from ninja import File, Query, Router, Schema
from ninja.files import UploadedFile
from ninja.responses import Status
from pydantic import Field, StrictInt, StrictStr, model_serializer

from backend.common import metrics
from backend.common.api import AUTH, ERRORS, StrictIn, positive_id
from backend.rooms.api import ReadIn

from . import selectors, services
from .events import file_ref
from .models import Attachment
from .selectors import message_dict

router = Router(tags=["messages"], auth=AUTH)


class DocumentIn(StrictIn):
    url: StrictStr = Field(description="http or https URL")
    title: StrictStr = ""
    description: StrictStr = Field("", description="Optional, at most 1,000 characters")


class MessageIn(StrictIn):
    body: StrictStr = Field(description="Markdown source, at most 10,000 characters")
    client_id: StrictStr | None = Field(None, description="Idempotency key chosen by the client")
    thread: StrictInt | None = Field(None, description="Root message id")
    documents: list[DocumentIn] | None = None
    files: list[StrictInt] | None = Field(
        None, description="Ids of files uploaded to the room by the sender (POST /rooms/{id}/files)"
    )


class AuthorOut(Schema):
    id: int
    name: str


class MessageAuthorOut(AuthorOut):
    """A message's author; the three optional keys are present for bots only."""

    is_bot: bool | None = Field(None, description="true for a bot (BOT badge); absent otherwise")
    avatar: str | None = Field(None, description="A bot's picture URL")
    description: str | None = Field(None, description="A bot's description")

    @model_serializer(mode="wrap")
    def _bot_keys_for_bots_only(self, handler):  # type: ignore[no-untyped-def]
        data = handler(self)
        return {k: v for k, v in data.items() if v is not None or k in ("id", "name")}


class DocumentOut(Schema):
    url: str
    title: str
    description: str = ""


class FileOut(Schema):
    id: int
    name: str
    size: int
    content_type: str
    url: str


class MessageOut(Schema):
    id: int
    room: int
    seq: int
    author: MessageAuthorOut
    body: str
    thread: int | None
    documents: list[DocumentOut]
    client_id: str | None
    meta: dict[str, str | int] = Field(
        default_factory=dict,
        description=(
            "Set by integrations: username, icon_url (shown under the BOT badge); "
            "announcement (its id)"
        ),
    )
    created_at: str
    edited_at: str | None
    deleted: bool
    reply_count: int = 0
    last_reply_at: str | None = None
    files: list[FileOut] = []


class ReactionOut(Schema):
    emoji: str
    count: int
    users: list[AuthorOut]


class MessageDetailOut(MessageOut):
    reactions: list[ReactionOut]


def _documents(payload: Any) -> list[dict] | None:
    if payload is None:
        return None
    return [d.dict() for d in payload]


@router.post(
    "/rooms/{room_id}/messages",
    response={201: MessageOut, **ERRORS},
    summary="Envoyer un message (idempotent par client_id)",
)
def message_send(request: HttpRequest, room_id: int, payload: MessageIn) -> Status:
    with metrics.MESSAGE_SEND_HTTP.time():
        result = services.message_send(
            actor=request.auth,
            room_id=positive_id(room_id, "room_id"),
            body=payload.body,
            client_id=payload.client_id,
            thread=payload.thread,
            documents=_documents(payload.documents),
            files=payload.files,
        )
    return Status(201, message_dict(result.message))


class MessageEditIn(StrictIn):
    body: StrictStr
    documents: list[DocumentIn] | None = None


@router.patch("/messages/{message_id}", response={200: MessageOut, **ERRORS}, summary="Modifier")
def message_edit(request: HttpRequest, message_id: int, payload: MessageEditIn) -> dict:
    result = services.message_edit(
        actor=request.auth,
        message_id=positive_id(message_id, "message_id"),
        body=payload.body,
        documents=_documents(payload.documents),
    )
    return message_dict(result.message)


@router.delete("/messages/{message_id}", response={200: MessageOut, **ERRORS}, summary="Supprimer")
def message_delete(request: HttpRequest, message_id: int) -> dict:
    result = services.message_delete(
        actor=request.auth, message_id=positive_id(message_id, "message_id")
    )
    return message_dict(result.message)


@router.get(
    "/messages/{message_id}", response={200: MessageDetailOut, **ERRORS}, summary="Un message"
)
def message_detail(request: HttpRequest, message_id: int) -> dict:
    return selectors.message_detail_for(
        user=request.auth, message_id=positive_id(message_id, "message_id")
    )


class VersionOut(Schema):
    body: str
    documents: list[DocumentOut]
    written_at: str
    written_by: AuthorOut | None


class HistoryOut(Schema):
    message: int
    versions: list[VersionOut]


@router.get(
    "/messages/{message_id}/history",
    response={200: HistoryOut, **ERRORS},
    summary="Versions successives d'un message (la dernière est l'actuelle)",
)
def message_history(request: HttpRequest, message_id: int) -> dict:
    return selectors.message_history_for(
        user=request.auth, message_id=positive_id(message_id, "message_id")
    )


class ReactionIn(StrictIn):
    emoji: StrictStr = Field(description="A Unicode emoji, or a :short_code:")


class ReactionDoneOut(Schema):
    message: int
    emoji: str
    changed: bool


@router.post(
    "/messages/{message_id}/reactions",
    response={200: ReactionDoneOut, **ERRORS},
    summary="Réagir (idempotent)",
)
def reaction_add(request: HttpRequest, message_id: int, payload: ReactionIn) -> dict:
    result = services.reaction_add(
        actor=request.auth, message_id=positive_id(message_id, "message_id"), emoji=payload.emoji
    )
    return {"message": result.message.pk, "emoji": payload.emoji, "changed": result.changed}


@router.delete(
    "/messages/{message_id}/reactions",
    response={200: ReactionDoneOut, **ERRORS},
    summary="Retirer sa réaction (idempotent)",
)
def reaction_remove(request: HttpRequest, message_id: int, payload: ReactionIn) -> dict:
    result = services.reaction_remove(
        actor=request.auth, message_id=positive_id(message_id, "message_id"), emoji=payload.emoji
    )
    return {"message": result.message.pk, "emoji": payload.emoji, "changed": result.changed}


class ThreadReplyOut(MessageDetailOut):
    useful: bool = Field(False, description="The asker marked this reply as useful")


class ThreadOut(Schema):
    root: MessageDetailOut
    replies: list[ThreadReplyOut]
    participants: list[AuthorOut]
    following: bool
    read: int | None
    unread: int


@router.get("/messages/{message_id}/thread", response={200: ThreadOut, **ERRORS}, summary="Un fil")
def thread_detail(request: HttpRequest, message_id: int) -> dict:
    return selectors.thread_for(user=request.auth, root_id=positive_id(message_id, "message_id"))


class FollowOut(Schema):
    root: int
    following: bool


@router.post(
    "/messages/{message_id}/follow", response={200: FollowOut, **ERRORS}, summary="Suivre un fil"
)
def thread_follow(request: HttpRequest, message_id: int) -> dict:
    services.thread_follow(
        actor=request.auth, root_id=positive_id(message_id, "message_id"), follow=True
    )
    return {"root": message_id, "following": True}


@router.delete(
    "/messages/{message_id}/follow",
    response={200: FollowOut, **ERRORS},
    summary="Ne plus suivre un fil",
)
def thread_unfollow(request: HttpRequest, message_id: int) -> dict:
    services.thread_follow(
        actor=request.auth, root_id=positive_id(message_id, "message_id"), follow=False
    )
    return {"root": message_id, "following": False}


class ReadOut(Schema):
    seq: int


@router.post(
    "/messages/{message_id}/thread/read",
    response={200: ReadOut, **ERRORS},
    summary="Marquer un fil suivi comme lu jusqu'à seq",
)
def thread_read(request: HttpRequest, message_id: int, payload: ReadIn) -> dict:
    seq = services.thread_read_mark(
        actor=request.auth, root_id=positive_id(message_id, "message_id"), seq=payload.seq
    )
    return {"seq": seq}


class MentionRoomOut(Schema):
    id: int
    name: str


class MentionOut(Schema):
    id: int
    everyone: bool
    unread: bool
    room: MentionRoomOut
    message: MessageOut


class MentionQuery(Schema):
    limit: int = Field(50, ge=1, le=200)
    before: int | None = Field(None, ge=1, le=2**62, description="Mention id to page back from")


@router.get("/mentions", response={200: list[MentionOut], **ERRORS}, summary="Mes mentions")
def mention_inbox(request: HttpRequest, query: Query[MentionQuery]) -> list[dict]:
    return selectors.mention_inbox_for(user=request.auth, limit=query.limit, before=query.before)


@router.post(
    "/rooms/{room_id}/files",
    response={201: FileOut, **ERRORS},
    summary="Déposer un fichier (à joindre ensuite à un message avec « files »)",
)
def file_upload(request: HttpRequest, room_id: int, file: File[UploadedFile]) -> Status:
    attachment = services.attachment_upload(
        actor=request.auth, room_id=positive_id(room_id, "room_id"), upload=file
    )
    return Status(201, file_ref(attachment))


@router.get(
    "/files/{file_id}",
    response={200: None, **ERRORS},
    summary="Télécharger un fichier (toujours en pièce jointe)",
)
def file_download(request: HttpRequest, file_id: int) -> HttpResponse:
    attachment = services.attachment_for_download(
        actor=request.auth, attachment_id=positive_id(file_id, "file_id")
    )
    return attachment_response(attachment)


def attachment_response(attachment: Attachment) -> FileResponse:
    """A stored file, always as a download: never rendered, sniffed or cached by the browser."""
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.name,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


class SharedOut(Schema):
    type: Literal["link", "file"]
    url: str
    title: str
    description: str
    file: FileOut | None
    message: int
    thread: int | None
    author: MessageAuthorOut
    shared_at: str


class DocumentQuery(Schema):
    q: str | None = Field(None, max_length=200)
    type: Literal["link", "file"] | None = None
    thread: int | None = Field(None, ge=1, le=2**62)
    limit: int = Field(100, ge=1, le=500)


@router.get(
    "/rooms/{room_id}/documents",
    response={200: list[SharedOut], **ERRORS},
    summary="Liens et fichiers partagés dans un salon (ou un fil), du plus récent au plus ancien",
)
def room_documents(request: HttpRequest, room_id: int, query: Query[DocumentQuery]) -> list[dict]:
    return selectors.documents_for(
        user=request.auth,
        room_id=positive_id(room_id, "room_id"),
        q=query.q,
        kind=query.type,
        thread=query.thread,
        limit=query.limit,
    )
