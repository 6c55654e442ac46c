"""Between the Q&A and the room's chat: promote a message, send an answer back, and keep the
Q&A as a thread of the room once the webinar has ended."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from backend.accounts.models import User
from backend.common.errors import Conflict, NotFound, TooLarge
from backend.messaging import services as messaging
from backend.messaging.models import Message
from backend.rooms.access import access_room_readable

from .. import events
from ..access import access_question, access_webinar, require_role
from ..models import Question, Webinar
from .common import log_action, to_user
from .questions import QuestionResult, askers_of, question_ask


def question_promote(*, actor: User, webinar_id: int, message_id: int) -> QuestionResult:
    """A host turns a chat message of the webinar's room into a published question."""
    webinar, host = access_webinar(actor=actor, webinar_id=webinar_id)
    require_role(host=host, action="promote")
    access_room_readable(actor=actor, room_id=webinar.room_id)
    message = (
        Message.objects.select_related("author")
        .filter(pk=message_id, room_id=webinar.room_id, deleted_at__isnull=True)
        .first()
    )
    if message is None:
        raise NotFound()
    if Question.objects.filter(webinar=webinar, message=message).exists():
        raise Conflict(_("Ce message est déjà une question."), reason="already_promoted")
    if len(message.body) > webinar.max_length:
        raise TooLarge(_("Ce message dépasse la longueur permise pour une question."))
    return question_ask(
        actor=actor,
        webinar_id=webinar.pk,
        body=message.body,
        author=message.author,
        message_id=message.pk,
    )


def _asker_name(question: Question) -> str:
    return _("Anonyme") if question.anonymous else question.author.name


def _quote(text: str) -> str:
    return "\n".join("> " + line for line in text.splitlines() or [""])


def qa_text(question: Question) -> str:
    parts = [
        _("**Question** de %(asker)s (%(votes)d votes) :")
        % {
            "asker": _asker_name(question),
            "votes": question.votes,
        },
        _quote(question.body or _("(question effacée par son auteur)")),
    ]
    if question.answer:
        parts += ["", _("**Réponse** :"), _quote(question.answer)]
    elif question.answer_state == Question.Answer.ANSWERED:
        parts += ["", _("Répondue en direct.")]
    else:
        parts += ["", _("Pas encore de réponse.")]
    return "\n".join(parts)


@transaction.atomic
def question_to_chat(*, actor: User, question_id: int) -> Message:
    """Post an answered question with its answer in the room's chat, as the host."""
    question, webinar, host = access_question(actor=actor, question_id=question_id)
    require_role(host=host, action="to_chat")
    if question.answer_state != Question.Answer.ANSWERED:
        raise Conflict(_("La question n'a pas encore de réponse."), reason="not_answered")
    message = messaging.message_send(
        actor=actor,
        room_id=webinar.room_id,
        body=qa_text(question),
        meta={"webinar": webinar.pk, "question": question.pk},
    ).message
    log_action(webinar=webinar, actor=actor, action="to_chat", question=question)
    return message


def qa_thread_open(*, webinar: Webinar, actor: User) -> None:
    """At the end of a webinar: a thread in its room holding every published question."""
    root = messaging.message_send(
        actor=actor,
        room_id=webinar.room_id,
        body=_("Questions-réponses du webinaire « %(title)s »") % {"title": webinar.title},
        meta={"webinar": webinar.pk},
        authorized=True,
    ).message
    webinar.thread_root = root
    Webinar.objects.filter(pk=webinar.pk).update(thread_root=root)
    published = (
        Question.objects.filter(webinar=webinar, moderation=Question.Moderation.PUBLISHED)
        .select_related("author")
        .order_by("-votes", "created_at")
    )
    for question in published:
        messaging.message_send(
            actor=actor,
            room_id=webinar.room_id,
            body=qa_text(question),
            thread=root.pk,
            meta={"webinar": webinar.pk, "question": question.pk},
            authorized=True,
        )


def answered_after(*, question: Question, actor: User) -> None:
    """Tell every asker their question is answered; after the end, add it to the Q&A thread."""
    webinar = question.webinar
    frame_data = events.question_for_asker(question)
    for asker in askers_of(question):
        to_user(
            user_id=asker["id"],
            frame=events.mine_frame(
                webinar_id=webinar.pk, event="question.answered", data=frame_data
            ),
        )
    if webinar.state == Webinar.State.ENDED and webinar.thread_root_id is not None:
        messaging.message_send(
            actor=actor,
            room_id=webinar.room_id,
            body=qa_text(question),
            thread=webinar.thread_root_id,
            meta={"webinar": webinar.pk, "question": question.pk},
            authorized=True,
        )


def qa_messages_refresh(*, question_ids: list[int]) -> int:
    """Render again the Q&A messages that quote these questions (account erasure: the asker
    renamed "Ancien membre", or the question's words erased). Returns how many changed."""
    quoting = Message.objects.filter(
        meta__question__in=question_ids, deleted_at__isnull=True
    ).order_by("pk")
    questions = Question.objects.select_related("author").in_bulk(question_ids)
    changed = 0
    for message in quoting:
        question = questions.get(message.meta.get("question"))
        if question is None or message.meta.get("webinar") != question.webinar_id:
            continue
        with translation.override(settings.LANGUAGE_CODE):  # the room's words, not the caller's
            body = qa_text(question)
        changed += messaging.message_rewrite(message_id=message.pk, body=body)
    return changed
