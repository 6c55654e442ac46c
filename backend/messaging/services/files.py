"""Uploaded files: size-limited, typed from their content, attached to one message."""

from __future__ import annotations

import secrets
from typing import Any

import filetype
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from backend.accounts.models import User
from backend.common.errors import BadRequest, Forbidden, NotFound, TooLarge
from backend.rooms.access import access_room_readable

from ..models import Attachment, Message

FILES_PER_MESSAGE = 10
# Types recognised from the content; anything else that decodes as UTF-8 text is text/plain.
ALLOWED = {
    "application/pdf",
    "image/png",
    "image/jpeg",
    "image/gif",
    "image/webp",
    "application/zip",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "application/vnd.oasis.opendocument.text",
    "application/vnd.oasis.opendocument.spreadsheet",
    "application/vnd.oasis.opendocument.presentation",
    "application/msword",
    "application/vnd.ms-excel",
}


def upload_limit() -> int:
    return int(settings.PREAU["UPLOAD_MAX_BYTES"])


def sniff(head: bytes, whole: UploadedFile) -> str:
    """The content type read from the bytes themselves, never from the name or the client."""
    kind = filetype.guess(head)
    if kind is not None:
        return kind.mime
    whole.seek(0)
    data = whole.read()
    whole.seek(0)
    if b"\x00" in data:
        return "application/octet-stream"
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return "application/octet-stream"
    return "text/plain"


def _clean_name(name: str) -> str:
    name = (name or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
    name = "".join(c for c in name if c.isprintable())[:200]
    return name or "fichier"


@transaction.atomic
def attachment_upload(*, actor: User, room_id: int, upload: UploadedFile) -> Attachment:
    _room, membership = access_room_readable(actor=actor, room_id=room_id)
    if membership is None:
        raise Forbidden(_("Rejoignez le salon pour y déposer un fichier."))
    if upload.size is None or upload.size > upload_limit():
        raise TooLarge(
            _("Le fichier dépasse la taille maximale (%(n)d Mo).")
            % {"n": upload_limit() // (1024 * 1024)}
        )
    if upload.size == 0:
        raise BadRequest(_("Le fichier est vide."), reason="empty_file")
    head = upload.read(8192)
    upload.seek(0)
    content_type = sniff(head, upload)
    if content_type not in ALLOWED and content_type != "text/plain":
        raise BadRequest(
            _("Ce type de fichier n'est pas accepté (PDF, images, documents bureautiques, texte)."),
            reason="file_type_refused",
        )
    attachment = Attachment(
        room_id=room_id,
        uploader=actor,
        key=secrets.token_urlsafe(24),
        name=_clean_name(upload.name or ""),
        size=upload.size,
        content_type=content_type,
    )
    attachment.file.save(attachment.key, upload, save=False)
    try:
        attachment.save()
    except Exception:
        attachment.file.delete(save=False)
        raise
    return attachment


def attachments_claim(*, actor: User, room_id: int, file_ids: Any) -> list[Attachment]:
    """Validate the files a new message takes (the sender's own, in this room, still free)."""
    if file_ids is None:
        return []
    if not isinstance(file_ids, list) or not all(
        isinstance(i, int) and not isinstance(i, bool) for i in file_ids
    ):
        raise BadRequest(_("« files » est une liste d'identifiants de fichiers."))
    if len(file_ids) > FILES_PER_MESSAGE:
        raise TooLarge(_("Trop de fichiers (%(n)d au plus).") % {"n": FILES_PER_MESSAGE})
    found = list(
        Attachment.objects.select_for_update().filter(
            pk__in=file_ids, uploader=actor, room_id=room_id, message__isnull=True
        )
    )
    if len(found) != len(set(file_ids)):
        raise NotFound(_("Fichier introuvable ou déjà joint à un message."))
    return sorted(found, key=lambda a: file_ids.index(a.pk))


def attachment_for_download(*, actor: User, attachment_id: int) -> Attachment:
    attachment = Attachment.objects.select_related("message").filter(pk=attachment_id).first()
    if attachment is None:
        raise NotFound()
    message: Message | None = attachment.message
    if message is None and attachment.uploader_id != actor.pk:
        raise NotFound()  # not posted yet: only its uploader may fetch it
    if message is not None and message.deleted_at is not None:
        raise NotFound()
    # The message's room decides (a message moved elsewhere takes its files along).
    access_room_readable(actor=actor, room_id=message.room_id if message else attachment.room_id)
    return attachment
