"""Rooms over REST: access rules, the directory, membership and creation rules."""

from __future__ import annotations

import pytest

from backend.rooms.models import Invitation, Membership, Room, RoomEvent
from tests.backend.conftest import row_counts

pytestmark = pytest.mark.django_db


def _create(api, **fields):
    return api.post("/rooms", fields)


# --- access ----------------------------------------------------------------------------------


def test_an_organisation_room_refuses_agents_of_other_organisations(
    api_for, make_room, alice, bob, outsider, themes
):
    room = make_room(
        alice, name="RH Villeurbanne", kind="thematic", access="organisation", theme="rh"
    )
    api = api_for(outsider)
    before = row_counts()

    refused = api.post(f"/rooms/{room.pk}/join")

    assert refused.status_code == 403
    assert refused.json_body["code"] == "forbidden"
    assert row_counts() == before
    joined = api_for(bob).post(f"/rooms/{room.pk}/join")
    assert joined.status_code == 200
    assert joined.json_body["role"] == "member"


def test_an_organisation_room_cannot_be_read_by_other_organisations(
    api_for, make_room, alice, outsider, themes
):
    room = make_room(alice, kind="thematic", access="organisation", theme="rh")
    api = api_for(outsider)

    card = api.get(f"/rooms/{room.pk}")
    assert card.status_code == 200
    assert (card.json_body["is_member"], card.json_body["role"]) == (False, None)
    for path in (f"/rooms/{room.pk}/events", f"/rooms/{room.pk}/members"):
        response = api.get(path)
        assert response.status_code == 404, path
        assert response.json_body["code"] == "not_found"
    sent = api.post(f"/rooms/{room.pk}/messages", {"body": "Bonjour"})
    assert sent.status_code == 404


def test_an_invite_room_needs_an_invitation(api_for, make_room, alice, bob, themes):
    room = make_room(
        alice, name="Groupe de travail M57", kind="thematic", access="invite", theme="finances"
    )
    bob_api = api_for(bob)

    refused = bob_api.post(f"/rooms/{room.pk}/join")
    assert refused.status_code == 403
    assert refused.json_body["code"] == "forbidden"
    assert not Membership.objects.filter(room=room, user=bob).exists()

    invited = api_for(alice).post(f"/rooms/{room.pk}/invite", {"user": bob.pk})
    assert invited.status_code == 201

    joined = bob_api.post(f"/rooms/{room.pk}/join")
    assert joined.status_code == 200
    assert joined.json_body["is_member"] is True
    assert not Invitation.objects.filter(room=room, invitee=bob).exists()


def test_a_private_room_is_joined_only_after_an_invitation(api_for, make_room, alice, bob):
    room = make_room(alice, name="Cellule de crise")
    bob_api = api_for(bob)

    refused = bob_api.post(f"/rooms/{room.pk}/join")
    assert refused.status_code == 404
    assert refused.json_body["code"] == "not_found"

    api_for(alice).post(f"/rooms/{room.pk}/invite", {"email": bob.email.upper()})
    assert bob_api.post(f"/rooms/{room.pk}/join").status_code == 200


def test_a_private_room_is_invisible_to_non_members(api_for, make_room, alice, bob, outsider):
    room = make_room(alice, name="Cellule de crise inondations", description="Confidentiel")
    api_for(alice).post(f"/rooms/{room.pk}/messages", {"body": "Point de situation à 18 h"})

    for user in (bob, outsider):
        api = api_for(user)
        listing = api.get("/rooms")
        assert listing.status_code == 200
        assert room.pk not in [r["id"] for r in listing.json_body]
        for q in ("crise", "Cellule", "inondations", "Confidentiel"):
            found = api.get(f"/rooms?q={q}")
            assert found.status_code == 200
            assert found.json_body == [], (user, q)
        assert api.get("/rooms?kind=private").json_body == []
        for path in ("", "/events", "/members", "/events?after=0", "/events?before=5"):
            response = api.get(f"/rooms/{room.pk}{path}")
            assert response.status_code == 404, path
            assert response.json_body == {
                "code": "not_found",
                "message": response.json_body["message"],
            }
            assert "Cellule" not in response.content.decode()
        for method, path in (("post", "/messages"), ("post", "/leave"), ("post", "/invite")):
            body = (
                {"body": "x"}
                if path == "/messages"
                else {"user": user.pk}
                if path == "/invite"
                else None
            )
            response = getattr(api, method)(f"/rooms/{room.pk}{path}", body)
            assert response.status_code == 404, path


