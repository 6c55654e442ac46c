"""REST endpoints for contacts, contact import and invitations."""

from __future__ import annotations

from typing import Literal

from django.http import HttpRequest
from ninja import File, Query, Router, Schema
from ninja.files import UploadedFile
from ninja.responses import Status
from pydantic import Field, StrictStr

from backend.common.api import AUTH, ERRORS, StrictIn, positive_id
from backend.common.errors import TooLarge

from . import importing, parsing, selectors, services
from .access import access_contacts

router = Router(tags=["contacts"], auth=AUTH)


class ContactOut(Schema):
    id: int
    name: str
    job_title: str
    organisation: str | None
    status: Literal["online", "away", "dnd", "offline"] = Field(
        description="Presence now (read on each call; not pushed)"
    )
    added_at: str


class ContactQuery(Schema):
    q: str = Field("", max_length=200, description="Part of a name or of an organisation")


class ImportQuery(Schema):
    add: bool = Field(False, description="Add the matched agents to one's contacts at once")


class ImportText(StrictIn):
    text: StrictStr = Field(
        description=(
            "Addresses separated by commas, semicolons or line breaks; « Nom <adresse> » "
            "accepted. At most 100,000 characters and 500 addresses."
        )
    )


class MatchedAgent(Schema):
    id: int
    name: str
    job_title: str
    organisation: str | None
    contact: bool = Field(description="Whether the agent is (now) in one's contacts")


class ImportResult(Schema):
    email: str = Field(description="The address (lower-case), or the unreadable entry")
    outcome: Literal["matched", "invitable", "outside", "invalid", "self"]
    user: MatchedAgent | None = Field(description="Only for matched")
    organisation: str | None = Field(description="Only for invitable: the domain's organisation")


class ImportCounts(Schema):
    matched: int
    invitable: int
    outside: int
    invalid: int
    self: int


class ImportOut(Schema):
    format: Literal["list", "csv", "vcard"]
    results: list[ImportResult]
    counts: ImportCounts
    duplicates: int = Field(description="Repeated addresses, counted once")


class InvitationIn(StrictIn):
    email: StrictStr = Field(description="An address at a registered domain with no account")


class InvitationOut(Schema):
    email: str
    organisation: str
    status: Literal["sent"]


@router.get("/contacts", response={200: list[ContactOut], **ERRORS}, summary="Mes contacts")
def contact_list(request: HttpRequest, query: Query[ContactQuery]) -> list[dict]:
    return selectors.contact_list_for(user=request.auth, q=query.q)


@router.put(
    "/contacts/{user_id}",
    response={200: MatchedAgent, 201: MatchedAgent, **ERRORS},
    summary="Ajouter un agent à mes contacts",
)
def contact_add(request: HttpRequest, user_id: int) -> Status:
    result = services.contact_add(actor=request.auth, user_id=positive_id(user_id, "user_id"))
    card = {**selectors.agent_card(result.contact), "contact": True}
    return Status(201 if result.created else 200, card)


@router.delete(
    "/contacts/{user_id}",
    response={204: None, **ERRORS},
    summary="Retirer un agent de mes contacts",
)
def contact_remove(request: HttpRequest, user_id: int) -> Status:
    services.contact_remove(actor=request.auth, user_id=positive_id(user_id, "user_id"))
    return Status(204, None)


@router.post(
    "/contact-import",
    response={200: ImportOut, **ERRORS},
    summary="Importer une liste d'adresses (aperçu ; n'enregistre rien sans « add »)",
)
def contact_import_text(
    request: HttpRequest, payload: ImportText, query: Query[ImportQuery]
) -> dict:
    access_contacts(actor=request.auth)
    entries = parsing.entries_from_text(payload.text)
    report = importing.contacts_import(actor=request.auth, entries=entries, add=query.add)
    return {"format": "list", **report}


@router.post(
    "/contact-import/file",
    response={200: ImportOut, **ERRORS},
    summary="Importer un fichier CSV ou vCard (512 Kio, 500 adresses au plus)",
)
def contact_import_file(
    request: HttpRequest, file: File[UploadedFile], query: Query[ImportQuery]
) -> dict:
    access_contacts(actor=request.auth)
    if file.size is None or file.size > parsing.FILE_MAX_BYTES:
        raise TooLarge(parsing.file_too_large_message(), reason="file_too_large")
    kind, entries = parsing.entries_from_file(file.read(parsing.FILE_MAX_BYTES + 1))
    report = importing.contacts_import(actor=request.auth, entries=entries, add=query.add)
    return {"format": kind, **report}


@router.post(
    "/contact-invitations",
    response={201: InvitationOut, **ERRORS},
    summary="Inviter un collègue sans compte (domaine d'une organisation inscrite)",
)
def invitation_send(request: HttpRequest, payload: InvitationIn) -> Status:
    result = services.invitation_send(actor=request.auth, email=payload.email)
    return Status(
        201, {"email": result.email, "organisation": result.organisation, "status": "sent"}
    )
