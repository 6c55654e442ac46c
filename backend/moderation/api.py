"""REST endpoints for room moderation, reports, reclassification and the audit trail."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.responses import Status
from pydantic import Field, StrictInt, StrictStr

from backend.audit.selectors import audit_list_for
from backend.common.api import AUTH, ERRORS, StrictIn, positive_id
from backend.rooms.events import iso

from . import moves, reports, selectors, services
from .events import report_dict

router = Router(tags=["modération"], auth=AUTH)


class UserRefOut(Schema):
    id: int
    name: str


class ReasonIn(StrictIn):
    reason: StrictStr = Field("", description="Why (at most 255 characters); kept in the audit")


class UserActionIn(StrictIn):
    user: StrictInt
    reason: StrictStr = ""


class MuteIn(StrictIn):
    user: StrictInt
    seconds: StrictInt = Field(description="Duration in seconds (at most 30 days); 0 lifts it")
    reason: StrictStr = ""


class MuteOut(Schema):
    user: UserRefOut
    until: str | None


class PolicyIn(StrictIn):
    # Omitted means unchanged; an explicit null is refused.
    posting: Literal["all", "announcement", "read_only"] = None  # type: ignore[assignment]
    slow_mode_seconds: StrictInt = Field(  # type: ignore[assignment]
        None, description="One message per N seconds per member (0: off; at most 21,600)"
    )


class PolicyOut(Schema):
    posting: str
    slow_mode_seconds: int


class RoleIn(StrictIn):
    role: Literal["moderator", "member"]


class RoleOut(Schema):
    user: int
    role: str


class ChangedOut(Schema):
    message: int
    changed: bool


class HiddenOut(Schema):
    message: int
    deleted_at: str | None


class PinOut(Schema):
    message: int
    author: UserRefOut
    excerpt: str
    pinned_by: UserRefOut | None
    pinned_at: str | None


class ModerationOut(Schema):
    room: int
    posting: str
    slow_mode_seconds: int
    pinned: list[PinOut]
    mutes: list[dict[str, Any]]
    bans: list[dict[str, Any]]
    newcomer_messages: list[int] = Field(
        description="Messages among their authors' first ones in the room (nouveau membre)"
    )


class ReportIn(StrictIn):
    reason: StrictStr = Field(description="Why the message is reported (at most 500 characters)")


class ReportHandleIn(StrictIn):
    status: Literal["resolved", "dismissed"]
    note: StrictStr = ""


class RoomRefOut(Schema):
    id: int
    name: str


class ReportOut(Schema):
    id: int
    room: RoomRefOut
    message: int
    reason: str
    status: str
    note: str
    created_at: str | None
    handled_at: str | None
    reporter: UserRefOut | None = None
    author: UserRefOut | None = None
    excerpt: str | None = None
    handled_by: UserRefOut | None = None


class ReportQuery(Schema):
    room: int | None = Field(None, ge=1, le=2**62)
    status: Literal["open", "resolved", "dismissed", "all"] = "open"


class MoveIn(StrictIn):
    room: StrictInt = Field(description="Destination room")
    scope: Literal["message", "thread", "following"] = "message"
    thread: StrictInt | None = Field(None, description="Destination thread (root message id)")
    reason: StrictStr


class MoveOut(Schema):
    messages: list[int]
    from_room: int
    to_room: int
    thread: int | None


class AuditQuery(Schema):
    room: int | None = Field(None, ge=1, le=2**62, description="The room (moderators: required)")
    action: str | None = Field(None, max_length=64, description="One action, e.g. message.hidden")
    actor: int | None = Field(None, ge=1, le=2**62, description="Who acted (a user id)")
    since: date | None = Field(None, description="From this day (YYYY-MM-DD, Paris time)")
    until: date | None = Field(None, description="Up to this day included (YYYY-MM-DD)")
    before: int | None = Field(
        None, ge=1, le=2**62, description="Entries older than this id (the next page)"
    )
    limit: int = Field(100, ge=1, le=500)


class AuditTargetOut(Schema):
    kind: str = Field(description="user, message, room, token, hook… or empty when opaque")
    id: int | None
    user: UserRefOut | None = Field(description="The member, when the target is a user")


class AuditOut(Schema):
    id: int
    actor: UserRefOut | None
    action: str
    target: str
    target_ref: AuditTargetOut
    reason: str
    room: int | None
    ip: str | None
    created_at: str | None


# --- messages --------------------------------------------------------------------------------


@router.post(
    "/messages/{message_id}/hide",
    response={200: HiddenOut, **ERRORS},
    summary="Masquer un message (modérateurs)",
)
def message_hide(request: HttpRequest, message_id: int, payload: ReasonIn) -> dict:
    positive_id(message_id, "message_id")
    message = services.message_hide(
        actor=request.auth, message_id=message_id, reason=payload.reason
    )
    return {"message": message.pk, "deleted_at": iso(message.deleted_at)}


@router.post("/messages/{message_id}/pin", response={200: ChangedOut, **ERRORS}, summary="Épingler")
def message_pin(request: HttpRequest, message_id: int) -> dict:
    positive_id(message_id, "message_id")
    changed = services.message_pin(actor=request.auth, message_id=message_id, pin=True)
    return {"message": message_id, "changed": changed}


@router.delete(
    "/messages/{message_id}/pin", response={200: ChangedOut, **ERRORS}, summary="Désépingler"
)
def message_unpin(request: HttpRequest, message_id: int) -> dict:
    positive_id(message_id, "message_id")
    changed = services.message_pin(actor=request.auth, message_id=message_id, pin=False)
    return {"message": message_id, "changed": changed}


@router.get(
    "/rooms/{room_id}/pins", response={200: list[PinOut], **ERRORS}, summary="Messages épinglés"
)
def room_pins(request: HttpRequest, room_id: int) -> list[dict]:
    positive_id(room_id, "room_id")
    return selectors.pins_for(user=request.auth, room_id=room_id)


@router.post(
    "/messages/{message_id}/move",
    response={200: MoveOut, **ERRORS},
    summary="Déplacer un message, un fil ou la suite (reclassement)",
)
def message_move(request: HttpRequest, message_id: int, payload: MoveIn) -> dict:
    positive_id(message_id, "message_id")
    result = moves.messages_move(
        actor=request.auth,
        message_id=message_id,
        room_id=payload.room,
        scope=payload.scope,
        thread=payload.thread,
        reason=payload.reason,
    )
    return {
        "messages": result.messages,
        "from_room": result.from_room.pk,
        "to_room": result.to_room.pk,
        "thread": result.thread,
    }


# --- members and room ------------------------------------------------------------------------


@router.get(
    "/rooms/{room_id}/moderation",
    response={200: ModerationOut, **ERRORS},
    summary="État de modération d'un salon (modérateurs)",
)
def room_moderation(request: HttpRequest, room_id: int) -> dict:
    positive_id(room_id, "room_id")
    return selectors.moderation_state_for(user=request.auth, room_id=room_id)


@router.patch(
    "/rooms/{room_id}/policy",
    response={200: PolicyOut, **ERRORS},
    summary="Lecture seule, annonces, mode lent",
)
def room_policy(request: HttpRequest, room_id: int, payload: PolicyIn) -> Any:
    positive_id(room_id, "room_id")
    return services.room_policy_set(actor=request.auth, room_id=room_id, **payload.dict())


@router.post(
    "/rooms/{room_id}/mutes", response={200: MuteOut, **ERRORS}, summary="Mettre en sourdine"
)
def member_mute(request: HttpRequest, room_id: int, payload: MuteIn) -> dict:
    positive_id(room_id, "room_id")
    result = services.member_mute(
        actor=request.auth,
        room_id=room_id,
        user_id=payload.user,
        seconds=payload.seconds,
        reason=payload.reason,
    )
    return {"user": result.user, "until": iso(result.until)}


@router.post(
    "/rooms/{room_id}/removals", response={204: None, **ERRORS}, summary="Retirer du salon"
)
def member_remove(request: HttpRequest, room_id: int, payload: UserActionIn) -> Status:
    positive_id(room_id, "room_id")
    services.member_remove(
        actor=request.auth, room_id=room_id, user_id=payload.user, reason=payload.reason
    )
    return Status(204, None)


@router.post("/rooms/{room_id}/bans", response={204: None, **ERRORS}, summary="Exclure")
def member_ban(request: HttpRequest, room_id: int, payload: UserActionIn) -> Status:
    positive_id(room_id, "room_id")
    services.member_remove(
        actor=request.auth, room_id=room_id, user_id=payload.user, reason=payload.reason, ban=True
    )
    return Status(204, None)


@router.delete(
    "/rooms/{room_id}/bans/{user_id}", response={204: None, **ERRORS}, summary="Lever l'exclusion"
)
def member_unban(request: HttpRequest, room_id: int, user_id: int) -> Status:
    positive_id(room_id, "room_id")
    positive_id(user_id, "user_id")
    services.member_unban(actor=request.auth, room_id=room_id, user_id=user_id)
    return Status(204, None)


@router.put(
    "/rooms/{room_id}/members/{user_id}/role",
    response={200: RoleOut, **ERRORS},
    summary="Nommer ou retirer un modérateur (propriétaires)",
)
def member_role(request: HttpRequest, room_id: int, user_id: int, payload: RoleIn) -> dict:
    positive_id(room_id, "room_id")
    positive_id(user_id, "user_id")
    membership = services.member_role_set(
        actor=request.auth, room_id=room_id, user_id=user_id, role=payload.role
    )
    return {"user": membership.user_id, "role": membership.role}


# --- reports ---------------------------------------------------------------------------------


@router.post(
    "/messages/{message_id}/report",
    response={201: ReportOut, **ERRORS},
    summary="Signaler un message",
)
def message_report(request: HttpRequest, message_id: int, payload: ReportIn) -> Status:
    positive_id(message_id, "message_id")
    report = reports.report_create(actor=request.auth, message_id=message_id, reason=payload.reason)
    return Status(201, report_dict(report, for_moderator=False))


@router.get("/reports", response={200: list[ReportOut], **ERRORS}, summary="File de modération")
def report_queue(request: HttpRequest, query: Query[ReportQuery]) -> list[dict]:
    status = None if query.status == "all" else query.status
    return reports.report_list_for(user=request.auth, room_id=query.room, status=status)


@router.get("/reports/mine", response={200: list[ReportOut], **ERRORS}, summary="Mes signalements")
def my_reports(request: HttpRequest) -> list[dict]:
    return reports.reports_of(user=request.auth)


@router.get("/reports/{report_id}", response={200: ReportOut, **ERRORS}, summary="Un signalement")
def report_detail(request: HttpRequest, report_id: int) -> dict:
    positive_id(report_id, "report_id")
    return reports.report_detail_for(user=request.auth, report_id=report_id)


@router.post(
    "/reports/{report_id}/handle",
    response={200: ReportOut, **ERRORS},
    summary="Traiter ou rejeter un signalement",
)
def report_handle(request: HttpRequest, report_id: int, payload: ReportHandleIn) -> dict:
    positive_id(report_id, "report_id")
    report = reports.report_handle(actor=request.auth, report_id=report_id, **payload.dict())
    return report_dict(report, for_moderator=True)


# --- audit -----------------------------------------------------------------------------------


@router.get("/audit", response={200: list[AuditOut], **ERRORS}, summary="Journal d'audit")
def audit_list(request: HttpRequest, query: Query[AuditQuery]) -> list[dict]:
    return audit_list_for(
        user=request.auth,
        room_id=query.room,
        action=query.action,
        actor_id=query.actor,
        since=query.since,
        until=query.until,
        before=query.before,
        limit=query.limit,
    )
