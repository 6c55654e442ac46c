"""Questions: ask, moderate (approve, dismiss, restore, edit, pin, label, merge), answer, highlight.

Every change reaches three audiences at most, each with what it may see: the hosts (every
question, with the real asker), the room (published questions only, anonymous askers hidden)
and the asker (their own question, a dismissal's reason).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.accounts.models import User
from backend.common.errors import BadRequest, Conflict, Forbidden, NotFound
from backend.rooms.events import user_ref

from .. import events
from ..access import access_question, access_webinar, require_role
from ..models import Host, Question, Vote, Webinar
from ..states import ANSWER_MOVES, MODERATION_MOVES
from .common import REASON_MAX, clean_labels, clean_text, log_action, to_hosts, to_room, to_user

ANSWER_MAX = 5000  # with a 2,000-character question, fits one chat message

P = Question.Moderation.PUBLISHED


@dataclass(frozen=True)
class QuestionResult:
    question: Question
    changed: bool = True


def askers_of(question: Question) -> list[events.UserRef]:
    """The asker and the askers of the duplicates merged into this question."""
    merged = Question.objects.filter(merged_into=question).select_related("author")
    refs = [user_ref(question.author)]
    for other in merged:
        if other.author_id not in {r["id"] for r in refs}:
            refs.append(user_ref(other.author))
    return refs


def _hosts_view(question: Question) -> dict[str, Any]:
    return dict(events.question_for_hosts(question, askers_of(question)))


def _announce(question: Question, webinar: Webinar, *, before: str) -> None:
    """Tell each audience what changed; ``before`` is the moderation state before the change."""
    to_hosts(webinar_id=webinar.pk, event="question.changed", data=_hosts_view(question))
    now_public = question.moderation == P
    if now_public and before != P:
        to_room(
            webinar=webinar, kind="question.published", data=dict(events.question_public(question))
        )
    elif now_public:
        to_room(
            webinar=webinar, kind="question.updated", data=dict(events.question_public(question))
        )
    elif before == P:
        to_room(webinar=webinar, kind="question.removed", data=events.question_removed(question))
    to_user(
        user_id=question.author_id,
        frame=events.mine_frame(
            webinar_id=webinar.pk,
            event="question.changed",
            data=events.question_for_asker(question),
        ),
    )


def _lock_question(question_id: int) -> Question:
    return (
        Question.objects.select_for_update(of=("self",))
        .select_related("author", "answered_by", "webinar__room")
        .get(pk=question_id)
    )


@transaction.atomic
def question_ask(
    *,
    actor: User,
    webinar_id: int,
    body: Any,
    anonymous: Any = False,
    message_id: int | None = None,
    author: User | None = None,
) -> QuestionResult:
    """Ask a question (pending under pre-moderation, else published at once).

    ``author``/``message_id``: a host promoting someone's chat message (checked by the caller).
    """
    if not isinstance(anonymous, bool):
        raise BadRequest(_("« anonymous » doit être un booléen."))
    webinar, host = access_webinar(actor=actor, webinar_id=webinar_id)
    body = clean_text(body, name="body", limit=webinar.max_length)
    if webinar.state == Webinar.State.ENDED:
        raise Conflict(_("Ce webinaire est terminé."), reason="webinar_ended")
    if not webinar.intake_open and host is None:
        raise Conflict(_("Les questions sont fermées."), reason="intake_closed")
    if anonymous and not webinar.anonymous_allowed:
        raise Forbidden(_("Les questions anonymes ne sont pas permises."), reason="no_anonymous")
    published = not webinar.premoderation or author is not None
    question = Question.objects.create(
        webinar=webinar,
        author=author or actor,
        body=body,
        anonymous=anonymous,
        moderation=P if published else Question.Moderation.PENDING,
        message_id=message_id,
    )
    question = _lock_question(question.pk)
    to_hosts(webinar_id=webinar.pk, event="question.submitted", data=_hosts_view(question))
    if published:
        to_room(
            webinar=webinar,
            kind="question.published",
            data=dict(events.question_public(question)),
        )
    to_user(
        user_id=question.author_id,
        frame=events.mine_frame(
            webinar_id=webinar.pk,
            event="question.changed",
            data=events.question_for_asker(question),
        ),
    )
    if author is not None:
        log_action(webinar=webinar, actor=actor, action="promote", question=question)
    return QuestionResult(question=question)


def _host_action(actor: User, question_id: int, action: str) -> tuple[Question, Webinar, Host]:
    question, webinar, host = access_question(actor=actor, question_id=question_id)
    host = require_role(host=host, action=action)
    return _lock_question(question.pk), webinar, host


@transaction.atomic
def question_moderate(
    *, actor: User, question_id: int, action: str, reason: Any = None
) -> QuestionResult:
    """approve (pending → published), dismiss (pending/published → dismissed), restore."""
    if action not in MODERATION_MOVES:
        raise BadRequest(_("Action de modération inconnue."))
    reason = clean_text(reason, name="reason", limit=REASON_MAX, required=False)
    question, webinar, _host = _host_action(actor, question_id, action)
    if question.merged_into_id is not None:
        raise Conflict(_("Cette question a été fusionnée."), reason="merged")
    moves = MODERATION_MOVES[action]
    before = question.moderation
    if before not in moves:
        raise Conflict(
            _("Impossible depuis l'état « %(state)s ».")
            % {"state": Question.Moderation(before).label},
            reason="bad_transition",
        )
    question.moderation = moves[before]
    question.dismiss_reason = reason if action == "dismiss" else ""
    question.save(update_fields=["moderation", "dismiss_reason"])
    if action == "dismiss":
        _unhighlight(webinar, question)
    _announce(question, webinar, before=before)
    log_action(webinar=webinar, actor=actor, action=action, question=question, reason=reason)
    return QuestionResult(question=question)


def _unhighlight(webinar: Webinar, question: Question) -> None:
    updated = Webinar.objects.filter(pk=webinar.pk, highlighted=question).update(highlighted=None)
    if updated:
        webinar.highlighted = None
        to_room(webinar=webinar, kind="webinar.updated", data=dict(events.webinar_out(webinar)))


def _require_published(question: Question) -> None:
    if question.moderation != P:
        raise Conflict(_("La question n'est pas publiée."), reason="not_published")


@transaction.atomic
def question_answer_state(*, actor: User, question_id: int, state: Any) -> QuestionResult:
    """open → answering (answered live, now) → answered; back to open to correct a mistake."""
    if state not in ANSWER_MOVES:
        raise BadRequest(_("« state » vaut open, answering ou answered."))
    question, webinar, _host = _host_action(actor, question_id, "answer_state")
    _require_published(question)
    if question.answer_state not in ANSWER_MOVES[state]:
        raise Conflict(
            _("Impossible depuis l'état « %(state)s ».")
            % {"state": Question.Answer(question.answer_state).label},
            reason="bad_transition",
        )
    _set_answer_state(question, state, actor)
    if state == Question.Answer.ANSWERING:
        _highlight(webinar, question)
    _announce(question, webinar, before=P)
    log_action(webinar=webinar, actor=actor, action=f"answer_state:{state}", question=question)
    return QuestionResult(question=question)


def _set_answer_state(question: Question, state: str, actor: User) -> None:
    was_answered = question.answer_state == Question.Answer.ANSWERED
    question.answer_state = state
    if state == Question.Answer.ANSWERED:
        question.answered_by = actor
        question.answered_at = timezone.now()
    elif state == Question.Answer.OPEN:
        question.answered_by = None
        question.answered_at = None
    question.save(update_fields=["answer_state", "answered_by", "answered_at"])
    if state == Question.Answer.ANSWERED and not was_answered:
        from .bridge import answered_after

        answered_after(question=question, actor=actor)


@transaction.atomic
def question_answer(*, actor: User, question_id: int, answer: Any) -> QuestionResult:
    """A written answer: the question becomes answered (also after the webinar has ended)."""
    answer = clean_text(answer, name="answer", limit=ANSWER_MAX)
    question, webinar, _host = _host_action(actor, question_id, "answer")
    _require_published(question)
    question.answer = answer
    question.save(update_fields=["answer"])
    _set_answer_state(question, Question.Answer.ANSWERED, actor)
    _announce(question, webinar, before=P)
    log_action(webinar=webinar, actor=actor, action="answer", question=question)
    return QuestionResult(question=question)


@transaction.atomic
def question_edit(*, actor: User, question_id: int, body: Any) -> QuestionResult:
    """A moderator rewords a question; the asker's first words are kept."""
    question, webinar, _host = _host_action(actor, question_id, "edit")
    body = clean_text(body, name="body", limit=webinar.max_length)
    if body == question.body:
        return QuestionResult(question=question, changed=False)
    if not question.original_body:
        question.original_body = question.body
    question.body = body
    question.edited_by = actor
    question.edited_at = timezone.now()
    question.save(update_fields=["body", "original_body", "edited_by", "edited_at"])
    _announce(question, webinar, before=question.moderation)
    log_action(webinar=webinar, actor=actor, action="edit", question=question)
    return QuestionResult(question=question)


