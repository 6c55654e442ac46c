"""Reads: the agenda, a webinar's questions for each audience, the moderation log, exports."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet

from backend.accounts.models import User
from backend.rooms.access import readable_rooms_q
from backend.rooms.events import iso, user_ref

from . import events
from .access import access_webinar, require_role
from .models import FeedToken, Host, ModerationAction, Question, Registration, Vote, Webinar


def visible_webinars(user: User) -> QuerySet[Webinar]:
    if not user.is_agent:
        return Webinar.objects.none()
    readable = Q(room__in=_readable_room_ids(user)) | Q(hosts__user=user)
    return Webinar.objects.filter(readable).distinct()


def _readable_room_ids(user: User) -> Any:
    from backend.rooms.models import Room

    return Room.objects.filter(readable_rooms_q(user)).values("pk")


def agenda_for(*, user: User, include_ended: bool = False) -> list[dict[str, Any]]:
    """Webinars the user may attend, soonest first (upcoming and live; ended on request)."""
    qs = visible_webinars(user).select_related("room")
    if not include_ended:
        qs = qs.exclude(state=Webinar.State.ENDED)
    webinars = list(
        qs.annotate(n_reg=Count("registrations", distinct=True)).order_by("starts_at", "pk")
    )
    ids = [w.pk for w in webinars]
    roles = dict(
        Host.objects.filter(webinar_id__in=ids, user=user).values_list("webinar_id", "role")
    )
    mine = set(
        Registration.objects.filter(webinar_id__in=ids, user=user).values_list(
            "webinar_id", flat=True
        )
    )
    return [
        {
            **events.webinar_out(w),
            "room_name": w.room.name,
            "role": roles.get(w.pk),
            "registered": w.pk in mine,
            "registrations": w.n_reg,
        }
        for w in webinars
    ]


def webinar_detail_for(*, user: User, webinar_id: int) -> dict[str, Any]:
    webinar, host = access_webinar(actor=user, webinar_id=webinar_id)
    return {
        **events.webinar_out(webinar),
        "room_name": webinar.room.name,
        "role": host.role if host else None,
        "registered": Registration.objects.filter(webinar=webinar, user=user).exists(),
        "registrations": Registration.objects.filter(webinar=webinar).count(),
        "hosts": [
            {**user_ref(h.user), "role": h.role}
            for h in Host.objects.filter(webinar=webinar).select_related("user").order_by("pk")
        ],
    }


@dataclass(frozen=True)
class QuestionList:
    questions: list[dict[str, Any]]
    voted: list[int]


def _askers_map(questions: list[Question]) -> dict[int, list[events.UserRef]]:
    ids = [q.pk for q in questions]
    merged = Question.objects.filter(merged_into_id__in=ids).select_related("author").order_by("pk")
    result = {q.pk: [user_ref(q.author)] for q in questions}
    for other in merged:
        refs = result[other.merged_into_id]
        if other.author_id not in {r["id"] for r in refs}:
            refs.append(user_ref(other.author))
    return result


def questions_for(
    *, user: User, webinar_id: int, sort: str = "votes", moderation: str | None = None
) -> QuestionList:
    """Hosts get every question (optionally of one moderation state) with real askers; anyone
    else gets published questions and their own, anonymous askers hidden."""
    webinar, host = access_webinar(actor=user, webinar_id=webinar_id)
    qs = Question.objects.filter(webinar=webinar, merged_into__isnull=True).select_related(
        "author", "answered_by"
    )
    if host is None:
        qs = qs.filter(Q(moderation=Question.Moderation.PUBLISHED) | Q(author=user))
    if moderation is not None:
        qs = qs.filter(moderation=moderation)
    order = ["-pinned", "-votes", "created_at", "pk"] if sort == "votes" else ["created_at", "pk"]
    questions = list(qs.order_by(*order))
    if host is not None:
        askers = _askers_map(questions)
        views = [dict(events.question_for_hosts(q, askers[q.pk])) for q in questions]
    else:
        views = [
            events.question_for_asker(q)
            if q.author_id == user.pk
            else dict(events.question_public(q))
            for q in questions
        ]
    voted = list(
        Vote.objects.filter(question__in=questions, user=user).values_list("question_id", flat=True)
    )
    return QuestionList(questions=views, voted=sorted(voted))


def actions_for(*, user: User, webinar_id: int) -> list[dict[str, Any]]:
    webinar, host = access_webinar(actor=user, webinar_id=webinar_id)
    require_role(host=host, action="log")
    return [
        events.action_out(a)
        for a in ModerationAction.objects.filter(webinar=webinar)
        .select_related("actor")
        .order_by("created_at", "pk")
    ]


def export_rows_for(*, user: User, webinar_id: int) -> tuple[Webinar, list[Question]]:
    """Every question of the webinar (any state) for the hosts' export, most voted first."""
    webinar, host = access_webinar(actor=user, webinar_id=webinar_id)
    require_role(host=host, action="log")
    questions = list(
        Question.objects.filter(webinar=webinar)
        .select_related("author", "answered_by", "edited_by")
        .order_by("-votes", "created_at", "pk")
    )
    return webinar, questions


