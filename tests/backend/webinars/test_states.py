"""The state machines, exhaustively: every move from every state, by every kind of person.

Webinar: programmé → en direct → terminé. Question moderation: pending → published →
dismissed (restorable). Question answer: open → answering → answered (and back to open).
"""

from __future__ import annotations

import itertools

import pytest

from backend.common.errors import BadRequest, Conflict, Forbidden, NotFound
from backend.webinars import services
from backend.webinars.models import Question, Webinar
from backend.webinars.states import ANSWER_MOVES, MODERATION_MOVES, WEBINAR_MOVES

from .conftest import ask, set_state

pytestmark = pytest.mark.django_db

ROLES = ["moderator", "speaker", "attendee", "outsider"]
WEBINAR_STATES = list(Webinar.State.values)
MODERATION_STATES = list(Question.Moderation.values)
ANSWER_STATES = list(Question.Answer.values)


@pytest.fixture
def people(alice, speaker, bob, outsider):  # type: ignore[no-untyped-def]
    return {"moderator": alice, "speaker": speaker, "attendee": bob, "outsider": outsider}


def outcome(call):  # type: ignore[no-untyped-def]
    try:
        call()
    except (Conflict, Forbidden, NotFound, BadRequest) as exc:
        return type(exc).__name__
    return "ok"


# --- webinar ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("action", "state", "role"), list(itertools.product(WEBINAR_MOVES, WEBINAR_STATES, ROLES))
)
def test_webinar_transitions(webinar, people, action, state, role):
    Webinar.objects.filter(pk=webinar.pk).update(state=state)
    source, target = WEBINAR_MOVES[action]
    expected = {
        "outsider": "NotFound",
        "attendee": "Forbidden",
        "speaker": "Forbidden",
        "moderator": "ok" if state == source else "Conflict",
    }[role]

    result = outcome(
        lambda: services.webinar_transition(
            actor=people[role], webinar_id=webinar.pk, action=action
        )
    )

    assert result == expected
    webinar.refresh_from_db()
    assert webinar.state == (target if expected == "ok" else state)


def test_the_webinar_moves_are_exactly_start_then_end():
    assert WEBINAR_MOVES == {"start": ("scheduled", "live"), "end": ("live", "ended")}


def test_an_unknown_webinar_action_is_refused(webinar, alice):
    with pytest.raises(BadRequest):
        services.webinar_transition(actor=alice, webinar_id=webinar.pk, action="cancel")


def test_starting_and_ending_set_the_times(webinar, alice):
    services.webinar_transition(actor=alice, webinar_id=webinar.pk, action="start")
    services.webinar_transition(actor=alice, webinar_id=webinar.pk, action="end")
    webinar.refresh_from_db()
    assert webinar.started_at is not None and webinar.ended_at >= webinar.started_at


# --- moderation --------------------------------------------------------------------------------


def moderation_expected(role: str, action: str, state: str) -> str:
    if role == "outsider":
        return "NotFound"
    if role in ("attendee", "speaker"):
        # An attendee cannot even see someone else's pending or dismissed question.
        if role == "attendee" and state != "published":
            return "NotFound"
        return "Forbidden"
    return "ok" if state in MODERATION_MOVES[action] else "Conflict"


@pytest.mark.parametrize(
    ("action", "state", "role"),
    list(itertools.product(MODERATION_MOVES, MODERATION_STATES, ROLES)),
)
def test_moderation_transitions(webinar, people, carol_asker, action, state, role):
    question = set_state(ask(carol_asker, webinar), moderation=state)
    expected = moderation_expected(role, action, state)

    result = outcome(
        lambda: services.question_moderate(
            actor=people[role], question_id=question.pk, action=action, reason="Hors sujet"
        )
    )

    assert result == expected
    question.refresh_from_db()
    if expected == "ok":
        assert question.moderation == MODERATION_MOVES[action][state]
        assert question.dismiss_reason == ("Hors sujet" if action == "dismiss" else "")
    else:
        assert question.moderation == state


@pytest.fixture
def carol_asker(make_agent, org, webinar_room, alice):  # type: ignore[no-untyped-def]
    from backend.rooms import services as rooms

    carol = make_agent(org, name="Carole Questionneuse")
    rooms.room_invite(actor=alice, room_id=webinar_room.pk, user_id=carol.pk)
    rooms.room_join(actor=carol, room_id=webinar_room.pk)
    return carol


def test_the_moderation_moves_are_exactly_these():
    assert MODERATION_MOVES == {
        "approve": {"pending": "published"},
        "dismiss": {"pending": "dismissed", "published": "dismissed"},
        "restore": {"dismissed": "published"},
    }


def test_a_question_is_pending_under_premoderation_and_published_without(
    webinar, alice, carol_asker
):
    assert ask(carol_asker, webinar).moderation == "pending"
    services.webinar_update(actor=alice, webinar_id=webinar.pk, premoderation=False)
    assert ask(carol_asker, webinar).moderation == "published"


def test_a_dismissed_question_is_restored_not_deleted(webinar, alice, carol_asker):
    question = ask(carol_asker, webinar)
    for action in ("approve", "dismiss", "restore"):
        services.question_moderate(actor=alice, question_id=question.pk, action=action)
    question.refresh_from_db()
    assert question.moderation == "published"
    assert Question.objects.filter(pk=question.pk).exists()


