"""Webinar fixtures: a room with a moderator, a speaker, an attendee and an outsider."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from backend.accounts.models import User
from backend.rooms import services as rooms
from backend.rooms.models import Room
from backend.webinars import services
from backend.webinars.models import Host, Question, Webinar


@pytest.fixture
def speaker(make_agent, org) -> User:  # type: ignore[no-untyped-def]
    return make_agent(org, name="Sophie Intervenante")


@pytest.fixture
def webinar_room(alice: User, bob: User, speaker: User) -> Room:
    """A private room of Alice's with Bob and the speaker as members."""
    room = rooms.room_create(
        actor=alice, name="Retours d'expérience", kind="private", access="invite"
    ).room
    for user in (bob, speaker):
        rooms.room_invite(actor=alice, room_id=room.pk, user_id=user.pk)
        rooms.room_join(actor=user, room_id=room.pk)
    return room


def make_webinar(actor: User, room: Room, **settings: Any) -> Webinar:
    start = timezone.now() + timedelta(days=1)
    return services.webinar_create(
        actor=actor,
        room_id=room.pk,
        title="Dématérialiser les marchés publics",
        starts_at=start.isoformat(),
        ends_at=(start + timedelta(hours=1)).isoformat(),
        description="Retour d'expérience de la ville",
        **settings,
    ).webinar


@pytest.fixture
def webinar(alice: User, webinar_room: Room, speaker: User) -> Webinar:
    """Alice moderates, the speaker speaks; pre-moderation on (the default)."""
    webinar = make_webinar(alice, webinar_room)
    services.host_set(
        actor=alice, webinar_id=webinar.pk, user_id=speaker.pk, role=Host.Role.SPEAKER
    )
    return webinar


def ask(user: User, webinar: Webinar, body: str = "Quel calendrier ?", **kw: Any) -> Question:
    return services.question_ask(actor=user, webinar_id=webinar.pk, body=body, **kw).question


def set_state(question: Question, **fields: Any) -> Question:
    """Put a question in a state directly (test set-up, not a transition under test)."""
    Question.objects.filter(pk=question.pk).update(**fields)
    question.refresh_from_db()
    return question
