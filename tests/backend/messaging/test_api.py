"""Messages and the room event log over REST."""

from __future__ import annotations

import socket

import pytest

from backend.messaging.models import Message
from backend.rooms.models import Membership, RoomEvent
from tests.backend.conftest import row_counts

pytestmark = pytest.mark.django_db


def _send(api, room, body="Bonjour", **fields):
    return api.post(f"/rooms/{room.pk}/messages", {"body": body, **fields})


# --- send ------------------------------------------------------------------------------------


def test_sending_returns_the_message_with_its_id_and_seq(api_for, room, alice):
    response = _send(api_for(alice), room, "Point de situation", client_id="k1")

    assert response.status_code == 201
    body = response.json_body
    message = Message.objects.get()
    assert (body["id"], body["seq"], body["room"]) == (message.pk, 4, room.pk)
    assert body["author"] == {"id": alice.pk, "name": "Alice Martin"}
    assert body["client_id"] == "k1"
    assert RoomEvent.objects.get(seq=4, room=room).message_id == message.pk


def test_the_same_client_id_twice_gives_one_message_and_the_same_response(api_for, room, alice):
    api = api_for(alice)

    first = _send(api, room, "Une seule fois", client_id="c-42")
    before = row_counts()
    second = _send(api, room, "Une seule fois", client_id="c-42")

    assert second.status_code == first.status_code == 201
    assert second.content == first.content
    assert row_counts() == before
    assert Message.objects.count() == 1


def test_a_client_id_belongs_to_its_author(api_for, room, alice, bob):
    mine = _send(api_for(alice), room, client_id="same")
    theirs = _send(api_for(bob), room, client_id="same")

    assert mine.json_body["id"] != theirs.json_body["id"]
    assert Message.objects.count() == 2


def test_reusing_a_client_id_in_another_room_is_a_conflict(api_for, room, make_room, alice):
    other = make_room(alice, name="Autre")
    api = api_for(alice)
    _send(api, room, client_id="c-1")
    before = row_counts()

    response = _send(api, other, client_id="c-1")

    assert response.status_code == 409
    assert response.json_body["code"] == "conflict"
    assert response.json_body["reason"] == "client_id_reused"
    assert row_counts() == before


def test_a_body_of_10000_characters_is_accepted_and_10001_refused(api_for, room, alice):
    api = api_for(alice)

    accepted = _send(api, room, "a" * 10_000)
    before = row_counts()
    refused = _send(api, room, "a" * 10_001)

    assert accepted.status_code == 201
    assert len(accepted.json_body["body"]) == 10_000
    assert refused.status_code == 413
    assert refused.json_body["code"] == "too_large"
    assert row_counts() == before


def test_documents_keep_their_http_links(api_for, room, alice):
    response = _send(
        api_for(alice),
        room,
        "",
        documents=[
            {"url": "https://www.legifrance.gouv.fr/x", "title": "CGCT"},
            {"url": "http://intranet.test/doc"},
        ],
    )

    assert response.status_code == 201
    assert response.json_body["documents"] == [
        {"url": "https://www.legifrance.gouv.fr/x", "title": "CGCT", "description": ""},
        {"url": "http://intranet.test/doc", "title": "http://intranet.test/doc", "description": ""},
    ]


def test_the_server_never_fetches_a_shared_link(api_for, room, alice, bob):
    """No preview: a link to an internal address is stored, never requested by the server."""
    with socket.create_server(("127.0.0.1", 0)) as internal:
        internal.settimeout(0.5)
        url = f"http://127.0.0.1:{internal.getsockname()[1]}/admin"
        assert _send(api_for(alice), room, "", documents=[{"url": url}]).status_code == 201
        api_for(bob).get(f"/rooms/{room.pk}/documents")
        api_for(bob).get(f"/rooms/{room.pk}/events")
        with pytest.raises(TimeoutError):
            internal.accept()


def test_a_document_link_keeps_its_optional_description(api_for, room, alice):
    api = api_for(alice)
    doc = {"url": "https://x.test/guide", "title": "Guide", "description": "  Version 2026 "}

    response = _send(api, room, "", documents=[doc])
    listed = api.get(f"/rooms/{room.pk}/documents")

    assert response.status_code == 201
    assert response.json_body["documents"] == [
        {"url": "https://x.test/guide", "title": "Guide", "description": "Version 2026"}
    ]
    assert listed.json_body[0]["description"] == "Version 2026"


