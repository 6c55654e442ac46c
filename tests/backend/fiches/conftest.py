"""Fiche fixtures: a private room (Alice owns it, Bob is a member) with a thread, and an open
thematic room; Olivia is an outsider (another organisation)."""

from __future__ import annotations

from typing import Any

import pytest

from backend.accounts.models import User
from backend.fiches import services
from backend.fiches.models import Fiche
from backend.messaging import services as messaging
from backend.messaging.models import Message
from backend.rooms import services as rooms
from backend.rooms.models import Room

LINK = {"url": "https://www.collectivites-locales.gouv.fr/", "title": "Portail DGCL"}


@pytest.fixture
def private_room(alice: User, bob: User) -> Room:
    room = rooms.room_create(actor=alice, name="Cellule budget", kind="private", access="invite")
    rooms.room_invite(actor=alice, room_id=room.room.pk, user_id=bob.pk)
    rooms.room_join(actor=bob, room_id=room.room.pk)
    return room.room


@pytest.fixture
def open_room(alice: User, bob: User, themes: Any) -> Room:
    room = rooms.room_create(
        actor=alice, name="Finances", kind="thematic", access="open", theme="finances"
    ).room
    rooms.room_join(actor=bob, room_id=room.pk)
    return room


def make_thread(room: Room, asker: User, answerer: User) -> tuple[Message, Message]:
    root = messaging.message_send(
        actor=asker, room_id=room.pk, body="Comment rédiger la délibération budgétaire ?"
    ).message
    reply = messaging.message_send(
        actor=answerer,
        room_id=room.pk,
        body="Voici le modèle que nous utilisons.",
        thread=root.pk,
        documents=[LINK],
    ).message
    return root, reply


@pytest.fixture
def thread(private_room: Room, alice: User, bob: User) -> tuple[Message, Message]:
    return make_thread(private_room, alice, bob)


def make_fiche(actor: User, root: Message, **kw: Any) -> Fiche:
    fields = {
        "title": "Rédiger une délibération budgétaire",
        "summary": "Une délibération du conseil fixe le budget.\nModèle en pièce jointe.",
        **kw,
    }
    return services.fiche_create(actor=actor, thread=root.pk, **fields).fiche


@pytest.fixture
def fiche(bob: User, thread: tuple[Message, Message]) -> Fiche:
    return make_fiche(bob, thread[0])