@transaction.atomic
def question_flags(
    *, actor: User, question_id: int, pinned: Any = None, labels: Any = None
) -> QuestionResult:
    if pinned is not None and not isinstance(pinned, bool):
        raise BadRequest(_("« pinned » doit être un booléen."))
    clean = clean_labels(labels) if labels is not None else None
    question, webinar, _host = _host_action(
        actor, question_id, "pin" if pinned is not None else "label"
    )
    if pinned is None and clean is None:
        raise BadRequest(_("Indiquez « pinned » ou « labels »."))
    changed = {}
    if pinned is not None and pinned != question.pinned:
        question.pinned = pinned
        changed["pinned"] = pinned
    if clean is not None and clean != question.labels:
        question.labels = clean
        changed["labels"] = clean
    if not changed:
        return QuestionResult(question=question, changed=False)
    question.save(update_fields=["pinned", "labels"])
    _announce(question, webinar, before=question.moderation)
    log_action(webinar=webinar, actor=actor, action="flags", question=question, data=changed)
    return QuestionResult(question=question)


@transaction.atomic
def question_highlight(*, actor: User, webinar_id: int, question_id: int | None) -> Webinar:
    """Put one published question on screen (the presenter view), or none."""
    webinar, host = access_webinar(actor=actor, webinar_id=webinar_id)
    require_role(host=host, action="highlight")
    webinar = Webinar.objects.select_for_update().select_related("room").get(pk=webinar.pk)
    if webinar.state == Webinar.State.ENDED:
        raise Conflict(_("Ce webinaire est terminé."), reason="webinar_ended")
    question = None
    if question_id is not None:
        question = Question.objects.filter(pk=question_id, webinar=webinar).first()
        if question is None:
            raise NotFound()
        _require_published(question)
    _highlight(webinar, question)
    log_action(webinar=webinar, actor=actor, action="highlight", question=question)
    return webinar