def test_a_document_description_over_1000_characters_is_refused(api_for, room, alice):
    api = api_for(alice)
    before = row_counts()

    response = _send(
        api, room, "x", documents=[{"url": "https://x.test/", "description": "d" * 1001}]
    )

    assert response.status_code == 413
    assert response.json_body["code"] == "too_large"
    assert row_counts() == before


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        " javascript:alert(1)",
        "data:text/html,x",
        "ftp://x.test/a",
        "//x.test/a",
        "https://",
        "file:///etc/passwd",
    ],
)
def test_a_document_link_other_than_http_is_refused(api_for, room, alice, url):
    api = api_for(alice)
    before = row_counts()

    response = _send(api, room, "Voir le lien", documents=[{"url": url, "title": "t"}])

    assert response.status_code == 400
    assert response.json_body["code"] == "bad_request"
    assert response.json_body["reason"] == "bad_document_url"
    assert row_counts() == before


# --- edit and delete -------------------------------------------------------------------------


def test_the_author_edits_and_the_log_gets_message_edited(api_for, room, alice):
    api = api_for(alice)
    message_id = _send(api, room, "Brouillon").json_body["id"]

    response = api.patch(f"/messages/{message_id}", {"body": "Version finale"})

    assert response.status_code == 200
    assert response.json_body["body"] == "Version finale"
    assert response.json_body["edited_at"] is not None
    last = api.get(f"/rooms/{room.pk}/events?after=4").json_body["events"]
    assert [(e["seq"], e["event"], e["data"]["body"]) for e in last] == [
        (5, "message.edited", "Version finale")
    ]


def test_after_deletion_the_log_replays_the_message_redacted(api_for, room, alice):
    api = api_for(alice)
    message_id = _send(
        api,
        room,
        "Information confidentielle",
        documents=[{"url": "https://x.test/secret", "title": "Note"}],
    ).json_body["id"]
    api.patch(f"/messages/{message_id}", {"body": "Information confidentielle (corrigée)"})

    deleted = api.delete(f"/messages/{message_id}")

    assert deleted.status_code == 200
    assert (
        deleted.json_body["deleted"],
        deleted.json_body["body"],
        deleted.json_body["documents"],
    ) == (True, "", [])
    page = api.get(f"/rooms/{room.pk}/events?after=3").json_body
    assert [e["event"] for e in page["events"]] == [
        "message.created",
        "message.edited",
        "message.deleted",
    ]
    assert "confidentielle" not in str(page)
    assert "secret" not in str(page)
    created = page["events"][0]["data"]
    assert created["id"] == message_id
    assert (created["body"], created["documents"], created["deleted"]) == ("", [], True)
    assert page["events"][2]["data"]["id"] == message_id


def test_a_room_moderator_may_edit_and_delete_others_messages(api_for, room, alice, bob):
    message_id = _send(api_for(bob), room, "Message hors sujet").json_body["id"]
    moderator = api_for(alice)

    assert moderator.patch(f"/messages/{message_id}", {"body": "[modéré]"}).status_code == 200
    assert moderator.delete(f"/messages/{message_id}").status_code == 200
    kinds = list(
        RoomEvent.objects.filter(room=room, seq__gt=4)
        .order_by("seq")
        .values_list("kind", "data__edited_by__id", "data__deleted_by__id")
    )
    assert kinds == [("message.edited", alice.pk, None), ("message.deleted", None, alice.pk)]


def test_a_member_may_not_edit_or_delete_others_messages(api_for, room, alice, bob):
    message_id = _send(api_for(alice), room, "Le mien").json_body["id"]
    api = api_for(bob)
    before = row_counts()

    edit = api.patch(f"/messages/{message_id}", {"body": "Modifié par Bob"})
    delete = api.delete(f"/messages/{message_id}")

    for response in (edit, delete):
        assert response.status_code == 403
        assert response.json_body["code"] == "forbidden"
    assert row_counts() == before
    assert Message.objects.get().body == "Le mien"


def test_a_non_reader_gets_not_found_for_edit_and_delete(api_for, room, alice, outsider):
    message_id = _send(api_for(alice), room, "Le mien").json_body["id"]
    api = api_for(outsider)
    before = row_counts()

    edit = api.patch(f"/messages/{message_id}", {"body": "x"})
    delete = api.delete(f"/messages/{message_id}")

    for response in (edit, delete):
        assert response.status_code == 404
        assert response.json_body["code"] == "not_found"
    assert row_counts() == before


