"""A direct conversation on the home page: its participants' mentions and followed threads
show there, named after the other participants; nobody else ever sees anything of it."""

from __future__ import annotations

import pytest

from backend.direct import services as direct
from backend.messaging import services as messaging

from .conftest import home, kinds
from .test_live import home_frames

pytestmark = pytest.mark.django_db


@pytest.fixture
def carol(make_agent, org):  # type: ignore[no-untyped-def]
    return make_agent(org, name="Carole Petit")


def test_a_mention_in_a_direct_conversation_reaches_the_participants_home_only(
    alice, bob, carol, outsider, published, django_capture_on_commit_callbacks
):
    room = direct.direct_open(actor=alice, user_ids=[bob.pk]).room
    with django_capture_on_commit_callbacks(execute=True):
        message = messaging.message_send(
            actor=alice, room_id=room.pk, body="@Bob Durand tu as le tableau ?"
        ).message

    [item] = kinds(bob, "mention")
    assert item["id"] == f"mention:{message.pk}"
    assert item["room"] == {"id": room.pk, "name": "Alice Martin"}
    [(user_id, pushed)] = home_frames(published)
    assert (user_id, pushed["room"]["name"]) == (bob.pk, "Alice Martin")
    # A colleague of the same organisation (whose home lists new colleagues, nothing more) and
    # an outsider see nothing of it.
    assert {i["kind"] for i in home(carol)["items"]} == {"member"}
    assert home(outsider)["items"] == []


def test_a_reply_in_a_group_conversation_names_the_others_for_each_follower(
    alice, bob, carol, outsider, published, django_capture_on_commit_callbacks
):
    room = direct.direct_open(actor=alice, user_ids=[bob.pk, carol.pk]).room
    root = messaging.message_send(actor=alice, room_id=room.pk, body="Qui vient jeudi ?").message
    messaging.message_send(actor=bob, room_id=room.pk, body="Moi", thread=root.pk)
    published.clear()
    with django_capture_on_commit_callbacks(execute=True):
        messaging.message_send(actor=carol, room_id=room.pk, body="Moi aussi", thread=root.pk)

    names = {user_id: item["room"]["name"] for user_id, item in home_frames(published)}
    assert names == {alice.pk: "Bob Durand, Carole Petit", bob.pk: "Alice Martin, Carole Petit"}
    [thread] = kinds(alice, "thread")
    assert thread["room"]["name"] == "Bob Durand, Carole Petit"
    assert home(outsider)["items"] == []