# --- answer ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("target", "state", "role"), list(itertools.product(ANSWER_STATES, ANSWER_STATES, ROLES))
)
def test_answer_transitions(webinar, people, carol_asker, target, state, role):
    question = set_state(ask(carol_asker, webinar), moderation="published", answer_state=state)
    if role == "outsider":
        expected = "NotFound"
    elif role == "attendee":
        expected = "Forbidden"
    else:  # moderators and speakers both answer
        expected = "ok" if state in ANSWER_MOVES[target] else "Conflict"

    result = outcome(
        lambda: services.question_answer_state(
            actor=people[role], question_id=question.pk, state=target
        )
    )

    assert result == expected
    question.refresh_from_db()
    assert question.answer_state == (target if expected == "ok" else state)
    if expected == "ok":
        assert (question.answered_by_id is not None) == (target == "answered")


@pytest.mark.parametrize("moderation", ["pending", "dismissed"])
@pytest.mark.parametrize("target", ANSWER_STATES)
def test_only_a_published_question_moves_on_the_answer_axis(
    webinar, alice, carol_asker, moderation, target
):
    question = set_state(ask(carol_asker, webinar), moderation=moderation, answer_state="open")
    with pytest.raises(Conflict):
        services.question_answer_state(actor=alice, question_id=question.pk, state=target)


def test_a_written_answer_makes_the_question_answered(webinar, speaker, carol_asker):
    question = set_state(ask(carol_asker, webinar), moderation="published")
    services.question_answer(actor=speaker, question_id=question.pk, answer="En janvier.")
    question.refresh_from_db()
    assert (question.answer_state, question.answer, question.answered_by_id) == (
        "answered",
        "En janvier.",
        speaker.pk,
    )


# --- who may do the other host actions --------------------------------------------------------

HOST_ACTIONS = {
    "edit": lambda actor, q, w: services.question_edit(
        actor=actor, question_id=q.pk, body="Reformulée"
    ),
    "pin": lambda actor, q, w: services.question_flags(actor=actor, question_id=q.pk, pinned=True),
    "label": lambda actor, q, w: services.question_flags(
        actor=actor, question_id=q.pk, labels=["RH"]
    ),
    "answer": lambda actor, q, w: services.question_answer(
        actor=actor, question_id=q.pk, answer="Oui."
    ),
    "highlight": lambda actor, q, w: services.question_highlight(
        actor=actor, webinar_id=w.pk, question_id=q.pk
    ),
    "settings": lambda actor, q, w: services.webinar_update(
        actor=actor, webinar_id=w.pk, intake_open=False
    ),
}
MODERATOR_ONLY = {"edit", "pin", "label", "settings"}


@pytest.mark.parametrize(("action", "role"), list(itertools.product(HOST_ACTIONS, ROLES)))
def test_who_may_do_each_host_action(webinar, people, carol_asker, action, role):
    question = set_state(ask(carol_asker, webinar), moderation="published")
    if role == "outsider":
        expected = "NotFound"
    elif role == "attendee":
        expected = "Forbidden"
    elif role == "speaker":
        expected = "Forbidden" if action in MODERATOR_ONLY else "ok"
    else:
        expected = "ok"

    assert outcome(lambda: HOST_ACTIONS[action](people[role], question, webinar)) == expected


def test_an_edit_keeps_the_askers_original_words(webinar, alice, carol_asker):
    question = ask(carol_asker, webinar, body="Kel calendrié ?")
    services.question_edit(actor=alice, question_id=question.pk, body="Quel calendrier ?")
    services.question_edit(actor=alice, question_id=question.pk, body="Quel est le calendrier ?")
    question.refresh_from_db()
    assert question.body == "Quel est le calendrier ?"
    assert question.original_body == "Kel calendrié ?"
    assert question.edited_by_id == alice.pk


# --- asking ------------------------------------------------------------------------------------


def test_asking_is_refused_when_intake_is_closed_but_hosts_may_still_ask(webinar, alice, bob):
    services.webinar_update(actor=alice, webinar_id=webinar.pk, intake_open=False)
    with pytest.raises(Conflict):
        ask(bob, webinar)
    assert ask(alice, webinar).pk


def test_anonymous_questions_are_refused_when_not_allowed(webinar, alice, bob):
    services.webinar_update(actor=alice, webinar_id=webinar.pk, anonymous_allowed=False)
    with pytest.raises(Forbidden):
        ask(bob, webinar, anonymous=True)
    assert Question.objects.count() == 0


def test_a_question_over_the_webinars_maximum_length_is_refused_not_truncated(webinar, alice, bob):
    from backend.common.errors import TooLarge

    services.webinar_update(actor=alice, webinar_id=webinar.pk, max_length=20)
    with pytest.raises(TooLarge):
        ask(bob, webinar, body="x" * 21)
    assert ask(bob, webinar, body="x" * 20).body == "x" * 20


def test_asking_after_the_end_is_refused(webinar, alice, bob):
    Webinar.objects.filter(pk=webinar.pk).update(state="ended")
    with pytest.raises(Conflict):
        ask(bob, webinar)


def test_an_outsider_cannot_ask_nor_see_the_webinar(webinar, outsider):
    with pytest.raises(NotFound):
        ask(outsider, webinar)
