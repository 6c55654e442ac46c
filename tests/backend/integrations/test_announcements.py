"""Announcements to audiences: who they reach, who may send them, and their read count."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from backend.integrations import services as integrations
from backend.messaging.models import Message
from backend.rooms import services as rooms
from backend.rooms.models import Territory
from tests.backend.conftest import row_counts

pytestmark = pytest.mark.django_db


@pytest.fixture
def places(territories):
    """Two communes in the Rhône (69), one in the Aude (11)."""
    lyon = Territory.objects.create(
        level="commune", insee_code="69123", name="Lyon", parent=territories["69"]
    )
    carcassonne = Territory.objects.create(
        level="commune", insee_code="11069", name="Carcassonne", parent=territories["aude"]
    )
    return {**territories, "69123": lyon, "11069": carcassonne}


@pytest.fixture
def geo(make_room, alice, places, themes):
    def room(name, code, level=None):
        return make_room(
            alice,
            name=name,
            kind="geographic",
            access="open",
            territory=code,
            territory_level=level,
        )

    return {
        "villeurbanne": room("Villeurbanne", "69266"),
        "lyon": room("Lyon", "69123"),
        "carcassonne": room("Carcassonne", "11069"),
        "aura": room("Auvergne-Rhône-Alpes", "84", "region"),
        "finances": make_room(
            alice, name="Finances", kind="thematic", access="open", theme="finances"
        ),
    }


@pytest.fixture
def staff(make_agent, org):
    return make_agent(org, name="Équipe Préau", staff=True)


def test_an_announcement_to_departement_69_reaches_its_communes_rooms_and_no_other(
    api_for, staff, geo
):
    response = api_for(staff).post(
        "/announcements",
        {"body": "Vigilance orange orages", "territory": "69", "territory_level": "departement"},
    )

    assert response.status_code == 201, response.json_body
    assert sorted(response.json_body["rooms"]) == sorted([geo["villeurbanne"].pk, geo["lyon"].pk])
    got = set(
        Message.objects.filter(body="Vigilance orange orages").values_list("room_id", flat=True)
    )
    assert got == {geo["villeurbanne"].pk, geo["lyon"].pk}
    message = Message.objects.filter(room=geo["lyon"]).last()
    assert message.meta == {"announcement": response.json_body["id"]}


def test_the_read_count_rises_as_agents_read_it(api_for, staff, geo, bob, make_agent, org):
    carol = make_agent(org, name="Carole")
    for agent, room in ((bob, geo["villeurbanne"]), (carol, geo["lyon"])):
        rooms.room_join(actor=agent, room_id=room.pk)
    sent = (
        api_for(staff)
        .post(
            "/announcements",
            {"body": "Exercice", "territory": "69", "territory_level": "departement"},
        )
        .json_body
    )

    def read_by():
        return api_for(staff).get(f"/announcements/{sent['id']}").json_body["read_by"]

    assert read_by() == 0
    rooms.read_mark(actor=bob, room_id=geo["villeurbanne"].pk, seq=10**6)
    assert read_by() == 1
    rooms.read_mark(actor=carol, room_id=geo["lyon"].pk, seq=10**6)
    assert read_by() == 2
    pinned = api_for(carol).get(f"/rooms/{geo['lyon'].pk}/announcements").json_body
    assert [(p["id"], p["read_by"]) for p in pinned] == [(sent["id"], 2)]


def test_an_announcement_is_pinned_only_for_its_period(api_for, staff, geo):
    api = api_for(staff)
    api.post("/announcements", {"body": "Éphémère", "rooms": [geo["lyon"].pk], "pinned_days": 0})
    kept = api.post("/announcements", {"body": "Semaine", "rooms": [geo["lyon"].pk]}).json_body

    pinned = api.get(f"/rooms/{geo['lyon'].pk}/announcements").json_body

    assert [p["id"] for p in pinned] == [kept["id"]]


def test_an_agent_announces_only_to_rooms_it_moderates(api_for, alice, bob, geo, room):
    as_alice, as_bob = api_for(alice), api_for(bob)
    allowed = as_alice.post("/announcements", {"body": "Note", "rooms": [geo["lyon"].pk]})
    assert allowed.status_code == 201
    before = row_counts()

    not_moderator = as_bob.post("/announcements", {"body": "x", "rooms": [room.pk]})
    broad = as_alice.post("/announcements", {"body": "x", "theme": "finances"})

    assert (not_moderator.status_code, not_moderator.json_body["code"]) == (403, "forbidden")
    assert (broad.status_code, broad.json_body["code"]) == (403, "forbidden")
    assert row_counts() == before


def test_outsiders_learn_nothing_of_announcements(api_for, alice, outsider, room):
    sent = api_for(alice).post("/announcements", {"body": "Interne", "rooms": [room.pk]}).json_body
    api = api_for(outsider)
    before = row_counts()

    assert api.get(f"/announcements/{sent['id']}").status_code == 404
    assert api.get(f"/rooms/{room.pk}/announcements").status_code == 404
    refused = api.post("/announcements", {"body": "x", "rooms": [room.pk]})
    assert (refused.status_code, refused.json_body["reason"]) == (400, "unknown_rooms")
    assert row_counts() == before


def test_a_bot_announces_in_the_rooms_it_may_post_in(api_for, alice, geo, bot):
    integrations.bot_grant(actor=alice, bot_id=bot.user.pk, room_id=geo["lyon"].pk)

    sent = bot.api.post("/announcements", {"body": "Coupure d'eau", "rooms": [geo["lyon"].pk]})
    elsewhere = bot.api.post("/announcements", {"body": "x", "rooms": [geo["carcassonne"].pk]})

    assert sent.status_code == 201, sent.json_body
    assert api_for(alice).get(f"/announcements/{sent.json_body['id']}").status_code == 200
    assert elsewhere.status_code == 400


def test_staff_announce_to_the_rooms_of_one_kind_of_organisation(
    api_for, staff, alice, make_room, make_agent, other_org, themes
):
    aude_agent = make_agent(other_org)
    aude = make_room(aude_agent, name="DRH", kind="thematic", access="organisation", theme="rh")
    make_room(alice, name="DRH", kind="thematic", access="organisation", theme="rh")

    sent = api_for(staff).post(
        "/announcements", {"body": "Réforme", "organisation_kind": "departement"}
    )

    assert sent.status_code == 201, sent.json_body
    assert sent.json_body["rooms"] == [aude.pk]


def test_an_announcement_to_a_theme_reaches_the_members_of_its_thematic_rooms_only(
    api_for, staff, alice, bob, make_agent, org, make_room, geo
):
    other_finances = make_room(
        bob, name="Budgets communaux", kind="thematic", access="open", theme="finances"
    )
    rh = make_room(alice, name="Recrutement", kind="thematic", access="open", theme="rh")
    reader, elsewhere = make_agent(org, name="Lectrice"), make_agent(org, name="Ailleurs")
    rooms.room_join(actor=reader, room_id=geo["finances"].pk)
    for room in (rh, geo["lyon"]):
        rooms.room_join(actor=elsewhere, room_id=room.pk)

    sent = api_for(staff).post(
        "/announcements", {"body": "Clôture budgétaire", "theme": "finances"}
    )

    assert sent.status_code == 201, sent.json_body
    assert sent.json_body["audience"] == "theme"
    assert sent.json_body["target"] == {"theme": "finances"}
    assert sorted(sent.json_body["rooms"]) == sorted([geo["finances"].pk, other_finances.pk])
    got = Message.objects.filter(body="Clôture budgétaire").values_list("room_id", flat=True)
    assert set(got) == {geo["finances"].pk, other_finances.pk}
    pinned = api_for(reader).get(f"/rooms/{geo['finances'].pk}/announcements").json_body
    assert [p["id"] for p in pinned] == [sent.json_body["id"]]
    for room in (rh, geo["lyon"]):
        assert api_for(elsewhere).get(f"/rooms/{room.pk}/announcements").json_body == []
    assert api_for(elsewhere).get(f"/announcements/{sent.json_body['id']}").status_code == 404


def test_the_rooms_readers_are_told_live_that_an_announcement_is_pinned(
    api_for, staff, geo, published, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        sent = api_for(staff).post(
            "/announcements",
            {"body": "Alerte", "territory": "69", "territory_level": "departement"},
        )

    frames = [p for _c, p in published if p.get("type") == "announcement"]
    channels = {c for c, p in published if p.get("type") == "announcement"}
    wanted = {geo["villeurbanne"].pk, geo["lyon"].pk}
    assert sorted(f["room"] for f in frames) == sorted(wanted)
    assert all(
        f == {"type": "announcement", "room": f["room"], "announcement": sent.json_body["id"]}
        for f in frames
    )
    assert all(any(c.endswith(f":room:{pk}") for c in channels) for pk in wanted)
    others = {geo["carcassonne"].pk, geo["aura"].pk, geo["finances"].pk}
    assert not any(c.endswith(f":room:{pk}") for pk in others for c in channels)


def test_authors_list_their_announcements_with_read_counts(api_for, staff, alice, bob, geo, bot):
    rooms.room_join(actor=bob, room_id=geo["lyon"].pk)
    mine = api_for(staff).post("/announcements", {"body": "Une", "rooms": [geo["lyon"].pk]})
    later = api_for(staff).post(
        "/announcements",
        {
            "body": "Plus tard",
            "rooms": [geo["lyon"].pk],
            "send_at": (timezone.now() + timedelta(days=2)).isoformat(),
        },
    )
    api_for(alice).post("/announcements", {"body": "D'Alice", "rooms": [geo["lyon"].pk]})
    integrations.bot_grant(actor=alice, bot_id=bot.user.pk, room_id=geo["lyon"].pk)
    by_bot = bot.api.post("/announcements", {"body": "Du robot", "rooms": [geo["lyon"].pk]})
    rooms.read_mark(actor=bob, room_id=geo["lyon"].pk, seq=10**6)

    listed = api_for(staff).get("/announcements").json_body
    alices = api_for(alice).get("/announcements").json_body

    assert [(a["id"], a["status"], a["read_by"]) for a in listed] == [
        (later.json_body["id"], "scheduled", 0),
        (mine.json_body["id"], "sent", 1),
    ]
    assert listed[1]["rooms"] == [geo["lyon"].pk]
    assert [a["body"] for a in alices] == ["Du robot", "D'Alice"]
    assert [a["read_by"] for a in alices] == [1, 1]
    assert by_bot.status_code == 201
    assert api_for(bob).get("/announcements").json_body == []