def test_an_unknown_room_and_a_private_one_look_the_same(api_for, make_room, alice, outsider):
    room = make_room(alice)
    api = api_for(outsider)

    hidden = api.get(f"/rooms/{room.pk}/events")
    missing = api.get(f"/rooms/{room.pk + 1000}/events")

    assert (hidden.status_code, hidden.json_body) == (missing.status_code, missing.json_body)


def test_an_invited_agent_sees_the_private_room_in_the_directory(api_for, make_room, alice, bob):
    room = make_room(alice, name="Cellule de crise")
    api_for(alice).post(f"/rooms/{room.pk}/invite", {"user": bob.pk})

    api = api_for(bob)
    listing = api.get("/rooms?q=crise").json_body
    card = api.get(f"/rooms/{room.pk}")

    assert [(r["id"], r["invited"], r["is_member"]) for r in listing] == [(room.pk, True, False)]
    assert card.status_code == 200
    assert (card.json_body["invited"], card.json_body["is_member"]) == (True, False)
    # Invited is not a member yet: the content stays closed until the invitation is accepted.
    assert api.get(f"/rooms/{room.pk}/events").status_code == 404


def test_the_directory_lists_open_rooms_and_own_organisation_rooms(
    api_for, make_room, alice, bob, outsider, themes
):
    open_room = make_room(
        alice, name="Finances locales", kind="thematic", access="open", theme="finances"
    )
    org_room = make_room(
        alice, name="RH interne", kind="thematic", access="organisation", theme="rh"
    )

    bob_ids = {r["id"] for r in api_for(bob).get("/rooms").json_body}
    outsider_rooms = {r["id"]: r for r in api_for(outsider).get("/rooms").json_body}

    assert {open_room.pk, org_room.pk} <= bob_ids
    assert open_room.pk in outsider_rooms
    # Listed (so the agent knows whom to ask) but reserved: joining it is refused with 403.
    assert outsider_rooms[org_room.pk]["organisation"]["id"] == alice.organisation_id
    assert outsider_rooms[org_room.pk]["is_member"] is False


def test_the_directory_search_matches_name_theme_and_territory(
    api_for, make_room, alice, bob, themes, territories
):
    finances = make_room(alice, name="Budget M57", kind="thematic", access="open", theme="finances")
    rhone = make_room(
        alice, name="Agents du Rhône", kind="geographic", access="open", territory="69"
    )
    api = api_for(bob)

    assert [r["id"] for r in api.get("/rooms?q=m57").json_body] == [finances.pk]
    assert [r["id"] for r in api.get("/rooms?q=Finances").json_body] == [finances.pk]
    assert [r["id"] for r in api.get("/rooms?q=69").json_body] == [rhone.pk]
    assert [r["id"] for r in api.get("/rooms?territory=84").json_body] == [rhone.pk]
    listed = api.get("/rooms").json_body
    assert [r["member_count"] for r in listed if r["id"] == finances.pk] == [1]


# --- membership ------------------------------------------------------------------------------


def test_joining_an_open_room_twice_is_one_membership(
    api_for, make_room, alice, bob, outsider, themes
):
    room = make_room(alice, kind="thematic", access="open", theme="finances")
    api = api_for(outsider)

    assert api.post(f"/rooms/{room.pk}/join").status_code == 200
    events = RoomEvent.objects.count()
    assert api.post(f"/rooms/{room.pk}/join").status_code == 200

    assert Membership.objects.filter(room=room, user=outsider).count() == 1
    assert RoomEvent.objects.count() == events


