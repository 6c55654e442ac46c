"""Message services: gap-free seq under concurrent writers, idempotency, event payloads."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection

from backend.common.errors import Conflict, Forbidden, NotFound, TooLarge
from backend.messaging import events, services
from backend.messaging.models import Message
from backend.rooms import services as rooms
from backend.rooms.models import Room, RoomEvent
from realtime.groups import room_channel
from tests.backend.schema import check_payload

WRITERS = 8
PER_WRITER = 15


def _in_threads(count: int, work: Callable[[int], Any]) -> list[Any]:
    """Run work(i) in ``count`` threads released together; each thread closes its connection."""
    barrier = threading.Barrier(count)
    results: list[Any] = [None] * count
    errors: list[BaseException] = []

    def run(i: int) -> None:
        try:
            barrier.wait(timeout=30)
            results[i] = work(i)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a writer hung"
    assert errors == [], errors
    return results


def _assert_gap_free(room: Room) -> list[RoomEvent]:
    room.refresh_from_db()
    log = list(RoomEvent.objects.filter(room=room).order_by("seq"))
    assert [e.seq for e in log] == list(range(1, room.last_seq + 1))
    return log


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_in_one_room_get_seq_without_gap_or_duplicate(make_agent, org, themes):
    writers = [make_agent(org, name=f"Agent {i}") for i in range(WRITERS)]
    room = rooms.room_create(
        actor=writers[0], name="Débat", kind="thematic", access="open", theme="rh"
    ).room
    for writer in writers[1:]:
        rooms.room_join(actor=writer, room_id=room.pk)

    def write(i: int) -> list[int]:
        return [
            services.message_send(actor=writers[i], room_id=room.pk, body=f"{i}-{n}").message.seq
            for n in range(PER_WRITER)
        ]

    seqs_by_writer = _in_threads(WRITERS, write)

    log = _assert_gap_free(room)
    assert len(log) == WRITERS + WRITERS * PER_WRITER  # one member.joined each, then messages
    assert sorted(s for seqs in seqs_by_writer for s in seqs) == [
        e.seq for e in log if e.kind == "message.created"
    ]
    for seqs in seqs_by_writer:
        assert seqs == sorted(seqs)  # each writer's own messages keep their order
    messages = Message.objects.filter(room=room)
    assert messages.count() == WRITERS * PER_WRITER
    created = {e.message_id: e for e in log if e.kind == "message.created"}
    for message in messages:
        assert created[message.pk].seq == message.seq
        assert created[message.pk].data["body"] == message.body


@pytest.mark.django_db(transaction=True)
def test_concurrent_retries_of_one_client_id_create_one_message(alice):
    room = rooms.room_create(actor=alice, name="Cellule", kind="private", access="invite").room

    results = _in_threads(
        WRITERS,
        lambda i: services.message_send(
            actor=alice, room_id=room.pk, body="Une fois", client_id="c-1"
        ),
    )

    assert Message.objects.filter(room=room).count() == 1
    assert {r.message.pk for r in results} == {Message.objects.get().pk}
    assert [r.created for r in results].count(True) == 1
    log = _assert_gap_free(room)
    assert [e.kind for e in log] == ["member.joined", "message.created"]


@pytest.mark.django_db(transaction=True)
def test_concurrent_sends_of_one_client_id_to_two_rooms_create_one_message_and_conflicts(alice):
    pair = [
        rooms.room_create(actor=alice, name=name, kind="private", access="invite").room
        for name in ("Un", "Deux")
    ]

    def send(i: int) -> str:
        try:
            services.message_send(actor=alice, room_id=pair[i % 2].pk, body="x", client_id="c-1")
        except Conflict as exc:
            return exc.reason or ""
        return "sent"

    outcomes = _in_threads(WRITERS, send)

    [message] = Message.objects.all()
    winners = [i for i, outcome in enumerate(outcomes) if outcome == "sent"]
    assert all(pair[i % 2].pk == message.room_id for i in winners)
    assert sorted(set(outcomes)) == ["client_id_reused", "sent"]
    for room in pair:
        _assert_gap_free(room)


@pytest.mark.django_db
def test_a_client_id_committed_by_a_concurrent_send_elsewhere_is_a_conflict(
    make_room, alice, monkeypatch
):
    """The race the look-ups cannot see: the other send commits between them and the insert."""
    first = make_room(alice, name="Un")
    second = make_room(alice, name="Deux")
    services.message_send(actor=alice, room_id=first.pk, body="Bonjour", client_id="c-1")
    monkeypatch.setattr(services, "_previous_send", _blind_first_lookups(services._previous_send))

    with pytest.raises(Conflict) as refused:
        services.message_send(actor=alice, room_id=second.pk, body="Bonjour", client_id="c-1")

    assert refused.value.reason == "client_id_reused"
    assert Message.objects.count() == 1
    assert RoomEvent.objects.filter(room=second).count() == 1


@pytest.mark.django_db
def test_a_client_id_committed_by_a_concurrent_send_in_the_same_room_returns_it(
    make_room, alice, monkeypatch
):
    room = make_room(alice)
    original = services.message_send(actor=alice, room_id=room.pk, body="Bonjour", client_id="c-1")
    monkeypatch.setattr(services, "_previous_send", _blind_first_lookups(services._previous_send))

    retry = services.message_send(actor=alice, room_id=room.pk, body="Bonjour", client_id="c-1")

    assert (retry.message.pk, retry.created) == (original.message.pk, False)
    _assert_gap_free(room)
    assert Message.objects.count() == 1


def _blind_first_lookups(real: Callable[..., Any]) -> Callable[..., Any]:
    calls = {"n": 0}

    def lookup(**kwargs: Any) -> Any:
        calls["n"] += 1
        return None if calls["n"] <= 2 else real(**kwargs)

    return lookup


# --- events ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_message_send_appends_one_message_created(
    make_room, alice, published, django_capture_on_commit_callbacks
):
    room = make_room(alice)

    with django_capture_on_commit_callbacks(execute=True):
        result = services.message_send(
            actor=alice,
            room_id=room.pk,
            body="Le **budget** est voté.",
            client_id="abc",
            documents=[{"url": "https://www.collectivites-locales.gouv.fr/m57", "title": "M57"}],
        )

    [event] = RoomEvent.objects.filter(room=room, kind__startswith="message.")
    check_payload(events.MessageCreated, event.data)
    assert event.seq == result.message.seq == 2
    assert event.message_id == result.message.pk
    assert event.data["author"] == {"id": alice.pk, "name": "Alice Martin", "level": 1}
    assert event.data["documents"] == [
        {"url": "https://www.collectivites-locales.gouv.fr/m57", "title": "M57", "description": ""}
    ]
    assert event.data["created_at"].endswith("Z")
    assert published == [(room_channel(room.pk), event.as_frame())]


@pytest.mark.django_db
def test_a_retried_send_appends_and_publishes_nothing(
    make_room, alice, published, django_capture_on_commit_callbacks
):
    room = make_room(alice)
    services.message_send(actor=alice, room_id=room.pk, body="Bonjour", client_id="abc")

    with django_capture_on_commit_callbacks(execute=True):
        retry = services.message_send(actor=alice, room_id=room.pk, body="Bonjour", client_id="abc")

    assert retry.created is False
    assert RoomEvent.objects.filter(room=room).count() == 2
    assert published == []


@pytest.mark.django_db
def test_a_reply_in_a_thread_points_at_the_root(make_room, alice):
    room = make_room(alice)
    root = services.message_send(actor=alice, room_id=room.pk, body="Question").message
    reply = services.message_send(
        actor=alice, room_id=room.pk, body="Réponse", thread=root.pk
    ).message

    nested = services.message_send(
        actor=alice, room_id=room.pk, body="Suite", thread=reply.pk
    ).message

    assert (reply.thread_id, nested.thread_id) == (root.pk, root.pk)
    assert RoomEvent.objects.get(message=nested, kind="message.created").data["thread"] == root.pk


@pytest.mark.django_db
def test_message_edit_appends_one_message_edited(
    make_room, alice, published, django_capture_on_commit_callbacks
):
    room = make_room(alice)
    message = services.message_send(actor=alice, room_id=room.pk, body="Brouillon").message

    with django_capture_on_commit_callbacks(execute=True):
        services.message_edit(actor=alice, message_id=message.pk, body="Version finale")
        services.message_edit(actor=alice, message_id=message.pk, body="Version finale")

    [edited] = RoomEvent.objects.filter(room=room, kind="message.edited")
    check_payload(events.MessageEdited, edited.data)
    assert edited.data["body"] == "Version finale"
    assert edited.data["edited_by"] == {"id": alice.pk, "name": "Alice Martin"}
    assert published == [(room_channel(room.pk), edited.as_frame())]


@pytest.mark.django_db
def test_message_delete_appends_one_message_deleted_and_redacts_earlier_events(
    make_room, alice, published, django_capture_on_commit_callbacks
):
    room = make_room(alice)
    message = services.message_send(
        actor=alice,
        room_id=room.pk,
        body="Secret",
        documents=[{"url": "https://exemple.fr/a", "title": "A"}],
    ).message
    services.message_edit(actor=alice, message_id=message.pk, body="Secret modifié")

    with django_capture_on_commit_callbacks(execute=True):
        services.message_delete(actor=alice, message_id=message.pk)

    created, edited, deleted = RoomEvent.objects.filter(message=message).order_by("seq")
    assert [e.kind for e in (created, edited, deleted)] == [
        "message.created",
        "message.edited",
        "message.deleted",
    ]
    check_payload(events.MessageDeleted, deleted.data)
    assert deleted.data["deleted_by"] == {"id": alice.pk, "name": "Alice Martin"}
    for earlier in (created, edited):
        assert "Secret" not in str(earlier.data)
        assert earlier.data["body"] == ""
        assert earlier.data["documents"] == []
        assert earlier.data["deleted"] is True
    assert published == [(room_channel(room.pk), deleted.as_frame())]


@pytest.mark.django_db
def test_a_deleted_message_cannot_be_edited_or_deleted_again(make_room, alice):
    room = make_room(alice)
    message = services.message_send(actor=alice, room_id=room.pk, body="x").message
    services.message_delete(actor=alice, message_id=message.pk)

    with pytest.raises(NotFound):
        services.message_edit(actor=alice, message_id=message.pk, body="y")
    with pytest.raises(NotFound):
        services.message_delete(actor=alice, message_id=message.pk)
    assert RoomEvent.objects.filter(message=message).count() == 2


@pytest.mark.django_db
def test_a_body_over_the_limit_is_refused_never_truncated(make_room, alice):
    room = make_room(alice)

    with pytest.raises(TooLarge):
        services.message_send(actor=alice, room_id=room.pk, body="é" * 10_001)

    assert not Message.objects.exists()
    accepted = services.message_send(actor=alice, room_id=room.pk, body="é" * 10_000).message
    assert len(accepted.body) == 10_000


@pytest.mark.django_db
def test_a_non_member_cannot_post_in_an_open_room(make_room, alice, bob, themes):
    room = make_room(alice, kind="thematic", access="open", theme="rh")

    with pytest.raises(Forbidden):
        services.message_send(actor=bob, room_id=room.pk, body="Bonjour")
    assert not Message.objects.exists()
