"""A person's webinar data at account erasure (``backend.privacy.services.account_erase``).

In both modes the person's registrations, host roles and calendar link go. With
``delete`` (``PREAU_ERASURE``), their questions are erased the way their messages are: the
words blanked (stored and in the room's replayed events), the question withdrawn from the
room, and their votes taken back from the counts.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import F
from django.db.models.functions import Greatest

from backend.accounts.models import User
from backend.rooms.models import RoomEvent

from .. import events
from ..models import FeedToken, Host, Question, Registration, Vote
from .common import log_action, to_hosts, to_room
from .questions import _hosts_view, _lock_question, _unhighlight

P = Question.Moderation.PUBLISHED


def webinar_ties_end(*, user: User) -> None:
    """Registrations, host roles and the secret calendar link: gone in both modes."""
    Registration.objects.filter(user=user).delete()
    Host.objects.filter(user=user).delete()
    FeedToken.objects.filter(user=user).delete()


def _question_erase(question_id: int) -> None:
    question = _lock_question(question_id)
    webinar = question.webinar
    before = question.moderation
    # Earlier room events about the question no longer carry its words on replay.
    for event in RoomEvent.objects.filter(
        room_id=webinar.room_id,
        kind__in=("question.published", "question.updated"),
        data__id=question.pk,
        data__webinar=webinar.pk,
    ):
        event.data = {**event.data, "body": "", "deleted": True}
        event.save(update_fields=["data"])
    question.body = ""
    question.original_body = ""
    question.moderation = Question.Moderation.DISMISSED
    question.dismiss_reason = ""
    question.pinned = False
    question.labels = []
    question.save(
        update_fields=["body", "original_body", "moderation", "dismiss_reason", "pinned", "labels"]
    )
    _unhighlight(webinar, question)
    if before == P:
        to_room(webinar=webinar, kind="question.removed", data=events.question_removed(question))
    to_hosts(webinar_id=webinar.pk, event="question.changed", data=_hosts_view(question))
    log_action(webinar=webinar, actor=None, action="erase", question=question)


def _votes_take_back(user: User) -> None:
    from ..coalesce import votes_changed

    votes = list(Vote.objects.filter(user=user).select_related("question__webinar"))
    for vote in votes:
        question = vote.question
        Question.objects.filter(pk=question.pk).update(votes=Greatest(F("votes") - 1, 0))
        webinar_id, room_id = question.webinar_id, question.webinar.room_id
        transaction.on_commit(
            lambda w=webinar_id, r=room_id, q=question.pk: votes_changed(
                webinar_id=w, room_id=r, question_id=q
            )
        )
    Vote.objects.filter(pk__in=[v.pk for v in votes]).delete()


@transaction.atomic
def webinar_content_erase(*, user: User) -> int:
    """``delete`` mode: erase the person's questions and take back their votes.

    Returns the number of questions erased."""
    _votes_take_back(user)
    ids = list(
        Question.objects.filter(author=user)
        .exclude(body="", original_body="", moderation=Question.Moderation.DISMISSED)
        .values_list("pk", flat=True)
    )
    for question_id in ids:
        _question_erase(question_id)
    return len(ids)


def webinar_quotes_refresh(*, user: User, erased: bool) -> int:
    """After the person is renamed: the Q&A messages quoting their questions name them
    "Ancien membre" (anonymous questions named no one) or, with ``erased``, quote nothing."""
    from .bridge import qa_messages_refresh

    asked = Question.objects.filter(author=user)
    if not erased:
        asked = asked.filter(anonymous=False)
    return qa_messages_refresh(question_ids=list(asked.values_list("pk", flat=True)))
