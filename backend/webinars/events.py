"""Typed webinar payloads and one builder per view.

Three audiences, never mixed:
- the room (``question.*`` and ``webinar.*`` room events, seq'd): published questions only, an
  anonymous asker shown as null;
- the hosts (``webinar.host`` frames on each host's user channel): every question with its
  real asker, the moderation state and log;
- the asker (``webinar.mine`` frames): their own question, a dismissal's reason.
Payloads hold JSON primitives only.
"""

from __future__ import annotations

from typing import Any, Literal, TypedDict

from backend.rooms.events import UserRef, iso, user_ref

from .models import ModerationAction, Question, Webinar

RoomEventKind = Literal[
    "webinar.created",
    "webinar.updated",
    "question.published",
    "question.updated",
    "question.removed",
]

HostEventKind = Literal["question.submitted", "question.changed", "action.logged"]


class QuestionPublic(TypedDict):
    id: int
    webinar: int
    body: str
    asker: UserRef | None
    anonymous: bool
    votes: int
    moderation: str
    answer_state: str
    answer: str
    answered_by: UserRef | None
    answered_at: str | None
    pinned: bool
    labels: list[str]
    edited: bool
    created_at: str | None


class QuestionForHosts(QuestionPublic):
    original_body: str
    dismiss_reason: str
    merged_into: int | None
    askers: list[UserRef]


class WebinarOut(TypedDict):
    id: int
    room: int
    title: str
    description: str
    starts_at: str | None
    ends_at: str | None
    state: str
    intake_open: bool
    anonymous_allowed: bool
    premoderation: bool
    max_length: int
    highlighted: int | None
    peak_attendance: int


def question_public(question: Question) -> QuestionPublic:
    return {
        "id": question.pk,
        "webinar": question.webinar_id,
        "body": question.body,
        "asker": None if question.anonymous else user_ref(question.author),
        "anonymous": question.anonymous,
        "votes": question.votes,
        "moderation": question.moderation,
        "answer_state": question.answer_state,
        "answer": question.answer,
        "answered_by": user_ref(question.answered_by) if question.answered_by else None,
        "answered_at": iso(question.answered_at),
        "pinned": question.pinned,
        "labels": list(question.labels),
        "edited": question.edited_at is not None,
        "created_at": iso(question.created_at),
    }


def question_for_asker(question: Question) -> dict[str, Any]:
    """The asker sees their own question (pending or dismissed too) and a dismissal's reason."""
    return {**question_public(question), "dismiss_reason": question.dismiss_reason}


def question_for_hosts(question: Question, askers: list[UserRef] | None = None) -> QuestionForHosts:
    return {
        **question_public(question),
        "asker": user_ref(question.author),
        "original_body": question.original_body,
        "dismiss_reason": question.dismiss_reason,
        "merged_into": question.merged_into_id,
        "askers": askers if askers is not None else [user_ref(question.author)],
    }


def question_removed(question: Question) -> dict[str, Any]:
    return {"id": question.pk, "webinar": question.webinar_id}


def webinar_out(webinar: Webinar) -> WebinarOut:
    return {
        "id": webinar.pk,
        "room": webinar.room_id,
        "title": webinar.title,
        "description": webinar.description,
        "starts_at": iso(webinar.starts_at),
        "ends_at": iso(webinar.ends_at),
        "state": webinar.state,
        "intake_open": webinar.intake_open,
        "anonymous_allowed": webinar.anonymous_allowed,
        "premoderation": webinar.premoderation,
        "max_length": webinar.max_length,
        "highlighted": webinar.highlighted_id,
        "peak_attendance": webinar.peak_attendance,
    }


def action_out(action: ModerationAction) -> dict[str, Any]:
    return {
        "id": action.pk,
        "webinar": action.webinar_id,
        "question": action.question_id,
        "actor": user_ref(action.actor) if action.actor else None,
        "action": action.action,
        "reason": action.reason,
        "data": action.data,
        "created_at": iso(action.created_at),
    }


def host_frame(*, webinar_id: int, event: HostEventKind, data: dict[str, Any]) -> dict[str, Any]:
    return {"type": "webinar.host", "webinar": webinar_id, "event": event, "data": data}


def mine_frame(*, webinar_id: int, event: str, data: dict[str, Any]) -> dict[str, Any]:
    return {"type": "webinar.mine", "webinar": webinar_id, "event": event, "data": data}


def votes_frame(*, room_id: int, webinar_id: int, counts: dict[int, int]) -> dict[str, Any]:
    return {
        "type": "webinar.votes",
        "room": room_id,
        "webinar": webinar_id,
        "counts": {str(k): v for k, v in counts.items()},
    }


def attendance_frame(*, room_id: int, webinar_id: int, count: int, peak: int) -> dict[str, Any]:
    return {
        "type": "webinar.attendance",
        "room": room_id,
        "webinar": webinar_id,
        "count": count,
        "peak": peak,
    }
