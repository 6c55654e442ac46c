"""Live home items: who gets a ``home.item`` frame when a message is posted, and its shape."""

from __future__ import annotations

from typing import Any

import pytest

from backend.rooms import services as rooms

from .conftest import announce, post

pytestmark = pytest.mark.django_db


def home_frames(published: list[tuple[str, dict[str, Any]]]) -> list[tuple[int, dict[str, Any]]]:
    """(user id, item) of every home.item frame handed to the bus."""
    return [
        (int(channel.rsplit(":", 1)[1]), payload["frame"]["item"])
        for channel, payload in published
        if payload.get("frame", {}).get("type") == "home.item"
    ]


def test_a_mention_is_pushed_to_the_mentioned_only_after_commit(
    alice, bob, outsider, room, published, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        message = post(alice, room, "@Bob Durand une question")
        assert home_frames(published) == []  # nothing before the commit
    assert callbacks

    [(user_id, item)] = home_frames(published)
    assert user_id == bob.pk
    assert item == {
        "kind": "mention",
        "id": f"mention:{message.pk}",
        "at": item["at"],
        "title": "Alice Martin",
        "summary": "@Bob Durand une question",
        "url": f"/#/room/{room.pk}/message/{message.pk}",
        "room": {"id": room.pk, "name": "Cellule de crise"},
        "seen": False,
    }


def test_a_plain_message_pushes_no_home_item(
    alice, bob, room, published, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        post(alice, room, "Bonjour à tous")
    assert home_frames(published) == []


def test_an_announcement_is_pushed_to_each_member_but_its_author(
    alice, bob, outsider, make_agent, org, room, published, django_capture_on_commit_callbacks
):
    carol = make_agent(org, name="Carol Petit")
    rooms.room_invite(actor=alice, room_id=room.pk, user_id=carol.pk)
    rooms.room_join(actor=carol, room_id=room.pk)
    with django_capture_on_commit_callbacks(execute=True):
        announcement = announce(alice, [room.pk], "Coupure réseau ce soir")

    frames = home_frames(published)
    assert sorted(user_id for user_id, _item in frames) == sorted([bob.pk, carol.pk])
    assert {item["id"] for _user, item in frames} == {f"announcement:{announcement}"}
    assert all(item["kind"] == "announcement" for _user, item in frames)


def test_a_thread_reply_is_pushed_to_followers_who_are_members(
    alice, bob, room, published, django_capture_on_commit_callbacks
):
    root = post(bob, room, "Qui connaît la M57 ?")
    with django_capture_on_commit_callbacks(execute=True):
        reply = post(alice, room, "Moi", thread=root.pk)

    [(user_id, item)] = home_frames(published)
    assert user_id == bob.pk
    assert item["id"] == f"thread:{root.pk}"
    assert item["url"] == f"/#/room/{room.pk}/message/{reply.pk}"

    published.clear()
    rooms.room_leave(actor=bob, room_id=room.pk)
    with django_capture_on_commit_callbacks(execute=True):
        post(alice, room, "Encore moi", thread=root.pk)
    assert home_frames(published) == []  # Bob left: he follows, but reads no more


def test_a_mentioned_follower_gets_one_frame_not_two(
    alice, bob, room, published, django_capture_on_commit_callbacks
):
    root = post(bob, room, "Sujet")
    with django_capture_on_commit_callbacks(execute=True):
        post(alice, room, "@Bob Durand réponse", thread=root.pk)
    assert [item["kind"] for _user, item in home_frames(published)] == ["mention"]


def test_an_announcement_to_several_of_ones_rooms_is_pushed_once_as_listed(
    alice, bob, room, make_room, published, django_capture_on_commit_callbacks
):
    from .conftest import home

    other = make_room(alice, name="Autre")
    rooms.room_invite(actor=alice, room_id=other.pk, user_id=bob.pk)
    rooms.room_join(actor=bob, room_id=other.pk)
    with django_capture_on_commit_callbacks(execute=True):
        announce(alice, [room.pk, other.pk], "Deux salons, une annonce")

    [(user_id, item)] = home_frames(published)
    assert user_id == bob.pk
    [listed] = [i for i in home(bob)["items"] if i["kind"] == "announcement"]
    assert item == listed  # the same item, date and room as GET /home gives


def test_an_edit_that_adds_a_mention_pushes_it_to_the_newly_mentioned_only(
    alice, bob, make_agent, org, room, published, django_capture_on_commit_callbacks
):
    from backend.messaging import services as messaging

    carol = make_agent(org, name="Carol Petit")
    rooms.room_invite(actor=alice, room_id=room.pk, user_id=carol.pk)
    rooms.room_join(actor=carol, room_id=room.pk)
    message = post(alice, room, "@Bob Durand une question")
    with django_capture_on_commit_callbacks(execute=True):
        messaging.message_edit(
            actor=alice, message_id=message.pk, body="@Bob Durand et @Carol Petit : une question"
        )

    [(user_id, item)] = home_frames(published)
    assert user_id == carol.pk
    assert item["id"] == f"mention:{message.pk}"
    assert item["summary"] == "@Bob Durand et @Carol Petit : une question"
