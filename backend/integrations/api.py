"""REST endpoints for bots: create, list, grant rooms, rotate tokens, create incoming hooks."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import File, Router, Schema
from ninja.files import UploadedFile
from ninja.responses import Status
from pydantic import Field, StrictBool, StrictInt, StrictStr

from backend.accounts.api import TokenOut
from backend.common.api import AUTH, ERRORS, StrictIn, iso_datetime, positive_id
from backend.common.errors import TooLarge

from . import announcements, avatars, outgoing, selectors, services
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
    avatar: str = Field(description="URL of its picture: the uploaded image, or its initials")


class BotUpdateIn(StrictIn):
    name: StrictStr | None = Field(None, description="Display name, at most 150 characters")
    description: StrictStr | None = Field(None, description="At most 150 characters")


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


@router.patch(
    "/bots/{bot_id}",
    response={200: BotOut, **ERRORS},
    summary="Renommer un robot ou changer sa description",
)
def bot_update(request: HttpRequest, bot_id: int, payload: BotUpdateIn) -> dict:
    bot = avatars.bot_update(
        actor=request.auth,
        bot_id=positive_id(bot_id, "bot_id"),
        name=payload.name,
        description=payload.description,
    )
    return selectors.bot_detail(bot)


@router.delete(
    "/bots/{bot_id}",
    response={204: None, **ERRORS},
    summary="Supprimer un robot (il quitte ses salons ; jetons et webhooks cessent aussitôt)",
)
def bot_delete(request: HttpRequest, bot_id: int) -> Status:
    services.bot_delete(actor=request.auth, bot_id=positive_id(bot_id, "bot_id"))
    return Status(204, None)


@router.post(
    "/bots/{bot_id}/avatar",
    response={200: BotOut, **ERRORS},
    summary="Déposer l'image d'un robot (PNG, JPEG, WebP ou GIF, 256 Kio au plus)",
)
def bot_avatar_set(request: HttpRequest, bot_id: int, file: File[UploadedFile]) -> dict:
    avatar = avatars.bot_avatar_set(
        actor=request.auth, bot_id=positive_id(bot_id, "bot_id"), upload=file
    )
    return selectors.bot_detail(avatar.bot)


@router.delete(
    "/bots/{bot_id}/avatar",
    response={204: None, **ERRORS},
    summary="Retirer l'image d'un robot (ses initiales la remplacent)",
)
def bot_avatar_remove(request: HttpRequest, bot_id: int) -> Status:
    avatars.bot_avatar_remove(actor=request.auth, bot_id=positive_id(bot_id, "bot_id"))
    return Status(204, None)


@router.get(
    "/bots/{bot_id}/avatar",
    response={200: None, **ERRORS},
    summary="L'image d'un robot, ou ses initiales sur sa couleur (SVG)",
)
def bot_avatar(request: HttpRequest, bot_id: int) -> HttpResponse:
    picture = avatars.bot_picture(bot_id=positive_id(bot_id, "bot_id"))
    etag = f'"{picture.etag}"'
    if request.headers.get("If-None-Match") == etag:
        response = HttpResponse(status=304)
    else:
        response = HttpResponse(picture.data, content_type=picture.content_type)
    response["ETag"] = etag
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; sandbox"
    response["Cache-Control"] = "private, no-cache"
    return response


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


@router.get(
    "/bots/{bot_id}/tokens",
    response={200: list[TokenOut], **ERRORS},
    summary="Les jetons d'un robot (révocables par DELETE /tokens/{id})",
)
def bot_tokens(request: HttpRequest, bot_id: int) -> list[dict]:
    return selectors.bot_tokens_for(actor=request.auth, bot_id=positive_id(bot_id, "bot_id"))


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


# --- outgoing webhooks ------------------------------------------------------------------------


class OutgoingIn(StrictIn):
    url: StrictStr = Field(
        description="http(s) URL, at most 2,048 characters; private and loopback addresses are "
        "refused unless the operator allows them"
    )
    on_mention: StrictBool = Field(True, description="Notify when the bot is mentioned")
    rooms: list[StrictInt] = Field(
        [], description="Watched rooms (each one the bot is granted reading in), at most 50"
    )


class OutgoingOut(Schema):
    id: int
    bot: int
    url: str
    on_mention: bool
    rooms: list[int]
    secret_prefix: str = Field(description="The first characters of the signing secret")
    created_at: datetime
    pending: int = Field(description="Deliveries waiting to be sent or retried")
    failed: int = Field(description="Deliveries given up after every retry")


class OutgoingCreatedOut(OutgoingOut):
    secret: str = Field(description="The HMAC-SHA256 signing secret, shown this once")


class SecretOut(Schema):
    id: int
    secret: str = Field(description="The new signing secret, shown this once")


class DeliveryOut(Schema):
    id: int
    message: int
    trigger: str = Field(description="mention or room")
    status: str = Field(description="pending, delivered, failed or cancelled")
    attempts: int
    next_attempt_at: datetime | None
    last_status_code: int | None
    last_error: str
    reply: int | None = Field(description="The bot's answer posted from the response body")
    created_at: datetime
    finished_at: datetime | None


@router.post(
    "/bots/{bot_id}/outgoing",
    response={201: OutgoingCreatedOut, **ERRORS},
    summary="Créer un webhook sortant (son secret de signature n'est affiché qu'une fois)",
)
def outgoing_create(request: HttpRequest, bot_id: int, payload: OutgoingIn) -> Status:
    result = outgoing.outgoing_create(
        actor=request.auth,
        bot_id=positive_id(bot_id, "bot_id"),
        url=payload.url,
        on_mention=payload.on_mention,
        rooms=payload.rooms,
    )
    return Status(201, {**outgoing.outgoing_dict(result.webhook), "secret": result.secret})


@router.get(
    "/bots/{bot_id}/outgoing",
    response={200: list[OutgoingOut], **ERRORS},
    summary="Les webhooks sortants d'un robot",
)
def outgoing_list(request: HttpRequest, bot_id: int) -> list[dict]:
    return outgoing.outgoing_list_for(actor=request.auth, bot_id=positive_id(bot_id, "bot_id"))


@router.delete(
    "/bots/{bot_id}/outgoing/{webhook_id}",
    response={204: None, **ERRORS},
    summary="Supprimer un webhook sortant (ses livraisons en attente sont abandonnées)",
)
def outgoing_delete(request: HttpRequest, bot_id: int, webhook_id: int) -> Status:
    outgoing.outgoing_delete(
        actor=request.auth,
        bot_id=positive_id(bot_id, "bot_id"),
        webhook_id=positive_id(webhook_id, "webhook_id"),
    )
    return Status(204, None)


@router.post(
    "/bots/{bot_id}/outgoing/{webhook_id}/secret/rotate",
    response={201: SecretOut, **ERRORS},
    summary="Renouveler le secret de signature d'un webhook sortant",
)
def outgoing_secret_rotate(request: HttpRequest, bot_id: int, webhook_id: int) -> Status:
    result = outgoing.outgoing_secret_rotate(
        actor=request.auth,
        bot_id=positive_id(bot_id, "bot_id"),
        webhook_id=positive_id(webhook_id, "webhook_id"),
    )
    return Status(201, {"id": result.webhook.pk, "secret": result.secret})


@router.get(
    "/bots/{bot_id}/outgoing/{webhook_id}/deliveries",
    response={200: list[DeliveryOut], **ERRORS},
    summary="Les dernières livraisons d'un webhook sortant, échecs compris",
)
def outgoing_deliveries(request: HttpRequest, bot_id: int, webhook_id: int) -> list[dict]:
    return outgoing.deliveries_for(
        actor=request.auth,
        bot_id=positive_id(bot_id, "bot_id"),
        webhook_id=positive_id(webhook_id, "webhook_id"),
    )


# --- announcements ---------------------------------------------------------------------------


class AnnouncementIn(StrictIn):
    body: StrictStr = Field(description="Markdown, at most 10,000 characters")
    rooms: list[StrictInt] | None = Field(None, description="Audience: these rooms")
    territory: StrictStr | None = Field(
        None, description="Audience: every geographic room within this territory (INSEE code)"
    )
    territory_level: StrictStr | None = Field(
        None, description="commune, departement or region, when the code names several"
    )
    theme: StrictStr | None = Field(None, description="Audience: every thematic room of a theme")
    organisation_kind: StrictStr | None = Field(
        None, description="Audience: the rooms reserved to organisations of this kind"
    )
    pinned_days: StrictInt = Field(7, description="Pinned this many days (0 to 90)")
    send_at: StrictStr | None = Field(
        None,
        description="ISO 8601 date-time with its offset, in the future (at most 365 days): "
        "scheduled instead of sent now",
    )


class AnnouncementOut(Schema):
    id: int
    author: OwnerOut
    body: str
    audience: str
    target: dict[str, Any]
    rooms: list[int]
    pinned_until: str
    created_at: str
    read_by: int = Field(description="Agents who read it in one of its rooms (« lu par N agents »)")
    status: str = Field(description="scheduled, sent, cancelled or failed")
    send_at: str | None = Field(description="When a scheduled announcement is (was) due")
    sent_at: str | None
    failure: str = Field(description="Why a scheduled announcement could not be sent")


class PinnedOut(AnnouncementOut):
    message: int = Field(description="The announcement's message in this room")


@router.post(
    "/announcements",
    response={201: AnnouncementOut, **ERRORS},
    summary="Publier une annonce à une audience (staff, modérateurs, robots autorisés)",
)
def announcement_send(request: HttpRequest, payload: AnnouncementIn) -> Status:
    if payload.territory_level is not None and len(payload.territory_level) > 16:
        raise TooLarge()
    for value in (payload.territory, payload.theme, payload.organisation_kind):
        if value is not None and len(value) > 64:
            raise TooLarge()
    audience = announcements.audience_resolve(
        rooms=payload.rooms,
        territory=payload.territory,
        territory_level=payload.territory_level,
        theme=payload.theme,
        organisation_kind=payload.organisation_kind,
    )
    result = announcements.announcement_send(
        actor=request.auth,
        body=payload.body,
        audience=audience,
        pinned_days=payload.pinned_days,
        send_at=iso_datetime(payload.send_at, "send_at"),
    )
    return Status(201, announcements.announcement_dict(result.announcement, result.room_ids))


@router.get(
    "/announcements",
    response={200: list[AnnouncementOut], **ERRORS},
    summary="Mes annonces (et celles de mes robots), les plus récentes d'abord, 50 au plus",
)
def announcement_list(request: HttpRequest) -> list[dict]:
    return announcements.announcement_list_for(user=request.auth)


@router.post(
    "/announcements/{announcement_id}/cancel",
    response={200: AnnouncementOut, **ERRORS},
    summary="Annuler une annonce programmée avant son envoi",
)
def announcement_cancel(request: HttpRequest, announcement_id: int) -> dict:
    found = announcements.announcement_cancel(
        actor=request.auth, announcement_id=positive_id(announcement_id, "announcement_id")
    )
    return announcements.announcement_dict(found, [])


@router.get(
    "/announcements/{announcement_id}",
    response={200: AnnouncementOut, **ERRORS},
    summary="Une annonce et son nombre de lecteurs (pour son auteur et l'équipe)",
)
def announcement_detail(request: HttpRequest, announcement_id: int) -> dict:
    return announcements.announcement_detail_for(
        user=request.auth, announcement_id=positive_id(announcement_id, "announcement_id")
    )


@router.get(
    "/rooms/{room_id}/announcements",
    response={200: list[PinnedOut], **ERRORS},
    summary="Annonces épinglées dans un salon",
)
def room_announcements(request: HttpRequest, room_id: int) -> list[dict]:
    return announcements.pinned_for(user=request.auth, room_id=positive_id(room_id, "room_id"))
