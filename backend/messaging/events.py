"""Typed payloads of message events."""

from __future__ import annotations

from typing import TypedDict

from backend.integrations.avatars import author_extra
from backend.rooms.events import UserRef, iso, user_ref

from .models import Message


class Document(TypedDict):
    url: str
    title: str
    description: str  # "" when none was given


class FileRef(TypedDict):
    id: int
    name: str
    size: int
    content_type: str
    url: str


def file_ref(attachment) -> FileRef:  # type: ignore[no-untyped-def]
    return {
        "id": attachment.pk,
        "name": attachment.name,
        "size": attachment.size,
        "content_type": attachment.content_type,
        "url": f"/api/v1/files/{attachment.pk}",
    }


class AuthorRef(TypedDict):
    id: int
    name: str
    level: int  # earned level, 1 (nouveau membre) to 5 (animateur référent)


class MessageCreated(TypedDict):
    id: int
    author: AuthorRef
    body: str
    thread: int | None
    documents: list[Document]
    client_id: str | None
    created_at: str
    mentions: list[int]
    files: list[FileRef]


class MessageEdited(TypedDict):
    id: int
    body: str
    documents: list[Document]
    edited_at: str
    edited_by: UserRef
    mentions: list[int]


class ReactionChanged(TypedDict):
    message: int
    emoji: str
    user: UserRef


class MessageDeleted(TypedDict):
    id: int
    deleted_at: str
    deleted_by: UserRef | None  # None: removed by the platform (retention)


def author_ref(user) -> AuthorRef:  # type: ignore[no-untyped-def]
    """The author with their earned level, shown as a badge next to their messages."""
    from backend.community.levels import level_of

    return {"id": user.pk, "name": user.name, "level": level_of(user.pk)}


def message_created(
    message: Message, *, mentions: list[int] | None = None, files: list | None = None
) -> MessageCreated:
    return {
        "id": message.pk,
        "author": {**author_ref(message.author), **author_extra(message.author)},
        "body": message.body,
        "thread": message.thread_id,
        "documents": list(message.documents),
        "client_id": message.client_id,
        "created_at": iso(message.created_at) or "",
        "mentions": list(mentions or []),
        "files": [file_ref(a) for a in files or []],
    }


def message_edited(message: Message, *, by, mentions: list[int] | None = None) -> MessageEdited:  # type: ignore[no-untyped-def]
    return {
        "id": message.pk,
        "body": message.body,
        "documents": list(message.documents),
        "edited_at": iso(message.edited_at) or "",
        "edited_by": user_ref(by),
        "mentions": list(mentions or []),
    }


def reaction_changed(message: Message, *, emoji: str, by) -> ReactionChanged:  # type: ignore[no-untyped-def]
    return {"message": message.pk, "emoji": emoji, "user": user_ref(by)}


def message_deleted(message: Message, *, by) -> MessageDeleted:  # type: ignore[no-untyped-def]
    return {
        "id": message.pk,
        "deleted_at": iso(message.deleted_at) or "",
        "deleted_by": user_ref(by) if by is not None else None,
    }


def message_redacted(data: dict) -> dict:
    """What an earlier event about a deleted message still shows on replay."""
    redacted = dict(data)
    for key in ("body",):
        if key in redacted:
            redacted[key] = ""
    if "documents" in redacted:
        redacted["documents"] = []
    if "files" in redacted:
        redacted["files"] = []
    redacted["deleted"] = True
    return redacted
