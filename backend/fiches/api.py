"""REST endpoints of the fiches pratiques: knowledge base, fiche, history, validation,
publication, Markdown export, files."""

from __future__ import annotations

from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from ninja.responses import Status
from pydantic import Field, StrictInt, StrictStr

from backend.common.api import AUTH, ERRORS, StrictIn, positive_id
from backend.common.errors import BadRequest
from backend.messaging.api import attachment_response

from . import exports, selectors, services

router = Router(tags=["fiches pratiques"], auth=AUTH)


class UserRefOut(Schema):
    id: int
    name: str


class ThemeRefOut(Schema):
    slug: str
    name: str


class TerritoryRefOut(Schema):
    insee_code: str
    name: str
    level: str


class FicheItemOut(Schema):
    id: int
    title: str
    theme: ThemeRefOut | None
    territory: TerritoryRefOut | None
    created_at: str
    updated_at: str
    validated: bool
    published: bool = Field(description="Published for every agent by an animateur")
    excerpt: str
    snippet: str | None = Field(None, description="With q: the text around the match")
    highlights: list[list[int]] | None = Field(None, description="[start, end) in snippet")


class FicheListOut(Schema):
    query: str
    total: int
    results: list[FicheItemOut]


class DocumentOut(Schema):
    type: Literal["link", "file"]
    url: str
    title: str
    description: str
    message: int | None


class RoomRefOut(Schema):
    id: int
    name: str


class SourceOut(Schema):
    room: RoomRefOut | None = Field(description="null for a reader of the published fiche only")
    thread: int | None
    messages: list[int]
    url: str | None = Field(description="Opens the conversation in the web client")


class ContributorOut(Schema):
    id: int
    name: str
    source_author: bool
    editor: bool


class FicheOut(FicheItemOut):
    summary: str
    documents: list[DocumentOut]
    source: SourceOut
    contributors: list[ContributorOut]
    created_by: UserRefOut | None
    revision_count: int
    validated_at: str | None
    validated_by: UserRefOut | None
    published_at: str | None
    published_by: UserRefOut | None
    visibility: Literal["room", "all"]
    animateur: bool = Field(description="The caller may validate and publish")


class RevisionOut(Schema):
    number: int
    author: UserRefOut | None
    created_at: str
    note: str
    changes: list[str] = Field(description="created, or the fields changed: title, summary…")
    title: str
    summary: str
    theme: ThemeRefOut | None
    territory: TerritoryRefOut | None
    summary_diff: list[str] = Field(description="Unified diff against the previous revision")


class FicheQuery(Schema):
    q: str = Field("", max_length=200, description="Words to find (French stemming)")
    theme: str = Field("", max_length=64, description="Theme slug")
    territory: str = Field("", max_length=5, description="INSEE code (its communes included)")
    validated: bool | None = None
    limit: int = Field(50, ge=1, le=100)
    offset: int = Field(0, ge=0, le=10_000)


def _detail(request: HttpRequest, fiche_id: int) -> dict[str, Any]:
    return selectors.fiche_detail_for(user=request.auth, fiche_id=fiche_id)


@router.get(
    "/fiches", response={200: FicheListOut, **ERRORS}, summary="Fiches pratiques (rechercher)"
)
def fiche_list(request: HttpRequest, query: Query[FicheQuery]) -> dict:
    return selectors.fiche_list_for(user=request.auth, **query.dict())


class FicheIn(StrictIn):
    title: StrictStr
    summary: StrictStr
    thread: StrictInt | None = Field(None, description="Root (or reply) of the source thread")
    messages: list[StrictInt] | None = Field(None, description="Chosen messages of one room")
    theme: StrictStr = Field("", description="Theme slug")
    territory: StrictStr = Field("", description="INSEE code")
    territory_level: Literal["commune", "departement", "region"] | None = None
    document_urls: list[StrictStr] | None = Field(
        None, description="Chosen among the source messages' links and files (default: all)"
    )


@router.post("/fiches", response={201: FicheOut, **ERRORS}, summary="Créer une fiche depuis un fil")
def fiche_create(request: HttpRequest, payload: FicheIn) -> Status:
    result = services.fiche_create(actor=request.auth, **payload.dict())
    return Status(201, _detail(request, result.fiche.pk))


@router.get("/fiches/{fiche_id}", response={200: FicheOut, **ERRORS}, summary="Une fiche")
def fiche_detail(request: HttpRequest, fiche_id: int) -> dict:
    return _detail(request, positive_id(fiche_id, "fiche_id"))


