"""The consumer's only door to the database: thin async wrappers around backend code.

Each wrapper loads the acting user fresh (a deactivated user acts no more) and calls one
backend service or selector, so the socket behaves exactly like REST.
"""

from __future__ import annotations

from typing import Any

from backend.accounts.models import User
from backend.common.errors import Unauthorized
from backend.messaging import services as messaging
from backend.rooms import selectors as room_selectors
from backend.rooms import services as room_services

from .dbpool import db_call


def _actor(user_id: int) -> User:
    user = User.objects.select_related("organisation").filter(pk=user_id).first()
    if user is None or not user.is_agent:
        raise Unauthorized()
    return user


def _ack_message(result: Any) -> dict[str, Any]:
    return {"id": result.message.pk, "seq": result.message.seq}


@db_call
def socket_rooms(user_id: int) -> list[room_selectors.SocketRoom]:
    return room_selectors.socket_rooms_for(user=_actor(user_id))


@db_call
def member_room(user_id: int, room_id: int) -> room_selectors.SocketRoom | None:
    return room_selectors.member_room_for(user=_actor(user_id), room_id=room_id)


@db_call
def readable_seq(user_id: int, room_id: int) -> int:
    return room_selectors.readable_room_seq(user=_actor(user_id), room_id=room_id)


@db_call
def sync_page(user_id: int, room_id: int, since: int, limit: int) -> tuple[list[dict], bool]:
    return room_selectors.sync_page_for(
        user=_actor(user_id), room_id=room_id, since=since, limit=limit
    )


@db_call
def message_send(user_id: int, **fields: Any) -> dict[str, Any]:
    return _ack_message(messaging.message_send(actor=_actor(user_id), **fields))


@db_call
def message_edit(user_id: int, **fields: Any) -> dict[str, Any]:
    return _ack_message(messaging.message_edit(actor=_actor(user_id), **fields))


@db_call
def message_delete(user_id: int, **fields: Any) -> dict[str, Any]:
    return _ack_message(messaging.message_delete(actor=_actor(user_id), **fields))


@db_call
def read_mark(user_id: int, room_id: int, seq: int) -> int:
    return room_services.read_mark(actor=_actor(user_id), room_id=room_id, seq=seq)


@db_call
def thread_read_mark(user_id: int, room_id: int, root_id: int, seq: int) -> int:
    return messaging.thread_read_mark(
        actor=_actor(user_id), root_id=root_id, seq=seq, room_id=room_id
    )


@db_call
def reaction(user_id: int, message_id: int, emoji: Any, *, add: bool) -> bool:
    service = messaging.reaction_add if add else messaging.reaction_remove
    return service(actor=_actor(user_id), message_id=message_id, emoji=emoji).changed


@db_call
def moderate(
    user_id: int, action: str, frame: dict[str, Any], ip: str | None = None
) -> dict[str, Any]:
    """The moderation frames: one service each, the same as the REST endpoints."""
    from backend.audit.context import current_ip

    token = current_ip.set(ip)  # the audit trail records the socket's address
    try:
        return _moderate(user_id, action, frame)
    finally:
        current_ip.reset(token)


def _moderate(user_id: int, action: str, frame: dict[str, Any]) -> dict[str, Any]:
    from backend.moderation import moves, reports
    from backend.moderation import services as moderation

    actor = _actor(user_id)
    message_id = frame.get("message")
    if action == "message.hide":
        message = moderation.message_hide(
            actor=actor, message_id=message_id, reason=frame.get("reason")
        )
        return {"message": message.pk}
    if action in ("message.pin", "message.unpin"):
        changed = moderation.message_pin(
            actor=actor, message_id=message_id, pin=action == "message.pin"
        )
        return {"message": message_id, "changed": changed}
    if action == "message.report":
        report = reports.report_create(
            actor=actor, message_id=message_id, reason=frame.get("reason")
        )
        return {"report": report.pk}
    result = moves.messages_move(
        actor=actor,
        message_id=message_id,
        room_id=frame.get("room"),
        scope=frame.get("scope", "message"),
        thread=frame.get("thread"),
        reason=frame.get("reason"),
    )
    return {"messages": result.messages, "room": result.to_room.pk}


# --- webinars ---------------------------------------------------------------------------------


@db_call
def webinar_attend(user_id: int, webinar_id: int) -> tuple[int, int | None]:
    """The room of a webinar the user may attend, and the room's seq when they may read it
    (a host who may not read the room gets the hosts' frames, not the room's events)."""
    from backend.common.errors import NotFound
    from backend.webinars.access import access_webinar

    actor = _actor(user_id)
    webinar, _host = access_webinar(actor=actor, webinar_id=webinar_id)
    try:
        seq = room_selectors.readable_room_seq(user=actor, room_id=webinar.room_id)
    except NotFound:
        return webinar.room_id, None
    return webinar.room_id, seq


@db_call
def webinar_peak(webinar_id: int, count: int) -> int:
    from backend.webinars.services import attendance_peak_record

    return attendance_peak_record(webinar_id=webinar_id, count=count)


@db_call
def question_ask(user_id: int, **fields: Any) -> dict[str, Any]:
    from backend.webinars import services as webinars

    question = webinars.question_ask(actor=_actor(user_id), **fields).question
    return {"id": question.pk, "moderation": question.moderation}


@db_call
def question_vote(user_id: int, question_id: int, vote: bool) -> dict[str, Any]:
    from backend.webinars import services as webinars

    result = webinars.question_vote(actor=_actor(user_id), question_id=question_id, vote=vote)
    return {"question": result.question_id, "voted": result.voted, "changed": result.changed}


@db_call
def question_moderate(user_id: int, **fields: Any) -> dict[str, Any]:
    from backend.webinars import services as webinars

    question = webinars.question_moderate(actor=_actor(user_id), **fields).question
    return {"question": question.pk, "moderation": question.moderation}
