"""Reactions, edit history, threads, mentions and unread counts over REST and services."""

from __future__ import annotations

import pytest

from backend.common.errors import Forbidden
from backend.messaging import events
from backend.messaging import services as messaging
from backend.messaging.models import Mention, Reaction
from backend.rooms import services as rooms
from backend.rooms.models import RoomEvent
from tests.backend.conftest import send
from tests.backend.schema import check_payload

pytestmark = pytest.mark.django_db


# --- reactions -------------------------------------------------------------------------------


def test_reactions_are_one_per_user_and_emoji_with_counts_and_who(api_for, room, alice, bob):
    message = send(alice, room, "Qui vient jeudi ?")
    a, b = api_for(alice), api_for(bob)
    assert a.post(f"/messages/{message.pk}/reactions", {"emoji": "👍"}).json_body["changed"]
    again = a.post(f"/messages/{message.pk}/reactions", {"emoji": "👍"})
    assert again.status_code == 200 and again.json_body["changed"] is False
    b.post(f"/messages/{message.pk}/reactions", {"emoji": "👍"})
    b.post(f"/messages/{message.pk}/reactions", {"emoji": ":tada:"})
    detail = a.get(f"/messages/{message.pk}").json_body
    assert detail["reactions"] == [
        {
            "emoji": "👍",
            "count": 2,
            "users": [{"id": alice.pk, "name": alice.name}, {"id": bob.pk, "name": bob.name}],
        },
        {"emoji": ":tada:", "count": 1, "users": [{"id": bob.pk, "name": bob.name}]},
    ]
    removed = a.delete(f"/messages/{message.pk}/reactions", body={"emoji": "👍"})
    assert removed.json_body["changed"] is True
    assert Reaction.objects.filter(message=message).count() == 2


def test_each_reaction_change_appends_one_typed_event(room, alice):
    message = send(alice, room, "Bonjour")
    seq = room.__class__.objects.get(pk=room.pk).last_seq
    messaging.reaction_add(actor=alice, message_id=message.pk, emoji="❤️")
    messaging.reaction_add(actor=alice, message_id=message.pk, emoji="❤️")
    messaging.reaction_remove(actor=alice, message_id=message.pk, emoji="❤️")
    messaging.reaction_remove(actor=alice, message_id=message.pk, emoji="❤️")
    log = list(RoomEvent.objects.filter(room=room, seq__gt=seq).order_by("seq"))
    assert [e.kind for e in log] == ["reaction.added", "reaction.removed"]
    for event in log:
        check_payload(events.ReactionChanged, event.data)
        assert event.data["message"] == message.pk and event.data["user"]["id"] == alice.pk


@pytest.mark.parametrize("emoji", ["", "abc", "<b>", "x" * 40, ":no spaces:", "👍 👍"])
def test_a_reaction_must_be_an_emoji_or_a_short_code(api_for, room, alice, emoji):
    message = send(alice, room, "Bonjour")
    response = api_for(alice).post(f"/messages/{message.pk}/reactions", {"emoji": emoji})
    assert response.status_code in (400, 413)
    assert not Reaction.objects.exists()


def test_outsiders_cannot_react_or_see_reactions(api_for, room, alice, outsider):
    message = send(alice, room, "Privé")
    o = api_for(outsider)
    assert o.post(f"/messages/{message.pk}/reactions", {"emoji": "👍"}).status_code == 404
    assert o.get(f"/messages/{message.pk}").status_code == 404
    assert not Reaction.objects.exists()


# --- edit history ----------------------------------------------------------------------------


def test_previous_versions_of_an_edited_message_are_kept_for_readers(
    api_for, room, alice, bob, outsider
):
    message = send(alice, room, "v1")
    messaging.message_edit(actor=alice, message_id=message.pk, body="v2")
    messaging.message_edit(actor=alice, message_id=message.pk, body="v3")
    history = api_for(bob).get(f"/messages/{message.pk}/history").json_body
    assert [v["body"] for v in history["versions"]] == ["v1", "v2", "v3"]
    assert all(v["written_by"]["id"] == alice.pk for v in history["versions"])
    assert api_for(outsider).get(f"/messages/{message.pk}/history").status_code == 404


def test_a_deleted_message_shows_no_history(api_for, room, alice):
    message = send(alice, room, "v1")
    messaging.message_edit(actor=alice, message_id=message.pk, body="v2")
    messaging.message_delete(actor=alice, message_id=message.pk)
    assert api_for(alice).get(f"/messages/{message.pk}/history").json_body["versions"] == []


# --- threads ---------------------------------------------------------------------------------


