"""Direct conversations: opened once per set of people, private to them, stopped by blocks."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from backend.accounts.models import User
from backend.direct import services as direct
from backend.direct.models import Block
from backend.integrations import services as integrations
from backend.messaging.models import Message
from backend.rooms import services as rooms
from backend.rooms.models import Membership, Room, RoomEvent
from realtime.groups import user_channel
from tests.backend.conftest import send

pytestmark = pytest.mark.django_db


@pytest.fixture
def carol(make_agent, org):  # type: ignore[no-untyped-def]
    return make_agent(org, name="Carole Petit")


def test_opening_twice_with_the_same_people_gives_the_same_conversation(
    alice, bob, carol, api_for, published, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = api_for(alice).post("/direct", {"user_ids": [bob.pk]})
    again = api_for(alice).post("/direct", {"user_ids": [bob.pk, bob.pk]})
    back = api_for(bob).post("/direct", {"user_ids": [alice.pk]})
    group = api_for(carol).post("/direct", {"user_ids": [bob.pk, alice.pk]})
    group_again = api_for(bob).post("/direct", {"user_ids": [alice.pk, carol.pk]})

    assert first.status_code == 201, first.json_body
    assert (again.status_code, back.status_code) == (200, 200)
    assert first.json_body["id"] == again.json_body["id"] == back.json_body["id"]
    assert first.json_body["kind"] == "direct"
    assert first.json_body["name"] == "Bob Durand"
    assert back.json_body["name"] == "Alice Martin"
    assert [p["id"] for p in first.json_body["participants"]] == [bob.pk]
    assert group.status_code == 201
    assert group_again.json_body["id"] == group.json_body["id"] != first.json_body["id"]
    assert group.json_body["name"] == "Alice Martin, Bob Durand"
    room = Room.objects.get(pk=first.json_body["id"])
    assert (room.kind, room.access, room.theme_id, room.territory_id) == (
        "direct",
        "invite",
        None,
        None,
    )
    assert set(room.memberships.values_list("user_id", "role")) == {
        (alice.pk, "member"),
        (bob.pk, "member"),
    }
    assert list(RoomEvent.objects.filter(room=room).values_list("kind", flat=True)) == [
        "member.joined",
        "member.joined",
    ]
    # Each participant's sockets are told to follow the new room; nobody else's.
    told = {(ch, p["room"]) for ch, p in published if p.get("control") == "membership"}
    assert told == {(user_channel(bob.pk), room.pk), (user_channel(alice.pk), room.pk)}


def test_concurrent_openings_with_the_same_people_make_one_conversation(
    alice, bob, transactional_db
):
    if connection.vendor != "postgresql":
        pytest.skip("needs concurrent transactions")
    barrier = threading.Barrier(4)
    ids: list[int] = []

    def open_one(actor: User, other: User) -> None:
        try:
            barrier.wait()
            ids.append(direct.direct_open(actor=actor, user_ids=[other.pk]).room.pk)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=open_one, args=pair)
        for pair in [(alice, bob), (bob, alice), (alice, bob), (bob, alice)]
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(ids) == 4 and len(set(ids)) == 1
    assert Room.objects.filter(kind="direct").count() == 1
    assert Membership.objects.filter(room_id=ids[0]).count() == 2


def test_someone_who_left_comes_back_when_the_conversation_is_reopened(alice, bob):
    room = direct.direct_open(actor=alice, user_ids=[bob.pk]).room
    rooms.room_leave(actor=bob, room_id=room.pk)

    again = direct.direct_open(actor=alice, user_ids=[bob.pk])

    assert again.room.pk == room.pk and not again.created
    assert Membership.objects.filter(room=room, user=bob).exists()


def test_participants_are_one_to_seven_listed_agents_other_than_oneself(
    alice, bob, make_agent, org, api_for
):
    api = api_for(alice)
    seven = [make_agent(org) for _ in range(7)]
    eighth = make_agent(org)
    pending = User.objects.create_user(email="p@villeurbanne.test", password="x", name="Pending")
    bot_token = integrations.bot_create(actor=alice, name="Vigie").token
    bot = User.objects.get(is_bot=True)

    assert api.post("/direct", {"user_ids": [u.pk for u in seven]}).status_code == 201
    too_many = api.post("/direct", {"user_ids": [u.pk for u in [*seven, eighth]]})
    assert (too_many.status_code, too_many.json_body["reason"]) == (400, "too_many_participants")
    myself = api.post("/direct", {"user_ids": [alice.pk, bob.pk]})
    assert (myself.status_code, myself.json_body["reason"]) == (400, "self")
    assert api.post("/direct", {"user_ids": []}).json_body["reason"] == "no_participant"
    for unknown in (pending.pk, bot.pk, 10**9):
        assert api.post("/direct", {"user_ids": [bob.pk, unknown]}).status_code == 404
    assert api.post("/direct", {"user_ids": ["1"]}).status_code == 400
    assert api.post("/direct", {"user_ids": list(range(1, 60))}).status_code == 413
    robot = api_for(None)
    robot.headers["Authorization"] = f"Bearer {bot_token}"
    assert robot.post("/direct", {"user_ids": [alice.pk]}).status_code == 403
    assert robot.get("/direct").status_code == 403
    assert Room.objects.filter(kind="direct").count() == 1


def test_a_direct_conversation_is_invisible_to_everyone_else(
    alice, bob, outsider, make_agent, org, api_for
):
    colleague = make_agent(org, name="Collègue")
    staff = make_agent(org, name="Équipe", staff=True)
    room_id = api_for(alice).post("/direct", {"user_ids": [bob.pk]}).json_body["id"]
    posted = api_for(bob).post(f"/rooms/{room_id}/messages", {"body": "Secret budgétaire"})
    assert posted.status_code == 201, posted.json_body

    for other in (colleague, outsider, staff):
        api = api_for(other)
        for path in (
            f"/rooms/{room_id}",
            f"/rooms/{room_id}/events",
            f"/rooms/{room_id}/members",
        ):
            assert api.get(path).status_code == 404, (other, path)
        assert api.post(f"/rooms/{room_id}/join").status_code == 404
        assert api.post(f"/rooms/{room_id}/messages", {"body": "x"}).status_code == 404
        assert api.get("/direct").json_body == []
        assert api.get("/search?q=budgétaire").json_body["results"] == []
        assert room_id not in [r["id"] for r in api.get("/rooms?limit=500").json_body]
        assert room_id not in [r["id"] for r in api.get("/rooms?mine=true").json_body]
    # Participants: not in the room directory either, but among their own rooms, kind direct.
    assert room_id not in [r["id"] for r in api_for(alice).get("/rooms").json_body]
    mine = {r["id"]: r for r in api_for(alice).get("/rooms?mine=true").json_body}
    assert (mine[room_id]["kind"], mine[room_id]["name"]) == ("direct", "Bob Durand")
    assert mine[room_id]["unread"] == 1
    found = api_for(alice).get("/search?q=budgétaire").json_body["results"]
    assert [r["room"] for r in found] == [{"id": room_id, "name": "Bob Durand"}]
    listed = api_for(alice).get("/direct").json_body
    assert [(c["id"], c["unread"], c["name"]) for c in listed] == [(room_id, 1, "Bob Durand")]


def test_a_direct_conversation_takes_no_invitation_robot_move_or_announcement(
    alice, bob, carol, make_room, themes, api_for, make_agent, org
):
    room_id = api_for(alice).post("/direct", {"user_ids": [bob.pk]}).json_body["id"]
    api = api_for(alice)
    message = send(alice, Room.objects.get(pk=room_id), "Entre nous")
    public = make_room(alice, name="Finances", kind="thematic", access="open", theme="finances")
    public_message = send(alice, public, "Public")
    bot_id = integrations.bot_create(actor=alice, name="Vigie").record.user_id
    staff = make_agent(org, name="Équipe", staff=True)
    before = RoomEvent.objects.filter(room_id=room_id).count()

    invite = api.post(f"/rooms/{room_id}/invite", {"user": carol.pk})
    assert (invite.status_code, invite.json_body["reason"]) == (403, "direct_conversation")
    grant = api.post(f"/bots/{bot_id}/grants", {"room": room_id})
    assert grant.status_code in (403, 404)
    move_in = api.post(
        f"/messages/{public_message.pk}/move", {"room": room_id, "reason": "rangement"}
    )
    assert move_in.status_code in (403, 404)
    move_out = api_for(staff).post(
        f"/messages/{message.pk}/move", {"room": public.pk, "reason": "rangement"}
    )
    assert move_out.status_code in (403, 404)
    announce = api_for(staff).post("/announcements", {"body": "Annonce", "rooms": [room_id]})
    assert announce.status_code in (400, 404)
    assert (
        api.post("/rooms", {"name": "x", "kind": "direct", "access": "invite"}).status_code == 400
    )
    assert RoomEvent.objects.filter(room_id=room_id).count() == before
    assert set(Membership.objects.filter(room_id=room_id).values_list("user_id", flat=True)) == {
        alice.pk,
        bob.pk,
    }
    assert Message.objects.get(pk=message.pk).room_id == room_id


def test_a_blocked_agent_can_no_longer_write_to_the_blocker(alice, bob, carol, api_for):
    pair = api_for(alice).post("/direct", {"user_ids": [bob.pk]}).json_body["id"]
    group = api_for(carol).post("/direct", {"user_ids": [alice.pk, bob.pk]}).json_body["id"]
    send(bob, Room.objects.get(pk=pair), "Avant le blocage")

    blocked = api_for(alice).post("/blocks", {"user_id": bob.pk})
    assert blocked.status_code == 201
    assert blocked.json_body["id"] == bob.pk
    assert api_for(alice).post("/blocks", {"user_id": bob.pk}).status_code == 200
    before = (Message.objects.count(), RoomEvent.objects.count())

    for room_id in (pair, group):
        refused = api_for(bob).post(f"/rooms/{room_id}/messages", {"body": "Encore moi"})
        assert (refused.status_code, refused.json_body["reason"]) == (403, "blocked")
        # Neutral: who blocked is not said.
        assert "Alice" not in refused.json_body["message"]
    again = api_for(bob).post("/direct", {"user_ids": [alice.pk]})
    assert (again.status_code, again.json_body["reason"]) == (403, "blocked")
    assert "Alice" not in again.json_body["message"]
    assert api_for(alice).post("/direct", {"user_ids": [bob.pk, carol.pk]}).status_code == 403
    assert (Message.objects.count(), RoomEvent.objects.count()) == before
    # The blocker still reads the conversation; others in a group still write.
    assert api_for(alice).get(f"/rooms/{pair}/events").status_code == 200
    assert api_for(carol).post(f"/rooms/{group}/messages", {"body": "Bonjour"}).status_code == 201
    # Bob is not told, and his own list of blocks is empty.
    assert api_for(bob).get("/blocks").json_body == []
    assert [b["id"] for b in api_for(alice).get("/blocks").json_body] == [bob.pk]

    assert api_for(alice).delete(f"/blocks/{bob.pk}").status_code == 204
    assert api_for(bob).post(f"/rooms/{pair}/messages", {"body": "Merci"}).status_code == 201
    assert Block.objects.count() == 0


def test_blocking_refuses_oneself_unknown_people_and_unblocking_someone_not_blocked(
    alice, bob, api_for
):
    api = api_for(alice)
    assert api.post("/blocks", {"user_id": alice.pk}).json_body["reason"] == "self"
    assert api.post("/blocks", {"user_id": 10**9}).status_code == 404
    assert api.post("/blocks", {"user_id": "x"}).status_code == 400
    assert api.delete(f"/blocks/{bob.pk}").status_code == 404
    assert api_for(None).get("/blocks").status_code == 401
    assert Block.objects.count() == 0


def test_the_export_lists_ones_blocks_and_erasure_removes_them_and_the_name(
    alice, bob, carol, api_for
):
    import io
    import json
    import zipfile

    from backend.privacy.services import account_erase
    from tests.conftest import PASSWORD

    room = direct.direct_open(actor=alice, user_ids=[bob.pk]).room
    direct.block_add(actor=alice, user_id=bob.pk)
    direct.block_add(actor=carol, user_id=alice.pk)
    api = api_for(alice)

    response = api.client.get("/api/v1/me/export", headers=api.headers)

    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    exported = json.loads(archive.read("contacts.json"))
    # One's own blocks only: who blocked oneself stays private to them.
    assert [b["id"] for b in exported["blocked"]] == [bob.pk]

    account_erase(user=alice, password=PASSWORD, mode="anonymise")

    assert Block.objects.count() == 0
    # The room never stored anyone's name; Bob's list names nobody any more.
    room.refresh_from_db()
    assert "Alice" not in room.name
    assert "Alice" not in str(api_for(bob).get("/direct").json_body)


def test_a_mention_in_a_conversation_counts_and_names_the_other_participants(
    alice, bob, carol, api_for
):
    room = direct.direct_open(actor=alice, user_ids=[bob.pk, carol.pk]).room

    send(bob, room, f"@{alice.name} tu as vu ?")

    inbox = api_for(alice).get("/mentions").json_body
    assert [m["room"] for m in inbox] == [{"id": room.pk, "name": "Bob Durand, Carole Petit"}]
    listed = api_for(alice).get("/direct").json_body
    assert [(c["unread"], c["mentions"]) for c in listed] == [(1, 1)]
    # Carol is not mentioned; nobody outside hears of it.
    assert api_for(carol).get("/mentions").json_body == []
