"""Upvotes: one per agent per published question, toggled, counted in the voter's transaction."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.accounts.models import User
from backend.common.errors import Conflict

from ..access import access_question
from ..models import Question, Vote, Webinar


@dataclass(frozen=True)
class VoteResult:
    question_id: int
    voted: bool
    changed: bool


def _refuse_if_closed(question: Question, webinar: Webinar) -> None:
    if question.moderation != Question.Moderation.PUBLISHED:
        raise Conflict(_("On ne vote que pour une question publiée."), reason="not_published")
    if webinar.state == Webinar.State.ENDED:
        raise Conflict(_("Ce webinaire est terminé."), reason="webinar_ended")


_INSERT_VOTE = (
    "INSERT INTO webinars_vote (question_id, user_id, created_at) VALUES (%s, %s, %s) "
    "ON CONFLICT (question_id, user_id) DO NOTHING RETURNING id"
)
assert Vote._meta.db_table == "webinars_vote"  # noqa: S101 - the statement above names it


def _insert_vote(*, question_id: int, user_id: int) -> bool:
    """Insert a vote unless there is one; one statement, no savepoint (the hot path of a
    thousand attendees voting at once). PostgreSQL and SQLite both speak ON CONFLICT."""
    with connection.cursor() as cursor:
        cursor.execute(_INSERT_VOTE, [question_id, user_id, timezone.now()])
        return cursor.fetchone() is not None


def question_vote(*, actor: User, question_id: int, vote: bool) -> VoteResult:
    """Add or withdraw the actor's upvote; doing it twice changes nothing.

    The unique (question, user) constraint is the last word against a double vote from two
    concurrent requests; the count moves only with a row actually inserted or deleted, and only
    while the question is published (checked again by the conditional UPDATE).
    """
    question, webinar, _host = access_question(actor=actor, question_id=question_id)
    _refuse_if_closed(question, webinar)
    with transaction.atomic():
        if vote:
            if not _insert_vote(question_id=question.pk, user_id=actor.pk):
                return VoteResult(question_id=question.pk, voted=True, changed=False)
            delta = 1
        else:
            deleted, _n = Vote.objects.filter(question_id=question.pk, user=actor).delete()
            if not deleted:
                return VoteResult(question_id=question.pk, voted=False, changed=False)
            delta = -1
        updated = Question.objects.filter(
            pk=question.pk, moderation=Question.Moderation.PUBLISHED
        ).update(votes=F("votes") + delta)
        if not updated:  # dismissed meanwhile: undo
            raise Conflict(_("On ne vote que pour une question publiée."), reason="not_published")
        from ..coalesce import votes_changed

        transaction.on_commit(
            lambda: votes_changed(
                webinar_id=webinar.pk, room_id=webinar.room_id, question_id=question.pk
            )
        )
    return VoteResult(question_id=question.pk, voted=vote, changed=True)