def test_replies_update_the_root_and_their_authors_follow_the_thread(api_for, room, alice, bob):
    root = send(alice, room, "Question M57")
    reply = send(bob, room, "Réponse", thread=root.pk)
    send(alice, room, "Merci", thread=reply.pk)  # a reply to a reply joins the root's thread
    thread = api_for(bob).get(f"/messages/{root.pk}/thread").json_body
    assert thread["root"]["reply_count"] == 2 and thread["root"]["last_reply_at"]
    assert [r["body"] for r in thread["replies"]] == ["Réponse", "Merci"]
    assert all(r["thread"] == root.pk for r in thread["replies"])
    assert thread["participants"] == [
        {"id": bob.pk, "name": bob.name},
        {"id": alice.pk, "name": alice.name},
    ]
    assert thread["following"] is True and thread["unread"] == 1


def test_thread_unread_follows_the_thread_read_position(api_for, room, alice, bob):
    root = send(alice, room, "Question")
    send(bob, room, "r1", thread=root.pk)
    last = send(bob, room, "r2", thread=root.pk)
    a = api_for(alice)
    assert a.get(f"/messages/{root.pk}/thread").json_body["unread"] == 2
    assert a.post(f"/messages/{root.pk}/thread/read", {"seq": last.seq}).json_body == {
        "seq": last.seq
    }
    assert a.get(f"/messages/{root.pk}/thread").json_body["unread"] == 0
    a.delete(f"/messages/{root.pk}/follow")
    thread = a.get(f"/messages/{root.pk}/thread").json_body
    assert thread["following"] is False and thread["unread"] == 0
    assert a.post(f"/messages/{root.pk}/thread/read", {"seq": 1}).status_code == 404
    assert a.post(f"/messages/{root.pk}/follow").json_body == {"root": root.pk, "following": True}


def test_deleting_a_reply_lowers_the_root_count(room, alice, bob, api_for):
    root = send(alice, room, "Question")
    reply = send(bob, room, "r1", thread=root.pk)
    messaging.message_delete(actor=bob, message_id=reply.pk)
    assert api_for(alice).get(f"/messages/{root.pk}").json_body["reply_count"] == 0


def test_outsiders_cannot_read_or_follow_a_thread(api_for, room, alice, outsider):
    root = send(alice, room, "Question")
    o = api_for(outsider)
    assert o.get(f"/messages/{root.pk}/thread").status_code == 404
    assert o.post(f"/messages/{root.pk}/follow").status_code == 404


# --- mentions --------------------------------------------------------------------------------


def test_mentioning_a_member_by_name_reaches_their_inbox_and_unread_counts(
    api_for, room, alice, bob, outsider
):
    message = send(alice, room, f"@{bob.name} peux-tu relire ? (et @{outsider.name})")
    assert list(Mention.objects.values_list("user_id", flat=True)) == [bob.pk]
    event = RoomEvent.objects.get(room=room, seq=message.seq)
    assert event.data["mentions"] == [bob.pk]
    b = api_for(bob)
    inbox = b.get("/mentions").json_body
    assert [(m["message"]["id"], m["unread"], m["everyone"]) for m in inbox] == [
        (message.pk, True, False)
    ]
    card = b.get(f"/rooms/{room.pk}").json_body
    assert (card["unread"], card["mentions"]) == (1, 1)
    b.post(f"/rooms/{room.pk}/read", {"seq": message.seq})
    card = b.get(f"/rooms/{room.pk}").json_body
    assert (card["unread"], card["mentions"], card["read"]) == (0, 0, message.seq)
    assert api_for(outsider).get("/mentions").json_body == []


def test_everyone_mention_needs_a_moderator_in_a_large_room(room, alice, bob, make_agent, org):
    for _ in range(31):
        agent = make_agent(org)
        rooms.room_invite(actor=alice, room_id=room.pk, user_id=agent.pk)
        rooms.room_join(actor=agent, room_id=room.pk)
    with pytest.raises(Forbidden):
        send(bob, room, "@salon réunion demain")
    assert not Mention.objects.exists()
    send(alice, room, "@salon réunion demain")
    assert Mention.objects.filter(everyone=True).count() == 32


def test_a_deleted_message_no_longer_counts_as_unread_or_mention(api_for, room, alice, bob):
    message = send(alice, room, f"@{bob.name} urgent")
    send(alice, room, "autre")
    messaging.message_delete(actor=alice, message_id=message.pk)
    card = api_for(bob).get(f"/rooms/{room.pk}").json_body
    assert (card["unread"], card["mentions"]) == (1, 0)
    assert api_for(bob).get("/mentions").json_body == []


def test_room_list_carries_unread_counts_for_member_rooms_only(api_for, room, alice, bob):
    send(alice, room, "un")
    send(alice, room, "deux")
    send(bob, room, "le mien ne compte pas")
    rows = {r["id"]: r for r in api_for(bob).get("/rooms?mine=true").json_body}
    assert rows[room.pk]["unread"] == 2