def test_leaving_a_room_ends_membership_and_reading_of_a_private_room(
    api_for, make_room, alice, bob
):
    room = make_room(alice)
    api_for(alice).post(f"/rooms/{room.pk}/invite", {"user": bob.pk})
    bob_api = api_for(bob)
    bob_api.post(f"/rooms/{room.pk}/join")

    left = bob_api.post(f"/rooms/{room.pk}/leave")

    assert left.status_code == 200
    assert left.json_body == {"status": "left"}
    assert not Membership.objects.filter(room=room, user=bob).exists()
    assert bob_api.get(f"/rooms/{room.pk}/events").status_code == 404


def test_leaving_a_readable_room_one_is_not_a_member_of_is_forbidden(
    api_for, make_room, alice, bob, themes
):
    room = make_room(alice, kind="thematic", access="open", theme="rh")

    response = api_for(bob).post(f"/rooms/{room.pk}/leave")

    assert response.status_code == 403
    assert response.json_body["code"] == "forbidden"


def test_when_the_owner_leaves_the_oldest_moderator_becomes_owner(
    api_for, make_room, make_agent, org, alice, bob, themes
):
    room = make_room(alice, kind="thematic", access="open", theme="rh")
    carol = make_agent(org, name="Carole")
    for user in (bob, carol):
        api_for(user).post(f"/rooms/{room.pk}/join")
    Membership.objects.filter(room=room, user=carol).update(role="moderator")

    api_for(alice).post(f"/rooms/{room.pk}/leave")

    roles = dict(Membership.objects.filter(room=room).values_list("user_id", "role"))
    assert roles == {bob.pk: "member", carol.pk: "owner"}
    kinds = list(RoomEvent.objects.filter(room=room).order_by("seq").values_list("kind", flat=True))
    assert kinds[-2:] == ["member.role_changed", "member.left"]


def test_when_the_owner_leaves_without_moderators_the_earliest_member_becomes_owner(
    api_for, make_room, make_agent, org, alice, bob, themes
):
    room = make_room(alice, kind="thematic", access="open", theme="rh")
    carol = make_agent(org, name="Carole")
    for user in (bob, carol):
        api_for(user).post(f"/rooms/{room.pk}/join")

    api_for(alice).post(f"/rooms/{room.pk}/leave")

    assert Membership.objects.get(room=room, role="owner").user == bob


def test_the_last_member_can_leave(api_for, make_room, alice):
    room = make_room(alice)

    assert api_for(alice).post(f"/rooms/{room.pk}/leave").status_code == 200
    assert not Membership.objects.filter(room=room).exists()


def test_invite_by_email_or_user_id(api_for, make_room, make_agent, org, alice, bob):
    room = make_room(alice)
    carol = make_agent(org, name="Carole")
    api = api_for(alice)

    by_email = api.post(f"/rooms/{room.pk}/invite", {"email": bob.email.upper()})
    by_id = api.post(f"/rooms/{room.pk}/invite", {"user": carol.pk})

    assert by_email.status_code == 201
    assert by_email.json_body["user"] == bob.pk
    assert by_id.status_code == 201
    assert by_id.json_body["user"] == carol.pk
    assert set(Invitation.objects.filter(room=room).values_list("invitee_id", flat=True)) == {
        bob.pk,
        carol.pk,
    }


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({}, 400, "bad_request"),
        ({"email": "x@villeurbanne.test", "user": 1}, 400, "bad_request"),
        ({"email": "personne@nulle-part.test"}, 404, "not_found"),
        ({"user": 10**9}, 404, "not_found"),
    ],
)
def test_invite_refuses_bad_or_unknown_invitees(api_for, make_room, alice, body, status, code):
    room = make_room(alice)
    api = api_for(alice)
    before = row_counts()

    response = api.post(f"/rooms/{room.pk}/invite", body)

    assert (response.status_code, response.json_body["code"]) == (status, code)
    assert row_counts() == before


def test_inviting_a_member_is_a_conflict(api_for, make_room, alice):
    room = make_room(alice)

    response = api_for(alice).post(f"/rooms/{room.pk}/invite", {"user": alice.pk})

    assert response.status_code == 409
    assert response.json_body["code"] == "conflict"