def _highlight(webinar: Webinar, question: Question | None) -> None:
    if webinar.highlighted_id == (question.pk if question else None):
        return
    webinar.highlighted = question
    Webinar.objects.filter(pk=webinar.pk).update(highlighted=question)
    to_room(webinar=webinar, kind="webinar.updated", data=dict(events.webinar_out(webinar)))


@transaction.atomic
def question_merge(*, actor: User, question_id: int, into_id: int) -> QuestionResult:
    """Merge a duplicate into another question: voters united (counted once), askers kept,
    the duplicate leaves the audience's list."""
    if question_id == into_id:
        raise BadRequest(_("Une question ne peut pas être fusionnée avec elle-même."))
    source, webinar, _host = _host_action(actor, question_id, "merge")
    target = Question.objects.filter(pk=into_id, webinar=webinar).first()
    if target is None:
        raise NotFound()
    # Lock both rows in id order so two crossed merges cannot deadlock.
    first, second = sorted([source.pk, target.pk])
    _lock_question(first)
    _lock_question(second)
    source.refresh_from_db()
    target = _lock_question(target.pk)
    if source.merged_into_id is not None or target.merged_into_id is not None:
        raise Conflict(_("Cette question a déjà été fusionnée."), reason="merged")
    if target.moderation != P:
        raise Conflict(_("La question cible n'est pas publiée."), reason="not_published")
    target_voters = Vote.objects.filter(question=target).values("user_id")
    moved = list(
        Vote.objects.filter(question=source)
        .exclude(user_id__in=target_voters)
        .values_list("user_id", flat=True)
    )
    Vote.objects.bulk_create([Vote(question=target, user_id=uid) for uid in moved])
    Question.objects.filter(pk=target.pk).update(votes=F("votes") + len(moved))
    Vote.objects.filter(question=source).delete()
    before = source.moderation
    source.merged_into = target
    source.moderation = Question.Moderation.DISMISSED
    source.votes = 0
    source.save(update_fields=["merged_into", "moderation", "votes"])
    _unhighlight(webinar, source)
    target.refresh_from_db()
    _announce(source, webinar, before=before)
    _announce(target, webinar, before=P)
    log_action(
        webinar=webinar, actor=actor, action="merge", question=source, data={"into": target.pk}
    )
    return QuestionResult(question=target)