# --- calendar feeds --------------------------------------------------------------------------


def my_webinars(*, user: User) -> QuerySet[Webinar]:
    """The webinars on a user's calendar: registered or hosted, and still visible to them."""
    mine = Webinar.objects.filter(registrations__user=user) | Webinar.objects.filter(
        hosts__user=user
    )
    return (
        visible_webinars(user)
        .filter(pk__in=mine.values("pk"))
        .select_related("room")
        .order_by("starts_at", "pk")
    )


def room_webinars(*, room_id: int) -> QuerySet[Webinar]:
    """Every webinar of a room (the caller has checked the room is readable)."""
    return (
        Webinar.objects.filter(room_id=room_id).select_related("room").order_by("starts_at", "pk")
    )


def feed_owner(*, secret: str) -> User | None:
    """The agent whose secret feed URL this is; None for an unknown, rotated or revoked one."""
    from backend.accounts.services import token_digest

    if not secret or len(secret) > 100:
        return None
    record = (
        FeedToken.objects.select_related("user", "user__organisation")
        .filter(digest=token_digest(secret))
        .first()
    )
    if record is None or not record.user.is_agent:
        return None
    return record.user


def feed_status_for(*, user: User) -> dict[str, Any]:
    record = FeedToken.objects.filter(user=user).first()
    if record is None:
        return {"exists": False, "prefix": None, "created_at": None}
    return {
        "exists": True,
        "prefix": record.prefix,
        "created_at": events.iso(record.created_at),
    }


def _webinar_ref(webinar: Webinar) -> dict[str, Any]:
    return {"id": webinar.pk, "title": webinar.title, "starts_at": iso(webinar.starts_at)}


def webinar_data_for_export(user: User) -> dict[str, Any]:
    """A person's own webinar data (their data export): registrations, roles, the questions
    they asked in their own words, which questions they voted for, their calendar link.
    Nobody else's question or answer."""
    registrations = Registration.objects.filter(user=user).select_related("webinar").order_by("pk")
    hosted = Host.objects.filter(user=user).select_related("webinar").order_by("pk")
    questions = Question.objects.filter(author=user).select_related("webinar").order_by("pk")
    votes = Vote.objects.filter(user=user).select_related("question").order_by("pk")
    feed = FeedToken.objects.filter(user=user).first()
    return {
        "registrations": [
            {"webinar": _webinar_ref(r.webinar), "registered_at": iso(r.created_at)}
            for r in registrations
        ],
        "hosted": [{"webinar": _webinar_ref(h.webinar), "role": h.role} for h in hosted],
        "questions": [
            {
                "id": q.pk,
                "webinar": _webinar_ref(q.webinar),
                "body": q.original_body or q.body,
                "edited_by_host": q.edited_at is not None,
                "anonymous": q.anonymous,
                "moderation": q.moderation,
                "dismiss_reason": q.dismiss_reason,
                "answer_state": q.answer_state,
                "votes": q.votes,
                "created_at": iso(q.created_at),
            }
            for q in questions
        ],
        "votes": [
            {
                "question": v.question_id,
                "webinar": v.question.webinar_id,
                "voted_at": iso(v.created_at),
            }
            for v in votes
        ],
        # Never the secret itself: only a digest is kept.
        "calendar_feed": (
            {"prefix": feed.prefix, "created_at": iso(feed.created_at)} if feed else None
        ),
    }
