"""Threads, read positions in threads, files, document links and mentions over the socket.

Each test checks that the room's members receive the event and that outsiders (another
organisation) and colleagues who are not members receive nothing at all.
"""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async
from django.core.files.uploadedfile import SimpleUploadedFile

from backend.messaging import selectors
from backend.messaging import services as messaging
from backend.messaging.models import Attachment, Mention

from .test_consumer import add_member, is_event, make_room, send

pytestmark = pytest.mark.django_db(transaction=True)

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@database_sync_to_async
def thread_view(user, root):  # type: ignore[no-untyped-def]
    return selectors.thread_for(user=user, root_id=root.pk)


@database_sync_to_async
def upload(user, room, name: str = "rbf-2026.pdf"):  # type: ignore[no-untyped-def]
    return messaging.attachment_upload(
        actor=user, room_id=room.pk, upload=SimpleUploadedFile(name, PDF)
    )


@pytest.fixture
async def private_room(alice, bob, make_agent, org):  # type: ignore[no-untyped-def]
    """Alice's invite-only room with Bob; ``colleague`` is in Alice's organisation, not in it."""
    room = await make_room(alice)
    await add_member(room, alice, bob)
    room.colleague = await database_sync_to_async(make_agent)(org)
    return room


@pytest.fixture
def media(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path / "media"


# --- threads ---------------------------------------------------------------------------------


async def test_thread_reply_over_the_socket_carries_the_thread_and_reaches_members_only(
    connect, private_room, alice, bob, outsider
):
    root = await send(alice, private_room, "Qui a un modèle de convention ?")
    a, b = await connect(alice), await connect(bob)
    o, c = await connect(outsider), await connect(private_room.colleague)
    ack = await b.request(
        {
            "type": "message.send",
            "room": private_room.pk,
            "body": "Moi, je te l'envoie",
            "thread": root.pk,
            "client_id": "t1",
        }
    )
    assert ack["type"] == "ack", ack
    for member in (a, b):
        frame = await member.recv_until(is_event("message.created"))
        assert frame["room"] == private_room.pk and frame["seq"] == ack["message"]["seq"]
        assert frame["data"]["thread"] == root.pk
        assert frame["data"]["body"] == "Moi, je te l'envoie"
    # A reply to a reply joins the root's thread: the event names the root.
    ack = await a.request(
        {
            "type": "message.send",
            "room": private_room.pk,
            "body": "Merci !",
            "thread": ack["message"]["id"],
        }
    )
    frame = await b.recv_until(is_event("message.created"))
    assert frame["data"]["thread"] == root.pk
    thread = await thread_view(alice, root)
    assert thread["root"]["reply_count"] == 2
    assert [p["id"] for p in thread["participants"]] == [bob.pk, alice.pk]
    # An outsider can neither reply in the thread nor learn anything about it.
    refused = await o.request(
        {"type": "message.send", "room": private_room.pk, "body": "Moi ?", "thread": root.pk}
    )
    assert refused["type"] == "error" and refused["code"] == "not_found"
    await o.assert_silent()
    await c.assert_silent()


async def test_a_thread_in_another_room_is_not_a_place_to_reply(connect, private_room, alice):
    other = await make_room(alice, name="Autre")
    root = await send(alice, other, "Racine ailleurs")
    a = await connect(alice)
    refused = await a.request(
        {"type": "message.send", "room": private_room.pk, "body": "x", "thread": root.pk}
    )
    assert refused["type"] == "error" and refused["code"] == "not_found", refused


async def test_read_frame_with_thread_moves_the_thread_position_and_its_unread_count(
    connect, private_room, alice, bob, outsider
):
    root = await send(alice, private_room, "Question")
    await send(bob, private_room, "r1", thread=root.pk)
    last = await send(bob, private_room, "r2", thread=root.pk)
    before = await thread_view(alice, root)
    assert (before["following"], before["unread"]) == (True, 2)
    phone, laptop = await connect(alice), await connect(alice)
    ack = await phone.request(
        {"type": "read", "room": private_room.pk, "thread": root.pk, "seq": last.seq}
    )
    assert ack == {
        "type": "ack",
        "ref": ack["ref"],
        "room": private_room.pk,
        "thread": root.pk,
        "seq": last.seq,
    }
    after = await thread_view(alice, root)
    assert (after["read"], after["unread"]) == (last.seq, 0)
    told = await laptop.recv_until(lambda f: f.get("type") == "read")
    assert told == {"type": "read", "room": private_room.pk, "thread": root.pk, "seq": last.seq}
    # The thread position is the thread's own: the room's read position has not moved.
    entry = (await connect(alice)).hello["rooms"][0]
    assert entry["read"] == 0 and entry["unread"] == 2
    # It never moves back, and a new reply counts as unread again, on every device.
    back = await laptop.request(
        {"type": "read", "room": private_room.pk, "thread": root.pk, "seq": 1}
    )
    assert back["seq"] == last.seq
    await send(bob, private_room, "r3", thread=root.pk)
    assert (await thread_view(alice, root))["unread"] == 1
    # Refusals: not following, an outsider, a thread of another room.
    await database_sync_to_async(messaging.thread_follow)(actor=bob, root_id=root.pk, follow=False)
    b = await connect(bob)
    for client, room_id in ((b, private_room.pk), (await connect(outsider), private_room.pk)):
        refused = await client.request(
            {"type": "read", "room": room_id, "thread": root.pk, "seq": last.seq}
        )
        assert refused["type"] == "error" and refused["code"] == "not_found", refused
    other = await make_room(alice, name="Autre")
    refused = await phone.request(
        {"type": "read", "room": other.pk, "thread": root.pk, "seq": last.seq}
    )
    assert refused["code"] == "not_found"
    assert (await thread_view(alice, root))["read"] == last.seq


# --- files and document links ----------------------------------------------------------------


async def test_files_and_document_links_sent_over_the_socket_reach_members_only(
    connect, private_room, alice, bob, outsider, media
):
    file = await upload(alice, private_room)
    a, b = await connect(alice), await connect(bob)
    o, c = await connect(outsider), await connect(private_room.colleague)
    link = {
        "url": "https://www.collectivites-locales.gouv.fr/rbf",
        "title": "Guide du RBF",
        "description": "Édition 2026",
    }
    ack = await a.request(
        {
            "type": "message.send",
            "room": private_room.pk,
            "body": "Le guide et la délibération",
            "documents": [link],
            "files": [file.pk],
        }
    )
    assert ack["type"] == "ack", ack
    frame = await b.recv_until(is_event("message.created"))
    data = frame["data"]
    assert [d["url"] for d in data["documents"]] == [link["url"]]
    assert data["documents"][0]["title"] == "Guide du RBF"
    assert [(f["id"], f["name"], f["content_type"]) for f in data["files"]] == [
        (file.pk, "rbf-2026.pdf", "application/pdf")
    ]
    assert data["files"][0]["url"] == f"/api/v1/files/{file.pk}"
    await o.assert_silent()
    await c.assert_silent()


async def test_a_file_cannot_be_attached_by_someone_else_or_twice(
    connect, private_room, alice, bob, outsider, media
):
    file = await upload(alice, private_room)
    b, o = await connect(bob), await connect(outsider)
    for client in (b, o):  # Bob is a member, but the file is Alice's
        refused = await client.request(
            {"type": "message.send", "room": private_room.pk, "body": "x", "files": [file.pk]}
        )
        assert refused["type"] == "error" and refused["code"] == "not_found", refused
    a = await connect(alice)
    first = await a.request(
        {"type": "message.send", "room": private_room.pk, "body": "1", "files": [file.pk]}
    )
    assert first["type"] == "ack"
    again = await a.request(
        {"type": "message.send", "room": private_room.pk, "body": "2", "files": [file.pk]}
    )
    assert again["type"] == "error" and again["code"] == "not_found"
    attachment = await database_sync_to_async(Attachment.objects.get)(pk=file.pk)
    assert attachment.message_id == first["message"]["id"]
    await o.assert_silent()


@pytest.mark.parametrize(
    "documents",
    [
        [{"url": "javascript:alert(1)", "title": "x"}],
        [{"url": "http://", "title": "x"}],
        [{"title": "sans lien"}],
        "https://example.org",
    ],
)
async def test_bad_document_links_are_refused_and_nothing_is_sent(
    connect, private_room, alice, bob, documents
):
    a, b = await connect(alice), await connect(bob)
    refused = await a.request(
        {"type": "message.send", "room": private_room.pk, "body": "x", "documents": documents}
    )
    assert refused["type"] == "error" and refused["code"] == "bad_request", refused
    await b.assert_silent()


# --- mentions --------------------------------------------------------------------------------


async def test_a_mention_over_the_socket_names_the_member_and_counts_for_them_only(
    connect, private_room, alice, bob, outsider
):
    a, b = await connect(alice), await connect(bob)
    o, c = await connect(outsider), await connect(private_room.colleague)
    body = f"@{bob.name} et @{outsider.name} et @{private_room.colleague.name}, vous relisez ?"
    ack = await a.request({"type": "message.send", "room": private_room.pk, "body": body})
    frame = await b.recv_until(is_event("message.created"))
    # Only members can be mentioned: the outsider and the colleague are not in the room.
    assert frame["data"]["mentions"] == [bob.pk]
    mentioned = await database_sync_to_async(
        lambda: list(Mention.objects.values_list("user_id", flat=True))
    )()
    assert mentioned == [bob.pk]
    await o.assert_silent()
    await c.assert_silent()
    entry = (await connect(bob)).hello["rooms"][0]
    assert (entry["unread"], entry["mentions"]) == (1, 1)
    await b.request({"type": "read", "room": private_room.pk, "seq": ack["message"]["seq"]})
    entry = (await connect(bob)).hello["rooms"][0]
    assert (entry["unread"], entry["mentions"]) == (0, 0)
    assert [r["id"] for r in (await connect(outsider)).hello["rooms"]] == []


async def test_an_everyone_mention_over_the_socket_reaches_every_member(
    connect, private_room, alice, bob
):
    a, b = await connect(alice), await connect(bob)
    await a.request({"type": "message.send", "room": private_room.pk, "body": "@salon réunion"})
    frame = await b.recv_until(is_event("message.created"))
    assert frame["data"]["body"] == "@salon réunion"
    entry = (await connect(bob)).hello["rooms"][0]
    assert entry["mentions"] == 1


async def test_an_everyone_mention_by_a_member_of_a_large_room_is_refused_over_the_socket(
    connect, private_room, alice, bob, monkeypatch
):
    from backend.messaging.services import mentions

    monkeypatch.setattr(mentions, "EVERYONE_OPEN_UP_TO", 1)
    a, b = await connect(alice), await connect(bob)
    refused = await b.request(
        {"type": "message.send", "room": private_room.pk, "body": "@salon pot vendredi"}
    )
    assert refused["type"] == "error" and refused["code"] == "forbidden", refused
    await a.assert_silent(allow=lambda f: f["type"] == "presence")  # Bob came online
    # The owner is a moderator: the same mention from her is sent and counts for Bob.
    await a.request({"type": "message.send", "room": private_room.pk, "body": "@salon pot"})
    frame = await b.recv_until(is_event("message.created"))
    assert frame["data"]["mentions"] == [bob.pk]