def test_a_former_member_may_not_post(api_for, room, bob):
    api = api_for(bob)
    api.post(f"/rooms/{room.pk}/leave")

    response = _send(api, room)

    assert response.status_code == 404
    assert not Message.objects.exists()


def test_a_thread_root_must_be_in_the_same_room(api_for, room, make_room, alice):
    other = make_room(alice, name="Autre")
    api = api_for(alice)
    root = _send(api, other, "Ailleurs").json_body["id"]

    response = _send(api, room, "Réponse", thread=root)

    assert response.status_code == 404
    assert response.json_body["code"] == "not_found"


# --- the event log ---------------------------------------------------------------------------


@pytest.fixture
def busy_room(api_for, room, alice):
    api = api_for(alice)
    for n in range(1, 8):
        _send(api, room, f"Message {n}")
    return room  # seq 1..3 membership, 4..10 messages


def test_the_event_log_lists_events_oldest_first(api_for, busy_room, alice):
    page = api_for(alice).get(f"/rooms/{busy_room.pk}/events").json_body

    assert page["room"] == busy_room.pk
    assert [e["seq"] for e in page["events"]] == list(range(1, 11))
    assert page["last_seq"] == 10
    assert page["has_more"] is False
    first = page["events"][0]
    assert first == {
        "type": "event",
        "room": busy_room.pk,
        "seq": 1,
        "event": "member.joined",
        "data": {"user": {"id": alice.pk, "name": "Alice Martin"}, "role": "owner"},
    }
    assert page["events"][3]["data"]["body"] == "Message 1"


def test_the_event_log_pages_forward_with_after_and_limit(api_for, busy_room, bob):
    api = api_for(bob)

    first = api.get(f"/rooms/{busy_room.pk}/events?after=2&limit=3").json_body
    last = api.get(f"/rooms/{busy_room.pk}/events?after=8&limit=3").json_body
    beyond = api.get(f"/rooms/{busy_room.pk}/events?after=10").json_body

    assert ([e["seq"] for e in first["events"]], first["has_more"]) == ([3, 4, 5], True)
    assert ([e["seq"] for e in last["events"]], last["has_more"]) == ([9, 10], False)
    assert (beyond["events"], beyond["has_more"], beyond["last_seq"]) == ([], False, 10)


def test_the_event_log_pages_back_with_before(api_for, busy_room, bob):
    api = api_for(bob)

    newest = api.get(f"/rooms/{busy_room.pk}/events?before=11&limit=4").json_body
    older = api.get(f"/rooms/{busy_room.pk}/events?before=7&limit=4").json_body
    oldest = api.get(f"/rooms/{busy_room.pk}/events?before=3&limit=4").json_body

    assert ([e["seq"] for e in newest["events"]], newest["has_more"]) == ([7, 8, 9, 10], True)
    assert ([e["seq"] for e in older["events"]], older["has_more"]) == ([3, 4, 5, 6], True)
    assert ([e["seq"] for e in oldest["events"]], oldest["has_more"]) == ([1, 2], False)


@pytest.mark.parametrize(
    "query",
    ["after=1&before=5", "after=-1", "before=0", "limit=0", "limit=501", "after=abc", "limit=x"],
)
def test_the_event_log_refuses_bad_paging(api_for, busy_room, alice, query):
    response = api_for(alice).get(f"/rooms/{busy_room.pk}/events?{query}")

    assert response.status_code == 400
    assert response.json_body["code"] == "bad_request"


def test_an_open_room_log_is_readable_without_joining(api_for, make_room, alice, outsider, themes):
    room = make_room(alice, kind="thematic", access="open", theme="rh")
    _send(api_for(alice), room, "Bienvenue à tous")

    page = api_for(outsider).get(f"/rooms/{room.pk}/events").json_body

    assert [e["event"] for e in page["events"]] == ["member.joined", "message.created"]
    assert not Membership.objects.filter(user=outsider).exists()


def test_platform_staff_moderate_a_readable_room_without_being_members(
    api_for, make_room, make_agent, other_org, alice, themes
):
    room = make_room(alice, kind="thematic", access="open", theme="rh")
    message_id = _send(api_for(alice), room, "Propos déplacé").json_body["id"]
    staff = make_agent(other_org, name="Équipe Préau", staff=True)

    response = api_for(staff).delete(f"/messages/{message_id}")

    assert response.status_code == 200
    assert (
        RoomEvent.objects.get(room=room, kind="message.deleted").data["deleted_by"]["id"]
        == staff.pk
    )
    assert not Membership.objects.filter(room=room, user=staff).exists()
