"""French full-text search on PostgreSQL: stemming, accents, filters, and no leaks."""

from __future__ import annotations

import random

import pytest

from backend.direct import services as direct
from backend.messaging import services as messaging
from backend.messaging.models import Message
from backend.rooms import services as rooms
from backend.rooms.access import can_read, membership_of
from backend.rooms.models import Room
from backend.search.selectors import SearchFilters, search_for
from backend.search.text import highlight
from tests.backend.conftest import send

pytestmark = pytest.mark.django_db


def found(user, q, **filters):  # type: ignore[no-untyped-def]
    result = search_for(user=user, q=q, filters=SearchFilters(**filters), limit=100)
    return [r["message"]["id"] for r in result["results"]]


def test_french_stemming_and_accents(room, alice):
    plural = send(alice, room, "Les réunions du conseil municipal")
    plain = send(alice, room, "Une reunion sans accent")
    singular = send(alice, room, "La collectivité a voté")
    send(alice, room, "Rien à voir")
    assert set(found(alice, "réunion")) == {plural.pk, plain.pk}
    assert found(alice, "collectivités") == [singular.pk]
    assert found(alice, "collectivites") == [singular.pk]


def test_document_titles_are_searched_and_the_has_document_filter_applies(room, alice):
    with_doc = send(
        alice,
        room,
        "Voici le modèle",
        documents=[
            {"url": "https://exemple.fr/rbf.pdf", "title": "Règlement budgétaire et financier"}
        ],
    )
    send(alice, room, "Le règlement intérieur")
    assert found(alice, "budgétaire") == [with_doc.pk]
    assert found(alice, "règlement", has_document=True) == [with_doc.pk]
    assert len(found(alice, "règlement", has_document=False)) == 1


def test_filters_by_room_author_and_date(room, alice, bob):
    other = rooms.room_create(actor=alice, name="Autre", kind="private", access="invite").room
    mine = send(alice, room, "budget primitif")
    theirs = send(bob, room, "budget supplémentaire")
    elsewhere = send(alice, other, "budget annexe")
    assert set(found(alice, "budget")) == {mine.pk, theirs.pk, elsewhere.pk}
    assert set(found(alice, "budget", room=room.pk)) == {mine.pk, theirs.pk}
    assert found(alice, "budget", author=bob.pk) == [theirs.pk]
    assert set(found(alice, "budget", after=theirs.created_at)) == {theirs.pk, elsewhere.pk}
    assert found(alice, "budget", before=theirs.created_at) == [mine.pk]


def test_results_are_ranked_highlighted_and_exclude_deleted_messages(api_for, room, alice):
    send(alice, room, "subvention")
    gone = send(alice, room, "subvention annulée")
    messaging.message_delete(actor=alice, message_id=gone.pk)
    body = api_for(alice).get("/search?q=subventions").json_body
    assert body["total"] == 1 and body["engine"] == "postgresql"
    hit = body["results"][0]
    start, end = hit["highlights"][0]
    assert hit["snippet"][start:end] == "subvention"


def test_edits_are_searchable_and_old_words_are_not(room, alice):
    message = send(alice, room, "ancienne version")
    messaging.message_edit(actor=alice, message_id=message.pk, body="nouvelle mouture")
    assert found(alice, "ancienne") == []
    assert found(alice, "mouture") == [message.pk]


def test_bad_queries_are_refused(api_for, alice):
    client = api_for(alice)
    assert client.get("/search?q=").json_body["code"] == "bad_request"
    assert client.get("/search?q=%20%21%3F").json_body["code"] == "bad_request"
    assert client.get("/search?q=" + "a" * 201).status_code == 400


def test_highlight_ranges_point_at_matching_words():
    snippet, ranges = highlight("Les Réunions de la commission", "réunion")
    assert [snippet[s:e] for s, e in ranges] == ["Réunions"]


def test_search_never_returns_what_the_user_cannot_read(make_agent, org, other_org, themes):
    """Property-style: random rooms, accesses, memberships and messages; every hit is readable."""
    rng = random.Random(20261124)
    people = [make_agent(org) for _ in range(4)] + [make_agent(other_org) for _ in range(3)]
    for trial in range(6):
        created = []
        for n in range(4):
            owner = rng.choice(people)
            kind, access = rng.choice(
                [
                    ("private", "invite"),
                    ("thematic", "open"),
                    ("thematic", "organisation"),
                    ("thematic", "invite"),
                ]
            )
            room = rooms.room_create(
                actor=owner,
                name=f"t{trial}-{n}",
                kind=kind,
                access=access,
                theme="finances" if kind == "thematic" else None,
            ).room
            for person in rng.sample(people, rng.randint(0, 4)):
                if person == owner:
                    continue
                if access == "invite":
                    rooms.room_invite(actor=owner, room_id=room.pk, user_id=person.pk)
                if access != "organisation" or person.organisation_id == room.organisation_id:
                    rooms.room_join(actor=person, room_id=room.pk)
            created.append(room)
        # A direct conversation too: its messages are found by its participants only.
        starter, *others = rng.sample(people, rng.randint(2, 4))
        opened = direct.direct_open(actor=starter, user_ids=[p.pk for p in others])
        if opened.created:  # a reopened one holds earlier trials' messages
            created.append(opened.room)
        for room in created:
            authors = [m.user for m in room.memberships.select_related("user")]
            for _ in range(rng.randint(1, 3)):
                # Numbers from 100 up: never taken for another trial's number.
                send(
                    rng.choice(authors),
                    room,
                    f"délibération {trial} numéro {rng.randint(100, 999)}",
                )
        for person in people:
            hits = Message.objects.filter(pk__in=found(person, f"délibérations {trial}"))
            for message in hits.select_related("room"):
                room = Room.objects.get(pk=message.room_id)
                assert can_read(
                    user=person, room=room, membership=membership_of(user=person, room_id=room.pk)
                ), (person, room.access)
            expected = {
                m.pk
                for m in Message.objects.filter(room__in=created).select_related("room")
                if can_read(
                    user=person,
                    room=m.room,
                    membership=membership_of(user=person, room_id=m.room_id),
                )
            }
            assert set(hits.values_list("pk", flat=True)) == expected
