"""Reclassification: moved content follows its new room's permissions everywhere."""

from __future__ import annotations

import json

import pytest

from backend.audit.models import AuditEntry
from backend.messaging import services as messaging
from backend.messaging.models import Message, ThreadFollow
from backend.messaging.selectors import unread_counts_for
from backend.moderation import moves
from backend.rooms import services as rooms
from backend.rooms.models import RoomEvent
from backend.rooms.selectors import sync_page_for
from tests.backend.conftest import send

pytestmark = pytest.mark.django_db

DOC = {"url": "https://www.collectivites-locales.gouv.fr/dgf", "title": "Notice DGF"}


@pytest.fixture
def world(make_agent, org, alice, bob, themes):
    """Accueil (open), where Bob reads, and a private room of Alice's where Carole is."""
    accueil = rooms.room_create(
        actor=alice, name="Accueil", kind="thematic", access="open", theme="finances"
    ).room
    private = rooms.room_create(
        actor=alice, name="Cellule DGF", kind="private", access="invite"
    ).room
    carole = make_agent(org, name="Carole")
    dave = make_agent(org, name="Dave Auteur")
    rooms.room_invite(actor=alice, room_id=private.pk, user_id=carole.pk)
    rooms.room_join(actor=carole, room_id=private.pk)
    for user in (bob, dave):
        rooms.room_join(actor=user, room_id=accueil.pk)
    root = send(dave, accueil, "Question sur la dotation forfaitaire @Bob Durand", documents=[DOC])
    replies = [
        send(alice, accueil, "Réponse confidentielle sur la péréquation", thread=root.pk),
        send(dave, accueil, "Merci pour la péréquation", thread=root.pk),
    ]
    other = send(dave, accueil, "Un message qui reste à l'accueil")
    return {
        "accueil": accueil,
        "private": private,
        "carole": carole,
        "dave": dave,
        "root": root,
        "replies": replies,
        "other": other,
    }


def _texts(frames) -> str:
    return json.dumps(frames, ensure_ascii=False)


def test_a_thread_moved_to_a_private_room_disappears_for_non_members(
    world, api_for, alice, bob, published, django_capture_on_commit_callbacks
):
    accueil, private, root = world["accueil"], world["private"], world["root"]
    messaging.message_edit(
        actor=world["dave"],
        message_id=root.pk,
        body="Question sur la dotation forfaitaire, précisée @Bob Durand",
        documents=[DOC],
    )
    bob_api = api_for(bob)
    assert unread_counts_for(user=bob, room_ids=[accueil.pk])[accueil.pk]["unread"] == 4
    assert unread_counts_for(user=bob, room_ids=[accueil.pk])[accueil.pk]["mentions"] == 1
    assert bob_api.get("/search?q=péréquation").json_body["total"] == 2
    assert len(bob_api.get(f"/rooms/{accueil.pk}/documents").json_body) == 1
    published.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = api_for(alice).post(
            f"/messages/{root.pk}/move",
            {"room": private.pk, "scope": "thread", "reason": "Données sensibles"},
        )

    assert response.status_code == 200, response.json_body
    moved = [root.pk] + [r.pk for r in world["replies"]]
    assert response.json_body["messages"] == moved
    # Bob (Accueil only): replay, search, unread counts, documents, the message itself.
    frames, _limited = sync_page_for(user=bob, room_id=accueil.pk, since=0, limit=200)
    replay = _texts(frames)
    for text in ("dotation forfaitaire", "péréquation", "collectivites-locales"):
        assert text not in replay
    assert "Un message qui reste" in replay
    assert bob_api.get(f"/rooms/{accueil.pk}/events").json_body["events"] == frames
    assert bob_api.get("/search?q=péréquation").json_body["total"] == 0
    assert bob_api.get(f"/rooms/{accueil.pk}/documents").json_body == []
    assert unread_counts_for(user=bob, room_ids=[accueil.pk])[accueil.pk] == {
        "unread": 1,
        "mentions": 0,
    }
    assert bob_api.get(f"/rooms/{accueil.pk}").json_body["unread"] == 1
    assert bob_api.get(f"/messages/{root.pk}").status_code == 404
    assert bob_api.get(f"/messages/{root.pk}/thread").status_code == 404
    assert bob_api.get("/mentions").json_body == [] or all(
        m.get("message", {}).get("id") != root.pk for m in bob_api.get("/mentions").json_body
    )
    summary = frames[-1]
    assert summary["event"] == "message.moved" and summary["data"]["messages"] == moved
    assert summary["data"]["to_room"] is None  # a private room is not named to Accueil
    # Carole (private room): the thread with its history, searchable, its document listed.
    carole_api = api_for(world["carole"])
    events = carole_api.get(f"/rooms/{private.pk}/events").json_body["events"]
    created = [e for e in events if e["event"] == "message.created"]
    assert [e["data"]["id"] for e in created] == moved
    assert created[0]["data"]["body"].startswith("Question sur la dotation forfaitaire, précisée")
    assert created[0]["data"]["moved_from"] == accueil.pk
    assert created[1]["data"]["thread"] == root.pk
    assert events[-1]["event"] == "message.moved"
    assert events[-1]["data"]["from_room"] == {"id": accueil.pk, "name": "Accueil"}
    history = carole_api.get(f"/messages/{root.pk}/history").json_body
    assert len(history["versions"] if isinstance(history, dict) else history) == 2
    assert bob_api.get(f"/messages/{root.pk}/history").status_code == 404
    thread = carole_api.get(f"/messages/{root.pk}/thread").json_body
    assert [r["id"] for r in thread["replies"]] == moved[1:]
    assert carole_api.get("/search?q=péréquation").json_body["total"] == 2
    assert len(carole_api.get(f"/rooms/{private.pk}/documents").json_body) == 1
    assert Message.objects.get(pk=root.pk).room_id == private.pk
    # The author is told; audit entries in both rooms, without bodies.
    frames_to_dave = [p["frame"] for c, p in published if c.endswith(f":user:{world['dave'].pk}")]
    (notice,) = [f for f in frames_to_dave if f["type"] == "message.moved"]
    assert notice["messages"] == [root.pk, world["replies"][1].pk]
    assert notice["reason"] == "Données sensibles" and notice["to_room"] is None
    assert not [c for c, _p in published if c.endswith(f":user:{bob.pk}")]
    rooms_audited = set(
        AuditEntry.objects.filter(action="message.moved").values_list("room_id", flat=True)
    )
    assert rooms_audited == {accueil.pk, private.pk}
    assert not AuditEntry.objects.filter(reason__contains="péréquation").exists()


