"""Webinar services: what each audience receives, votes, merges, the bridge with the chat."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection

from backend.common.errors import Conflict, NotFound
from backend.messaging.models import Message
from backend.webinars import services
from backend.webinars.models import ModerationAction, Question, Vote, Webinar
from tests.backend.conftest import send

from .conftest import ask, make_webinar, set_state

pytestmark = pytest.mark.django_db


def frames_for(sent: list[tuple[str, dict[str, Any]]], *, user=None, room=None) -> list[dict]:  # type: ignore[no-untyped-def]
    out = []
    for channel, payload in sent:
        kind, ident = channel.split(":")[-2:]
        if user is not None and kind == "user" and int(ident) == user.pk:
            if payload.get("control") == "frame":
                out.append(payload["frame"])
        if room is not None and kind == "room" and int(ident) == room.pk:
            out.append(payload)
    return out


def test_a_pending_question_reaches_the_hosts_and_its_asker_only(
    webinar, alice, speaker, bob, webinar_room, published, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        question = ask(bob, webinar, body="Et les petites communes ?", anonymous=True)

    for host in (alice, speaker):
        host_frames = [f for f in frames_for(published, user=host) if f["type"] == "webinar.host"]
        submitted = [f for f in host_frames if f["event"] == "question.submitted"]
        assert len(submitted) == 1
        assert submitted[0]["data"]["id"] == question.pk
        assert submitted[0]["data"]["asker"]["id"] == bob.pk  # hosts know who asked
        assert submitted[0]["data"]["moderation"] == "pending"
    mine = frames_for(published, user=bob)
    assert [f["type"] for f in mine] == ["webinar.mine"]
    assert mine[0]["data"]["id"] == question.pk
    assert frames_for(published, room=webinar_room) == []  # the room learns nothing


def test_an_approved_anonymous_question_reaches_the_room_without_its_asker(
    webinar, alice, bob, webinar_room, published, django_capture_on_commit_callbacks
):
    question = ask(bob, webinar, body="Et les petites communes ?", anonymous=True)
    with django_capture_on_commit_callbacks(execute=True):
        services.question_moderate(actor=alice, question_id=question.pk, action="approve")

    room_frames = frames_for(published, room=webinar_room)
    assert [f["event"] for f in room_frames] == ["question.published"]
    data = room_frames[0]["data"]
    assert data["asker"] is None and data["anonymous"] is True
    assert "original_body" not in data and "dismiss_reason" not in data
    assert bob.name not in str(data) and bob.email not in str(data)


def test_a_dismissal_reason_reaches_the_asker_and_hosts_only(
    webinar, alice, bob, webinar_room, published, django_capture_on_commit_callbacks
):
    question = set_state(ask(bob, webinar), moderation="published")
    with django_capture_on_commit_callbacks(execute=True):
        services.question_moderate(
            actor=alice, question_id=question.pk, action="dismiss", reason="Hors sujet"
        )

    room_frames = frames_for(published, room=webinar_room)
    assert [f["event"] for f in room_frames] == ["question.removed"]
    assert "Hors sujet" not in str(room_frames)
    mine = [f for f in frames_for(published, user=bob) if f["type"] == "webinar.mine"]
    assert mine[-1]["data"]["dismiss_reason"] == "Hors sujet"
    log = ModerationAction.objects.get(action="dismiss")
    assert (log.actor_id, log.question_id, log.reason) == (alice.pk, question.pk, "Hors sujet")


def test_every_moderation_action_is_logged_for_hosts_only(webinar, alice, bob):
    from backend.common.errors import Forbidden
    from backend.webinars import selectors

    question = ask(bob, webinar)
    services.question_moderate(actor=alice, question_id=question.pk, action="approve")
    services.question_flags(actor=alice, question_id=question.pk, pinned=True, labels=["RH"])
    services.question_answer_state(actor=alice, question_id=question.pk, state="answering")
    actions = [a["action"] for a in selectors.actions_for(user=alice, webinar_id=webinar.pk)]
    assert actions[-3:] == ["approve", "flags", "answer_state:answering"]
    with pytest.raises(Forbidden):
        selectors.actions_for(user=bob, webinar_id=webinar.pk)


def test_attendees_list_published_questions_and_their_own_only(webinar, alice, bob, speaker):
    from backend.webinars import selectors

    own_pending = ask(bob, webinar, body="La mienne")
    others_pending = ask(speaker, webinar, body="En attente")
    shown = set_state(ask(speaker, webinar, body="Publiée"), moderation="published")

    listed = selectors.questions_for(user=bob, webinar_id=webinar.pk)
    assert {q["id"] for q in listed.questions} == {own_pending.pk, shown.pk}
    assert others_pending.pk not in {q["id"] for q in listed.questions}
    hosts = selectors.questions_for(user=alice, webinar_id=webinar.pk)
    assert len(hosts.questions) == 3


# --- votes -------------------------------------------------------------------------------------


def test_a_vote_counts_once_and_toggles(webinar, bob, speaker):
    question = set_state(ask(speaker, webinar), moderation="published")
    assert services.question_vote(actor=bob, question_id=question.pk, vote=True).changed
    assert not services.question_vote(actor=bob, question_id=question.pk, vote=True).changed
    question.refresh_from_db()
    assert question.votes == 1
    assert services.question_vote(actor=bob, question_id=question.pk, vote=False).changed
    assert not services.question_vote(actor=bob, question_id=question.pk, vote=False).changed
    question.refresh_from_db()
    assert (question.votes, Vote.objects.count()) == (0, 0)


@pytest.mark.parametrize("moderation", ["pending", "dismissed"])
def test_a_vote_on_an_unpublished_question_is_refused(webinar, alice, speaker, moderation):
    question = set_state(ask(speaker, webinar), moderation=moderation)
    with pytest.raises(Conflict):  # alice is a host: she sees it, still may not vote
        services.question_vote(actor=alice, question_id=question.pk, vote=True)
    assert Vote.objects.count() == 0


def test_an_attendee_cannot_vote_for_someone_elses_pending_question(webinar, bob, speaker):
    question = ask(speaker, webinar)
    with pytest.raises(NotFound):
        services.question_vote(actor=bob, question_id=question.pk, vote=True)


def test_a_vote_counts_only_while_published(webinar, alice, bob, speaker):
    question = set_state(ask(speaker, webinar), moderation="published")
    services.question_vote(actor=bob, question_id=question.pk, vote=True)
    services.question_moderate(actor=alice, question_id=question.pk, action="dismiss")
    with pytest.raises(NotFound):  # a dismissed question of someone else is gone for bob
        services.question_vote(actor=bob, question_id=question.pk, vote=False)
    with pytest.raises(Conflict):  # and its asker may not vote either
        services.question_vote(actor=speaker, question_id=question.pk, vote=True)


@pytest.mark.django_db(transaction=True)
def test_concurrent_double_votes_count_once(webinar_room, alice, bob, speaker):
    webinar = make_webinar(alice, webinar_room, premoderation=False)
    question = ask(speaker, webinar)
    barrier = threading.Barrier(8)
    results: list[Any] = []

    def vote() -> None:
        try:
            barrier.wait()
            results.append(services.question_vote(actor=bob, question_id=question.pk, vote=True))
        finally:
            connection.close()

    threads = [threading.Thread(target=vote) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    question.refresh_from_db()
    assert question.votes == 1
    assert Vote.objects.filter(question=question).count() == 1
    assert sum(r.changed for r in results) == 1


def test_merging_unites_voters_and_keeps_askers(webinar, alice, bob, speaker, make_agent, org):
    carol = make_agent(org, name="Carole")
    from backend.rooms import services as rooms

    rooms.room_invite(actor=alice, room_id=webinar.room_id, user_id=carol.pk)
    rooms.room_join(actor=carol, room_id=webinar.room_id)
    target = set_state(ask(bob, webinar, body="Quel budget ?"), moderation="published")
    duplicate = set_state(ask(carol, webinar, body="Combien ça coûte ?"), moderation="published")
    services.question_vote(actor=speaker, question_id=target.pk, vote=True)
    services.question_vote(actor=speaker, question_id=duplicate.pk, vote=True)  # counted once
    services.question_vote(actor=alice, question_id=duplicate.pk, vote=True)

    services.question_merge(actor=alice, question_id=duplicate.pk, into_id=target.pk)

    target.refresh_from_db()
    duplicate.refresh_from_db()
    assert target.votes == 2 == Vote.objects.filter(question=target).count()
    assert (duplicate.merged_into_id, duplicate.moderation) == (target.pk, "dismissed")
    from backend.webinars.services.questions import askers_of

    assert {a["id"] for a in askers_of(target)} == {bob.pk, carol.pk}


# --- highlight, chat, thread -------------------------------------------------------------------


def test_one_question_at_a_time_is_on_screen(webinar, alice, speaker, bob):
    first = set_state(ask(bob, webinar, body="Une"), moderation="published")
    second = set_state(ask(bob, webinar, body="Deux"), moderation="published")
    services.question_highlight(actor=speaker, webinar_id=webinar.pk, question_id=first.pk)
    services.question_highlight(actor=speaker, webinar_id=webinar.pk, question_id=second.pk)
    webinar.refresh_from_db()
    assert webinar.highlighted_id == second.pk
    services.question_moderate(actor=alice, question_id=second.pk, action="dismiss")
    webinar.refresh_from_db()
    assert webinar.highlighted_id is None


def test_a_pending_question_cannot_be_put_on_screen(webinar, alice, bob):
    question = ask(bob, webinar)
    with pytest.raises(Conflict):
        services.question_highlight(actor=alice, webinar_id=webinar.pk, question_id=question.pk)


def test_a_chat_message_is_promoted_to_a_published_question_of_its_author(
    webinar, webinar_room, alice, bob
):
    message = send(bob, webinar_room, "Comment former les agents ?")
    question = services.question_promote(
        actor=alice, webinar_id=webinar.pk, message_id=message.pk
    ).question
    assert (question.author_id, question.body, question.moderation, question.message_id) == (
        bob.pk,
        "Comment former les agents ?",
        "published",
        message.pk,
    )
    with pytest.raises(Conflict):
        services.question_promote(actor=alice, webinar_id=webinar.pk, message_id=message.pk)


def test_an_answered_question_goes_back_to_the_chat(webinar, webinar_room, alice, bob):
    question = set_state(ask(bob, webinar, body="Quel outil ?"), moderation="published")
    with pytest.raises(Conflict):
        services.question_to_chat(actor=alice, question_id=question.pk)
    services.question_answer(actor=alice, question_id=question.pk, answer="Un logiciel libre.")
    message = services.question_to_chat(actor=alice, question_id=question.pk)
    assert message.room_id == webinar_room.pk
    assert "Quel outil ?" in message.body and "Un logiciel libre." in message.body


def test_after_the_end_the_qa_lives_on_as_a_thread_and_late_answers_notify_askers(
    webinar, webinar_room, alice, bob, published, django_capture_on_commit_callbacks
):
    answered = set_state(ask(bob, webinar, body="Première ?"), moderation="published")
    services.question_answer(actor=alice, question_id=answered.pk, answer="Oui.")
    late = set_state(ask(bob, webinar, body="Et ensuite ?"), moderation="published")
    ask(bob, webinar, body="Jamais publiée")
    services.webinar_transition(actor=alice, webinar_id=webinar.pk, action="start")
    services.webinar_transition(actor=alice, webinar_id=webinar.pk, action="end")

    webinar.refresh_from_db()
    root = webinar.thread_root
    replies = list(Message.objects.filter(thread=root).order_by("pk"))
    assert root.room_id == webinar_room.pk
    assert len(replies) == 2  # the published questions only
    assert "Jamais publiée" not in " ".join(m.body for m in replies)

    published.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.question_answer(actor=alice, question_id=late.pk, answer="Plus tard.")
    assert Message.objects.filter(thread=root).count() == 3
    notices = [f for f in frames_for(published, user=bob) if f.get("event") == "question.answered"]
    assert len(notices) == 1 and notices[0]["data"]["answer"] == "Plus tard."


def test_registration_is_idempotent_and_refused_after_the_end(webinar, bob):
    assert services.registration_set(actor=bob, webinar_id=webinar.pk, registered=True).changed
    assert not services.registration_set(actor=bob, webinar_id=webinar.pk, registered=True).changed
    Webinar.objects.filter(pk=webinar.pk).update(state="ended")
    assert services.registration_set(actor=bob, webinar_id=webinar.pk, registered=False).changed
    with pytest.raises(Conflict):
        services.registration_set(actor=bob, webinar_id=webinar.pk, registered=True)


def test_a_webinar_keeps_at_least_one_moderator(webinar, alice):
    with pytest.raises(Conflict):
        services.host_set(actor=alice, webinar_id=webinar.pk, user_id=alice.pk, role=None)


def test_only_room_moderators_schedule_webinars(webinar_room, bob):
    from backend.common.errors import Forbidden

    with pytest.raises(Forbidden):
        make_webinar(bob, webinar_room)
    assert not Question.objects.exists()


def test_two_processes_send_one_count_update_per_interval_between_them(
    webinar, bob, speaker, published
):
    from backend.webinars.coalesce import VoteCoalescer

    question = set_state(ask(speaker, webinar), moderation="published")
    services.question_vote(actor=bob, question_id=question.pk, vote=True)
    first, second = VoteCoalescer(), VoteCoalescer()  # as in two server processes
    for coalescer in (first, second):
        coalescer.dirty[webinar.pk].add(question.pk)
        coalescer.rooms[webinar.pk] = webinar.room_id

    sent = first.flush() + second.flush()

    votes = [p for _c, p in published if p.get("type") == "webinar.votes"]
    assert len(votes) == 1 and votes[0]["counts"] == {str(question.pk): 1}
    assert sent == 1
    assert second.dirty[webinar.pk] == {question.pk}  # kept for its next turn: never lost
