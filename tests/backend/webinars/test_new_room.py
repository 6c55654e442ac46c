"""A webinar scheduled in a room created for it, rather than in an existing room."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from backend.common.errors import BadRequest, Forbidden
from backend.rooms.models import Membership, Room
from backend.webinars import services
from backend.webinars.models import Host, Webinar

pytestmark = pytest.mark.django_db


def _times() -> dict[str, str]:
    start = timezone.now() + timedelta(days=2)
    return {
        "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(hours=1)).isoformat(),
    }


def test_a_webinar_may_get_a_thematic_room_of_its_own_owned_by_its_creator(alice, themes):
    webinar = services.webinar_create(
        actor=alice,
        new_room={"access": "organisation", "theme": "finances"},
        title="Budget participatif : retours",
        description="Trois villes racontent.",
        **_times(),
    ).webinar

    room = Room.objects.get(pk=webinar.room_id)
    assert room.name == "Budget participatif : retours"
    assert room.kind == Room.Kind.THEMATIC and room.access == Room.Access.ORGANISATION
    assert room.theme.slug == "finances" and room.organisation_id == alice.organisation_id
    assert room.description == "Trois villes racontent."
    owner = Membership.objects.get(room=room)
    assert owner.user == alice and owner.role == Membership.Role.OWNER
    assert Host.objects.get(webinar=webinar).user == alice


def test_an_invite_only_new_room_is_private_and_needs_no_theme(alice):
    webinar = services.webinar_create(
        actor=alice, new_room={"access": "invite"}, title="Atelier fermé", **_times()
    ).webinar

    assert webinar.room.kind == Room.Kind.PRIVATE and webinar.room.access == Room.Access.INVITE


def test_the_rest_api_creates_the_room_with_the_webinar(api_for, alice, bob, themes):
    response = api_for(alice).post(
        "/webinars",
        {"new_room": {"access": "open", "theme": "rh"}, "title": "Télétravail", **_times()},
    )

    assert response.status_code == 201, response.json_body
    body = response.json_body
    assert body["room_name"] == "Télétravail" and body["role"] == "moderator"
    room = Room.objects.get(pk=body["room"])
    assert room.access == Room.Access.OPEN and room.theme.slug == "rh"
    # An open room: another agent of the organisation sees the webinar on the agenda.
    assert [w["id"] for w in api_for(bob).get("/webinars").json_body] == [body["id"]]


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({}, "room_or_new_room"),
        ({"room_id": "ROOM", "new_room": {"access": "invite"}}, "room_or_new_room"),
        ({"new_room": {"access": "organisation"}}, "unknown_theme"),
        ({"new_room": {"access": "organisation", "theme": "inconnu"}}, "unknown_theme"),
        ({"new_room": {"access": "everyone"}}, "bad_new_room"),
        ({"new_room": {"access": "invite", "kind": "geographic"}}, "bad_new_room"),
    ],
)
def test_a_bad_room_choice_is_refused_and_creates_nothing(alice, room, themes, fields, reason):
    if fields.get("room_id") == "ROOM":
        fields = {**fields, "room_id": room.pk}
    rooms_before = Room.objects.count()

    with pytest.raises(BadRequest) as refused:
        services.webinar_create(actor=alice, title="Refusé", **_times(), **fields)

    assert refused.value.reason == reason
    assert Room.objects.count() == rooms_before
    assert not Webinar.objects.exists()


def test_bad_times_create_no_room(alice):
    start = timezone.now()
    with pytest.raises(BadRequest):
        services.webinar_create(
            actor=alice,
            new_room={"access": "invite"},
            title="À l'envers",
            starts_at=start.isoformat(),
            ends_at=(start - timedelta(hours=1)).isoformat(),
        )

    assert not Room.objects.filter(name="À l'envers").exists()


def test_an_agent_below_the_room_creation_level_gets_no_room(alice, settings):
    settings.PREAU = {**settings.PREAU, "LEVEL_FOR_ROOMS": 5}

    with pytest.raises(Forbidden) as refused:
        services.webinar_create(
            actor=alice, new_room={"access": "invite"}, title="Trop tôt", **_times()
        )

    assert refused.value.reason == "level_too_low"
    assert not Room.objects.filter(name="Trop tôt").exists()
