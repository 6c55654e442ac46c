"""REST endpoints for direct conversations and blocks."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.responses import Status
from pydantic import Field, StrictInt

from backend.common.api import AUTH, ERRORS, StrictIn, positive_id

from . import selectors, services

router = Router(tags=["messages directs"], auth=AUTH)


class PersonOut(Schema):
    id: int
    name: str
    job_title: str
    organisation: str | None


class DirectOut(Schema):
    id: int = Field(description="The conversation's room id (events, messages, reads…)")
    kind: str = Field(description="Always « direct »")
    name: str = Field(description="The other participants' names")
    participants: list[PersonOut] = Field(description="The other participants")
    seq: int = Field(description="Last event sequence number of the room")
    read: int = Field(description="The caller's read position")
    unread: int
    mentions: int
    created_at: str
    last_activity: str


class DirectIn(StrictIn):
    user_ids: list[StrictInt] = Field(
        description="The other participants (1 to 7 agents of the directory, not oneself)"
    )


class BlockIn(StrictIn):
    user_id: StrictInt


class BlockOut(PersonOut):
    blocked_at: str


@router.post(
    "/direct",
    response={200: DirectOut, 201: DirectOut, **ERRORS},
    summary="Ouvrir une conversation directe (ou retrouver celle de ces mêmes personnes)",
)
def direct_open(request: HttpRequest, payload: DirectIn) -> Status:
    result = services.direct_open(actor=request.auth, user_ids=payload.user_ids)
    card = selectors.direct_card_for(user=request.auth, room_id=result.room.pk)
    return Status(201 if result.created else 200, card)


@router.get("/direct", response={200: list[DirectOut], **ERRORS}, summary="Mes messages directs")
def direct_list(request: HttpRequest) -> list[dict]:
    return selectors.direct_list_for(user=request.auth)


@router.get("/blocks", response={200: list[BlockOut], **ERRORS}, summary="Agents bloqués")
def block_list(request: HttpRequest) -> list[dict]:
    return selectors.block_list_for(user=request.auth)


@router.post(
    "/blocks",
    response={200: BlockOut, 201: BlockOut, **ERRORS},
    summary="Bloquer un agent (ses messages directs ne vous parviennent plus)",
)
def block_add(request: HttpRequest, payload: BlockIn) -> Status:
    result = services.block_add(actor=request.auth, user_id=positive_id(payload.user_id, "user_id"))
    return Status(201 if result.created else 200, selectors.block_card(result.block))


@router.delete("/blocks/{user_id}", response={204: None, **ERRORS}, summary="Débloquer un agent")
def block_remove(request: HttpRequest, user_id: int) -> Status:
    services.block_remove(actor=request.auth, user_id=positive_id(user_id, "user_id"))
    return Status(204, None)
