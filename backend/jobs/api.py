"""REST endpoints of the jobs board: list with filters, post, read, edit, withdraw."""

from __future__ import annotations

from typing import Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from ninja.responses import Status
from pydantic import Field, StrictBool, StrictInt, StrictStr

from backend.common.api import AUTH, ERRORS, StrictIn, positive_id
from backend.common.errors import BadRequest

from . import selectors, services

router = Router(tags=["offres d'emploi"], auth=AUTH)

FIELDS_HELP = (
    "Filière: administrative, technique, culturelle, sportive, sociale, medico-sociale, "
    "medico-technique, animation, police-municipale, sapeurs-pompiers"
)


class PlaceOut(Schema):
    code: str
    name: str


class LocationOut(Schema):
    commune: PlaceOut
    departement: PlaceOut | None
    region: PlaceOut | None


class OrganisationRefOut(Schema):
    id: int
    name: str


class UserRefOut(Schema):
    id: int
    name: str


class JobOut(Schema):
    id: int
    title: str
    description: str = Field(description="Markdown")
    organisation: OrganisationRefOut
    location: LocationOut
    category: str = Field(description="A, B or C")
    field: str = Field(description=FIELDS_HELP)
    field_label: str
    closes_on: str = Field(description="Last day of applications (YYYY-MM-DD, site time zone)")
    closed: bool = Field(description="The closing date has passed: the offer left the board")
    link: str
    author: UserRefOut | None
    created_at: str
    updated_at: str
    may_edit: bool = Field(description="The caller posted the offer, or is staff")
    announced_in: list[int] | None = Field(
        description="Rooms the offer was announced in (detail, for its editors; else null)"
    )


class BoardOut(Schema):
    jobs: list[JobOut]
    total: int
    limit: int
    offset: int


class BoardQuery(Schema):
    territory: str = Field(
        "", max_length=5, description="INSEE code of a commune, département or région"
    )
    territory_level: Literal["commune", "departement", "region"] | None = Field(
        None, description="Where the code is ambiguous (11: Île-de-France or Aude)"
    )
    category: str = Field("", max_length=1, description="A, B or C")
    field: str = Field("", max_length=32, description=FIELDS_HELP)
    mine: bool = Field(False, description="Only the caller's own offers")
    limit: int = Field(20, ge=1, le=100)
    offset: int = Field(0, ge=0, le=100_000)


@router.get("/jobs", response={200: BoardOut, **ERRORS}, summary="Offres d'emploi (tableau)")
def job_board(request: HttpRequest, query: Query[BoardQuery]) -> dict:
    return selectors.job_board(viewer=request.auth, **query.dict())


class JobIn(StrictIn):
    title: StrictStr = Field(description="At most 200 characters")
    commune: StrictStr = Field(description="The commune's INSEE code")
    category: StrictStr = Field(description="A, B or C")
    field: StrictStr = Field(description=FIELDS_HELP)
    closes_on: StrictStr = Field(description="YYYY-MM-DD, today or later, within a year")
    link: StrictStr = Field(description="https:// address of the full offer or application")
    description: StrictStr = Field("", description="Markdown, at most 10,000 characters")
    organisation: StrictInt | None = Field(
        None, description="Staff only: another organisation than one's own"
    )
    announce: StrictBool = Field(
        False, description="Also post it in the open rooms of its territory and filière"
    )


@router.post("/jobs", response={201: JobOut, **ERRORS}, summary="Publier une offre d'emploi")
def job_create(request: HttpRequest, payload: JobIn) -> Status:
    result = services.job_create(actor=request.auth, **payload.dict())
    return Status(201, selectors.job_detail_for(user=request.auth, job_id=result.offer.pk))


@router.get("/jobs/{job_id}", response={200: JobOut, **ERRORS}, summary="Une offre d'emploi")
def job_detail(request: HttpRequest, job_id: int) -> dict:
    return selectors.job_detail_for(user=request.auth, job_id=positive_id(job_id, "job_id"))


class JobPatch(StrictIn):
    title: StrictStr | None = None
    commune: StrictStr | None = None
    category: StrictStr | None = None
    field: StrictStr | None = None
    closes_on: StrictStr | None = None
    link: StrictStr | None = None
    description: StrictStr | None = None
    organisation: StrictInt | None = Field(None, description="Staff only")


@router.patch(
    "/jobs/{job_id}", response={200: JobOut, **ERRORS}, summary="Modifier une offre d'emploi"
)
def job_update(request: HttpRequest, job_id: int, payload: JobPatch) -> dict:
    job_id = positive_id(job_id, "job_id")
    fields = payload.dict(exclude_none=True)
    if not fields:
        raise BadRequest(_("Rien à modifier."))
    services.job_update(actor=request.auth, job_id=job_id, **fields)
    return selectors.job_detail_for(user=request.auth, job_id=job_id)


@router.delete(
    "/jobs/{job_id}", response={204: None, **ERRORS}, summary="Retirer une offre d'emploi"
)
def job_withdraw(request: HttpRequest, job_id: int) -> Status:
    services.job_withdraw(actor=request.auth, job_id=positive_id(job_id, "job_id"))
    return Status(204, None)
