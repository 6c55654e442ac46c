"""REST endpoints for levels, useful answers and the member directory."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field, StrictBool, StrictStr

from backend.common.api import AUTH, ERRORS, StrictIn, positive_id

from . import directory, levels
from .models import Standing

router = Router(tags=["communauté"], auth=AUTH)


class LevelOut(Schema):
    level: int = Field(description="1 nouveau membre … 4 super-contributeur, 5 animateur référent")
    label: str
    points: int | None = Field(description="Only for oneself")


class MemberOut(Schema):
    id: int
    name: str
    job_title: str
    organisation: str | None
    territory: dict[str, Any] | None = Field(
        description="{commune, departement, region}: {code, name}"
    )
    skills: list[str]
    level: LevelOut
    email: str | None = Field(description="Only when the member chose to show it (or oneself)")


class ProfileOut(MemberOut):
    cv: str | None = Field(description="Oneself, or a published CV; otherwise null")
    cv_public: bool
    show_email: bool


class ProfileIn(StrictIn):
    skills: list[StrictStr] = Field(None, description="At most 30 skills of 60 characters")  # type: ignore[assignment]
    cv: StrictStr = Field(None, description="Markdown, at most 20,000 characters")  # type: ignore[assignment]
    cv_public: StrictBool = Field(None, description="Publish the CV on /cv/<id>/")  # type: ignore[assignment]
    show_email: StrictBool = None  # type: ignore[assignment]
    territory: StrictStr = Field(  # type: ignore[assignment]
        None, description="A commune's INSEE code; empty: the organisation's commune"
    )


class SearchIn(Schema):
    q: str = Field("", max_length=200, description="Name, job, organisation or skill")
    organisation: str = Field("", max_length=200)
    territory: str = Field(
        "", max_length=5, description="INSEE code of a commune, département or région"
    )
    job: str = Field("", max_length=200)
    skill: str = Field("", max_length=200)


class UsefulOut(Schema):
    message: int
    useful: bool


@router.get("/members", response={200: list[MemberOut], **ERRORS}, summary="Annuaire des agents")
def member_search(request: HttpRequest, filters: Query[SearchIn]) -> list[dict]:
    return directory.member_search(viewer=request.auth, **filters.dict())


@router.get(
    "/members/territories",
    response={200: list[dict[str, Any]], **ERRORS},
    summary="Membres par territoire (régions, départements, communes)",
)
def members_by_territory(request: HttpRequest) -> list[dict]:
    return directory.members_by_territory(viewer=request.auth)


@router.get(
    "/members/{user_id}", response={200: ProfileOut, **ERRORS}, summary="Profil d'un membre"
)
def member_profile(request: HttpRequest, user_id: int) -> dict:
    positive_id(user_id, "user_id")
    return directory.member_profile(viewer=request.auth, user_id=user_id)


@router.patch(
    "/account/directory-profile",
    response={200: ProfileOut, **ERRORS},
    summary="Modifier ses compétences, son CV et sa visibilité",
)
def profile_update(request: HttpRequest, payload: ProfileIn) -> dict:
    directory.member_profile_update(user=request.auth, **payload.dict(exclude_unset=True))
    return directory.member_profile(viewer=request.auth, user_id=request.auth.pk)


@router.get("/account/level", response={200: LevelOut, **ERRORS}, summary="Mon niveau")
def my_level(request: HttpRequest) -> dict:
    return levels.level_ref(Standing.objects.filter(user=request.auth).first())


@router.put(
    "/messages/{message_id}/useful",
    response={200: UsefulOut, **ERRORS},
    summary="Juger une réponse utile (l'auteur de la question)",
)
def useful_set(request: HttpRequest, message_id: int) -> dict:
    positive_id(message_id, "message_id")
    result = levels.useful_mark(actor=request.auth, message_id=message_id, useful=True)
    return {"message": result.message_id, "useful": result.useful}


@router.delete(
    "/messages/{message_id}/useful",
    response={200: UsefulOut, **ERRORS},
    summary="Retirer « utile »",
)
def useful_unset(request: HttpRequest, message_id: int) -> dict:
    positive_id(message_id, "message_id")
    result = levels.useful_mark(actor=request.auth, message_id=message_id, useful=False)
    return {"message": result.message_id, "useful": result.useful}