def test_the_followers_who_cannot_read_the_destination_stop_following(world, alice, bob):
    root = world["root"]
    messaging.thread_follow(actor=bob, root_id=root.pk, follow=True)
    moves.messages_move(
        actor=alice, message_id=root.pk, room_id=world["private"].pk, scope="thread", reason="x"
    )
    assert not ThreadFollow.objects.filter(root=root, user=bob).exists()
    assert ThreadFollow.objects.filter(root=root, user=world["dave"]).exists() is False


def test_moving_a_message_and_the_following_ones(world, alice, bob, themes):
    accueil = world["accueil"]
    rh = rooms.room_create(actor=alice, name="RH", kind="thematic", access="open", theme="rh").room
    later = send(bob, accueil, "Et la suite")
    result = moves.messages_move(
        actor=alice, message_id=world["other"].pk, room_id=rh.pk, scope="following", reason="RH"
    )
    assert result.messages == [world["other"].pk, later.pk]
    assert set(Message.objects.filter(room=rh).values_list("pk", flat=True)) == set(result.messages)
    assert Message.objects.get(pk=world["root"].pk).room_id == accueil.pk
    # Open destination: Accueil readers are told where it went.
    moved = RoomEvent.objects.filter(room=accueil, kind="message.moved").get()
    assert moved.data["to_room"] == {"id": rh.pk, "name": "RH"}


def test_moving_one_reply_into_another_thread(world, alice):
    accueil = world["accueil"]
    target_root = send(alice, accueil, "Le bon fil")
    reply = world["replies"][1]
    moves.messages_move(
        actor=alice,
        message_id=reply.pk,
        room_id=accueil.pk,
        thread=target_root.pk,
        scope="message",
        reason="Bon fil",
    )
    reply.refresh_from_db()
    target_root.refresh_from_db()
    assert reply.thread_id == target_root.pk and reply.room_id == accueil.pk
    assert target_root.reply_count == 1
    assert Message.objects.get(pk=world["root"].pk).reply_count == 1
    created = RoomEvent.objects.get(message=reply, kind="message.created")
    assert created.data["thread"] == target_root.pk