class FichePatch(StrictIn):
    title: StrictStr | None = None
    summary: StrictStr | None = None
    theme: StrictStr | None = Field(None, description='Theme slug ("" for none)')
    territory: StrictStr | None = Field(None, description='INSEE code ("" for none)')
    territory_level: Literal["commune", "departement", "region"] | None = None
    document_urls: list[StrictStr] | None = None
    note: StrictStr = Field("", description="What changed and why (revision history)")


@router.patch(
    "/fiches/{fiche_id}", response={200: FicheOut, **ERRORS}, summary="Modifier une fiche"
)
def fiche_update(request: HttpRequest, fiche_id: int, payload: FichePatch) -> dict:
    fiche_id = positive_id(fiche_id, "fiche_id")
    fields = payload.dict(exclude_none=True)
    if not set(fields) - {"note", "territory_level"}:
        raise BadRequest(_("Rien à modifier."))
    services.fiche_update(actor=request.auth, fiche_id=fiche_id, **fields)
    return _detail(request, fiche_id)


@router.get(
    "/fiches/{fiche_id}/history",
    response={200: list[RevisionOut], **ERRORS},
    summary="Historique des versions d'une fiche",
)
def fiche_history(request: HttpRequest, fiche_id: int) -> list[dict]:
    return selectors.fiche_history_for(
        user=request.auth, fiche_id=positive_id(fiche_id, "fiche_id")
    )


@router.put(
    "/fiches/{fiche_id}/validation",
    response={200: FicheOut, **ERRORS},
    summary="Valider une fiche (animateurs)",
)
def fiche_validate(request: HttpRequest, fiche_id: int) -> dict:
    fiche_id = positive_id(fiche_id, "fiche_id")
    services.fiche_validate(actor=request.auth, fiche_id=fiche_id, validated=True)
    return _detail(request, fiche_id)


@router.delete(
    "/fiches/{fiche_id}/validation",
    response={200: FicheOut, **ERRORS},
    summary="Retirer la validation d'une fiche (animateurs)",
)
def fiche_unvalidate(request: HttpRequest, fiche_id: int) -> dict:
    fiche_id = positive_id(fiche_id, "fiche_id")
    services.fiche_validate(actor=request.auth, fiche_id=fiche_id, validated=False)
    return _detail(request, fiche_id)


@router.put(
    "/fiches/{fiche_id}/publication",
    response={200: FicheOut, **ERRORS},
    summary="Publier une fiche pour tous les agents (animateurs)",
)
def fiche_publish(request: HttpRequest, fiche_id: int) -> dict:
    fiche_id = positive_id(fiche_id, "fiche_id")
    services.fiche_publish(actor=request.auth, fiche_id=fiche_id, published=True)
    return _detail(request, fiche_id)


@router.delete(
    "/fiches/{fiche_id}/publication",
    response={200: FicheOut, **ERRORS},
    summary="Réserver de nouveau une fiche aux lecteurs de son salon (animateurs)",
)
def fiche_unpublish(request: HttpRequest, fiche_id: int) -> dict:
    fiche_id = positive_id(fiche_id, "fiche_id")
    services.fiche_publish(actor=request.auth, fiche_id=fiche_id, published=False)
    return _detail(request, fiche_id)


@router.get(
    "/fiches/{fiche_id}/export.md",
    response={200: None, **ERRORS},
    summary="Exporter une fiche en Markdown",
)
def fiche_export(request: HttpRequest, fiche_id: int) -> HttpResponse:
    fiche = _detail(request, positive_id(fiche_id, "fiche_id"))
    base = request.build_absolute_uri("/").rstrip("/")
    response = HttpResponse(
        exports.to_markdown(fiche, base_url=base), content_type="text/markdown; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="fiche-{fiche["id"]}.md"'
    return response


@router.get(
    "/fiches/{fiche_id}/files/{file_id}",
    response={200: None, **ERRORS},
    summary="Télécharger un fichier d'une fiche",
)
def fiche_file(request: HttpRequest, fiche_id: int, file_id: int) -> HttpResponse:
    attachment = selectors.fiche_attachment_for(
        user=request.auth,
        fiche_id=positive_id(fiche_id, "fiche_id"),
        file_id=positive_id(file_id, "file_id"),
    )
    return attachment_response(attachment)
