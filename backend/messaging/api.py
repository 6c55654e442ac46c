"""REST endpoints for messages."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.responses import Status
from pydantic import Field, StrictInt, StrictStr

from backend.common import metrics
from backend.common.api import AUTH, ERRORS, StrictIn
from backend.common.errors import BadRequest

from . import services
from .selectors import message_dict

router = Router(tags=["messages"], auth=AUTH)


class DocumentIn(StrictIn):
    url: StrictStr = Field(description="http or https URL")
    title: StrictStr = ""


class MessageIn(StrictIn):
    body: StrictStr = Field(description="Markdown source, at most 10,000 characters")
    client_id: StrictStr | None = Field(None, description="Idempotency key chosen by the client")
    thread: StrictInt | None = Field(None, description="Root message id")
    documents: list[DocumentIn] | None = None


class AuthorOut(Schema):
    id: int
    name: str


class DocumentOut(Schema):
    url: str
    title: str


class MessageOut(Schema):
    id: int
    room: int
    seq: int
    author: AuthorOut
    body: str
    thread: int | None
    documents: list[DocumentOut]
    client_id: str | None
    created_at: str
    edited_at: str | None
    deleted: bool


def _positive(value: int, name: str) -> int:
    if value <= 0 or value > 2**62:
        raise BadRequest(_("« %(name)s » doit être un entier positif.") % {"name": name})
    return value


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
            room_id=_positive(room_id, "room_id"),
            body=payload.body,
            client_id=payload.client_id,
            thread=payload.thread,
            documents=_documents(payload.documents),
        )
    return Status(201, message_dict(result.message))


class MessageEditIn(StrictIn):
    body: StrictStr
    documents: list[DocumentIn] | None = None


@router.patch("/messages/{message_id}", response={200: MessageOut, **ERRORS}, summary="Modifier")
def message_edit(request: HttpRequest, message_id: int, payload: MessageEditIn) -> dict:
    result = services.message_edit(
        actor=request.auth,
        message_id=_positive(message_id, "message_id"),
        body=payload.body,
        documents=_documents(payload.documents),
    )
    return message_dict(result.message)


@router.delete("/messages/{message_id}", response={200: MessageOut, **ERRORS}, summary="Supprimer")
def message_delete(request: HttpRequest, message_id: int) -> dict:
    result = services.message_delete(
        actor=request.auth, message_id=_positive(message_id, "message_id")
    )
    return message_dict(result.message)