def test_moving_a_thread_root_alone_is_refused(world, alice):
    with pytest.raises(Exception) as exc:
        moves.messages_move(
            actor=alice,
            message_id=world["root"].pk,
            room_id=world["private"].pk,
            scope="message",
            reason="x",
        )
    assert getattr(exc.value, "reason", None) == "has_replies"


@pytest.mark.parametrize(
    ("role", "source", "status"),
    [
        ("bob", "accueil", 403),  # a member of the open room
        ("outsider", "accueil", 403),  # reads the open room, moderates nothing
        ("carole", "accueil", 403),
        ("bob", "private", 404),  # cannot know the private room's message
        ("outsider", "private", 404),
    ],
)
def test_only_moderators_of_the_source_who_reach_the_destination_move(
    world, api_for, role, source, status, alice, bob, outsider
):
    users = {"bob": bob, "outsider": outsider, "carole": world["carole"]}
    message = world["other"] if source == "accueil" else send(alice, world["private"], "Secret")
    destination = world["private"] if source == "accueil" else world["accueil"]
    before = RoomEvent.objects.count()
    response = api_for(users[role]).post(
        f"/messages/{message.pk}/move", {"room": destination.pk, "reason": "x"}
    )
    assert response.status_code == status
    assert RoomEvent.objects.count() == before


def test_a_moderator_must_be_a_member_of_the_destination(world, api_for, make_agent, org, bob):
    from backend.moderation import services as moderation

    moderation.member_role_set(
        actor=world["accueil"].created_by,
        room_id=world["accueil"].pk,
        user_id=bob.pk,
        role="moderator",
    )
    response = api_for(bob).post(
        f"/messages/{world['other'].pk}/move", {"room": world["private"].pk, "reason": "x"}
    )
    assert response.status_code == 404


def test_a_move_needs_a_reason(world, api_for, alice):
    response = api_for(alice).post(
        f"/messages/{world['other'].pk}/move", {"room": world["private"].pk, "reason": " "}
    )
    assert response.status_code == 400 and response.json_body["reason"] == "reason_required"


def test_a_retried_send_of_a_moved_message_is_acknowledged_with_it(world, alice, bob):
    message = messaging.message_send(
        actor=bob, room_id=world["accueil"].pk, body="Ma question", client_id="retry-1"
    ).message
    moves.messages_move(
        actor=alice, message_id=message.pk, room_id=world["private"].pk, reason="Rangée"
    )
    again = messaging.message_send(
        actor=bob, room_id=world["accueil"].pk, body="Ma question", client_id="retry-1"
    )
    assert again.created is False and again.message.pk == message.pk
    assert Message.objects.filter(author=bob, body="Ma question").count() == 1


def test_a_private_source_is_not_named_to_the_destination_readers(world, alice):
    private, accueil = world["private"], world["accueil"]
    secret = send(alice, private, "À publier à l'accueil")
    moves.messages_move(actor=alice, message_id=secret.pk, room_id=accueil.pk, reason="Public")
    created = RoomEvent.objects.filter(room=accueil, kind="message.created").last()
    assert created.data["moved_from"] is None and created.data["body"] == "À publier à l'accueil"
    moved = RoomEvent.objects.filter(room=accueil, kind="message.moved").get()
    assert moved.data["from_room"] is None
    assert moved.data["to_room"] == {"id": accueil.pk, "name": "Accueil"}
    in_source = RoomEvent.objects.filter(room=private, kind="message.moved").get()
    assert in_source.data["from_room"]["id"] == private.pk
    assert in_source.data["to_room"] == {"id": accueil.pk, "name": "Accueil"}
    assert "Cellule DGF" not in str(list(RoomEvent.objects.filter(room=accueil).values("data")))


def test_a_reporter_is_not_told_the_private_room_a_reported_message_went_to(
    world, api_for, alice, bob
):
    from backend.moderation import reports

    report = reports.report_create(actor=bob, message_id=world["other"].pk, reason="Hors sujet")
    moves.messages_move(
        actor=alice, message_id=world["other"].pk, room_id=world["private"].pk, reason="Rangé"
    )
    mine = api_for(bob).get("/reports/mine").json_body
    assert mine[0]["room"] == {"id": 0, "name": ""}
    assert api_for(bob).get(f"/reports/{report.pk}").json_body["room"]["name"] == ""
    queue = api_for(alice).get(f"/reports?room={world['private'].pk}").json_body
    assert [r["id"] for r in queue] == [report.pk]