def test_only_moderators_invite_to_an_invite_room(api_for, make_room, make_agent, org, alice, bob):
    room = make_room(alice)
    api_for(alice).post(f"/rooms/{room.pk}/invite", {"user": bob.pk})
    api_for(bob).post(f"/rooms/{room.pk}/join")
    carol = make_agent(org, name="Carole")

    response = api_for(bob).post(f"/rooms/{room.pk}/invite", {"user": carol.pk})

    assert response.status_code == 403
    assert not Invitation.objects.filter(invitee=carol).exists()


def test_an_organisation_room_refuses_inviting_another_organisation(
    api_for, make_room, alice, outsider, themes
):
    room = make_room(alice, kind="thematic", access="organisation", theme="rh")

    response = api_for(alice).post(f"/rooms/{room.pk}/invite", {"user": outsider.pk})

    assert response.status_code == 403
    assert not Invitation.objects.exists()


# --- creation --------------------------------------------------------------------------------


def test_creating_a_room_makes_the_creator_its_owner(api_for, alice, themes):
    response = _create(
        api_for(alice), name="Finances locales", kind="thematic", access="open", theme="finances"
    )

    assert response.status_code == 201
    body = response.json_body
    assert body["role"] == "owner"
    assert body["theme"] == {"slug": "finances", "name": "Finances locales"}
    assert body["seq"] == 1
    assert body["member_count"] == 1


def test_creating_a_geographic_room_with_a_level_resolves_an_ambiguous_code(
    api_for, alice, territories
):
    api = api_for(alice)

    ambiguous = _create(api, name="Aude", kind="geographic", access="open", territory="11")
    assert ambiguous.status_code == 400
    assert ambiguous.json_body["reason"] == "ambiguous_territory"

    resolved = _create(
        api,
        name="Aude",
        kind="geographic",
        access="open",
        territory="11",
        territory_level="departement",
    )
    assert resolved.status_code == 201
    assert resolved.json_body["territory"] == {
        "insee_code": "11",
        "name": "Aude",
        "level": "departement",
    }


def test_an_organisation_room_defaults_to_the_creators_organisation(api_for, alice, themes):
    response = _create(
        api_for(alice), name="RH", kind="thematic", access="organisation", theme="rh"
    )

    assert response.status_code == 201
    assert response.json_body["organisation"]["id"] == alice.organisation_id


@pytest.mark.parametrize(
    ("fields", "status", "reason"),
    [
        ({"kind": "private", "access": "open"}, 400, "private_is_invite"),
        ({"kind": "private", "access": "organisation"}, 400, "private_is_invite"),
        ({"kind": "thematic", "access": "open"}, 400, "unknown_theme"),
        ({"kind": "thematic", "access": "open", "theme": "inconnu"}, 400, "unknown_theme"),
        ({"kind": "geographic", "access": "open"}, 400, None),
        ({"kind": "geographic", "access": "open", "territory": "99999"}, 400, "unknown_territory"),
        ({"kind": "geographic", "access": "open", "territory": "11"}, 400, "ambiguous_territory"),
        ({"kind": "private", "access": "invite", "name": "   "}, 400, None),
        ({"kind": "private", "access": "invite", "name": "x" * 101}, 413, None),
        ({"kind": "private", "access": "invite", "organisation": 1}, 400, None),
        ({"kind": "secret", "access": "invite"}, 400, None),
        ({"kind": "private", "access": "public"}, 400, None),
    ],
)
def test_room_creation_is_validated_and_writes_nothing_when_refused(
    api_for, alice, themes, territories, fields, status, reason
):
    api = api_for(alice)
    before = row_counts()

    response = _create(api, **{"name": "Salon", **fields})

    assert response.status_code == status, response.json_body
    assert response.json_body["code"] == ("too_large" if status == 413 else "bad_request")
    if reason:
        assert response.json_body["reason"] == reason
    assert row_counts() == before


def test_an_agent_cannot_reserve_a_room_to_another_organisation(api_for, alice, outsider, themes):
    api = api_for(alice)
    before = row_counts()

    response = _create(
        api,
        name="RH",
        kind="thematic",
        access="organisation",
        theme="rh",
        organisation=outsider.organisation_id,
    )

    assert response.status_code == 403
    assert row_counts() == before
    assert not Room.objects.exists()
