"""REST endpoints for bots: create, list, grant rooms, rotate tokens, create incoming hooks."""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.responses import Status
from pydantic import Field, StrictBool, StrictInt, StrictStr

from backend.common.api import AUTH, ERRORS, StrictIn, positive_id

from . import selectors, services
from .selectors import bot_dict, grant_dict

router = Router(tags=["robots"], auth=AUTH)


class BotIn(StrictIn):
    name: StrictStr = Field(description="Display name, at most 150 characters")
    description: StrictStr = Field("", description="At most 150 characters")


class OwnerOut(Schema):
    id: int
    name: str


class GrantOut(Schema):
    room: int
    room_name: str
    can_post: bool
    can_read: bool


class BotOut(Schema):
    id: int
    name: str
    description: str
    is_bot: bool = Field(description="Always true: shown with a BOT badge")
    owner: OwnerOut | None
    active: bool
    created_at: datetime
    grants: list[GrantOut]


class BotCreatedOut(BotOut):
    token: str = Field(description="The bot's token, shown this once")


@router.post(
    "/bots",
    response={201: BotCreatedOut, **ERRORS},
    summary="Créer un robot (son jeton n'est affiché qu'une fois)",
)
def bot_create(request: HttpRequest, payload: BotIn) -> Status:
    result = services.bot_create(
        actor=request.auth, name=payload.name, description=payload.description
    )
    bot = result.record.user
    return Status(201, {**bot_dict(bot), "token": result.token})


@router.get("/bots", response={200: list[BotOut], **ERRORS}, summary="Mes robots")
def bot_list(request: HttpRequest) -> list[dict]:
    return selectors.bot_list_for(user=request.auth)


class GrantIn(StrictIn):
    room: StrictInt = Field(description="Room id")
    can_post: StrictBool = True
    can_read: StrictBool = True


@router.post(
    "/bots/{bot_id}/grants",
    response={200: GrantOut, 201: GrantOut, **ERRORS},
    summary="Autoriser un robot dans un salon (il en devient membre)",
)
def bot_grant(request: HttpRequest, bot_id: int, payload: GrantIn) -> Status:
    result = services.bot_grant(
        actor=request.auth,
        bot_id=positive_id(bot_id, "bot_id"),
        room_id=positive_id(payload.room, "room"),
        can_post=payload.can_post,
        can_read=payload.can_read,
    )
    return Status(201 if result.created else 200, grant_dict(result.grant))


@router.delete(
    "/bots/{bot_id}/grants/{room_id}",
    response={204: None, **ERRORS},
    summary="Retirer un robot d'un salon (ses webhooks vers ce salon sont révoqués)",
)
def bot_grant_withdraw(request: HttpRequest, bot_id: int, room_id: int) -> Status:
    services.bot_grant_withdraw(
        actor=request.auth,
        bot_id=positive_id(bot_id, "bot_id"),
        room_id=positive_id(room_id, "room_id"),
    )
    return Status(204, None)


class RotatedOut(Schema):
    id: int
    prefix: str
    token: str = Field(description="The new token, shown this once")
    previous_expire_at: datetime = Field(description="Until when the previous tokens still work")


@router.post(
    "/bots/{bot_id}/token/rotate",
    response={201: RotatedOut, **ERRORS},
    summary="Renouveler le jeton d'un robot (l'ancien reste valable un temps)",
)
def bot_token_rotate(request: HttpRequest, bot_id: int) -> Status:
    result = services.bot_token_rotate(actor=request.auth, bot_id=positive_id(bot_id, "bot_id"))
    record = result.token.record
    return Status(
        201,
        {
            "id": record.pk,
            "prefix": record.prefix,
            "token": result.token.token,
            "previous_expire_at": result.previous_expire_at,
        },
    )


class HookIn(StrictIn):
    room: StrictInt = Field(description="Default room (one the bot may post in)")


class HookOut(Schema):
    id: int
    room: int
    prefix: str
    created_at: datetime
    url: str = Field(description="POST Slack-format payloads here; shown this once")


@router.post(
    "/bots/{bot_id}/hooks",
    response={201: HookOut, **ERRORS},
    summary="Créer un webhook entrant (format Slack) pour un robot",
)
def hook_create(request: HttpRequest, bot_id: int, payload: HookIn) -> Status:
    result = services.hook_create(
        actor=request.auth,
        bot_id=positive_id(bot_id, "bot_id"),
        room_id=positive_id(payload.room, "room"),
    )
    hook = result.hook
    return Status(
        201,
        {
            "id": hook.pk,
            "room": hook.room_id,
            "prefix": hook.prefix,
            "created_at": hook.created_at,
            "url": services.hook_url(result.secret),
        },
    )
