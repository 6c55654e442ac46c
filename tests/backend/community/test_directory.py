"""The member directory: who is listed, what others see, search by territory, the public CV."""

from __future__ import annotations

import pytest
from django.test import Client

from backend.accounts.models import Organisation, OrganisationDomain, User
from backend.community.directory import member_profile_update, member_search
from backend.community.models import MemberProfile
from backend.messaging import services as messaging
from backend.privacy import services as privacy
from backend.rooms.models import RoomEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def villeurbanne(territories, org):  # type: ignore[no-untyped-def]
    org.insee_code = "69266"
    org.save(update_fields=["insee_code"])
    return territories


def names(cards):  # type: ignore[no-untyped-def]
    return [c["name"] for c in cards]


def test_only_verified_agents_are_listed(alice, bob, api_for, org):
    User.objects.create_user(email="pending@villeurbanne.test", password="x", name="Bob Attente")
    found = api_for(alice).get("/members?q=Bob").json_body
    assert names(found) == ["Bob Durand"]


def test_search_by_commune_departement_and_region(alice, bob, outsider, villeurbanne, api_for):
    api = api_for(alice)
    for code in ("69266", "69", "84"):
        found = api.get(f"/members?territory={code}").json_body
        assert names(found) == ["Alice Martin", "Bob Durand"], code
        assert found[0]["territory"]["commune"] == {"code": "69266", "name": "Villeurbanne"}
        assert found[0]["territory"]["region"]["name"] == "Auvergne-Rhône-Alpes"
    assert api.get("/members?territory=11").json_body == []


def test_a_member_may_set_a_commune_other_than_the_organisation(
    alice, outsider, villeurbanne, api_for
):
    assert names(api_for(alice).get("/members?territory=69266").json_body) == ["Alice Martin"]
    done = api_for(outsider).patch("/account/directory-profile", {"territory": "69266"})
    assert done.status_code == 200, done.json_body
    found = api_for(alice).get("/members?territory=69").json_body
    assert names(found) == ["Alice Martin", "Olivia Extérieure"]
    unknown = api_for(outsider).patch("/account/directory-profile", {"territory": "99999"})
    assert unknown.status_code == 400
    assert unknown.json_body["reason"] == "unknown_territory"


def test_search_by_job_skill_and_organisation(alice, bob, outsider, api_for):
    bob.job_title = "Juriste marchés publics"
    bob.save(update_fields=["job_title"])
    member_profile_update(user=outsider, skills=["Urbanisme", "SIG"])
    api = api_for(alice)
    assert names(api.get("/members?job=juriste").json_body) == ["Bob Durand"]
    assert names(api.get("/members?skill=sig").json_body) == ["Olivia Extérieure"]
    assert names(api.get("/members?q=urbanisme").json_body) == ["Olivia Extérieure"]
    assert names(api.get("/members?organisation=aude").json_body) == ["Olivia Extérieure"]


def test_emails_and_cv_stay_private_unless_the_member_chooses(alice, bob, api_for):
    member_profile_update(user=bob, cv="## Parcours\nDix ans en mairie.", skills=["RH"])
    seen = api_for(alice).get(f"/members/{bob.pk}").json_body
    assert seen["email"] is None
    assert seen["cv"] is None
    assert seen["cv_public"] is False
    assert seen["level"]["points"] is None
    own = api_for(bob).get(f"/members/{bob.pk}").json_body
    assert own["email"] == bob.email
    assert own["cv"].startswith("## Parcours")
    assert Client().get(f"/cv/{bob.pk}/").status_code == 404
    api_for(bob).patch("/account/directory-profile", {"show_email": True, "cv_public": True})
    seen = api_for(alice).get(f"/members/{bob.pk}").json_body
    assert seen["email"] == bob.email
    assert seen["cv"].startswith("## Parcours")
    listed = api_for(alice).get("/members?q=Bob").json_body[0]
    assert "cv" not in listed


def test_profile_input_is_checked_and_changes_nothing_when_refused(bob, api_for):
    api = api_for(bob)
    too_many = api.patch("/account/directory-profile", {"skills": [f"s{n}" for n in range(31)]})
    assert too_many.status_code == 413
    too_long = api.patch("/account/directory-profile", {"cv": "x" * 20_001})
    assert too_long.status_code == 413
    assert "CV" in too_long.json_body["message"]
    assert not MemberProfile.objects.filter(user=bob).exists()
    done = api.patch("/account/directory-profile", {"skills": [" RH ", "rh", "Paie"]})
    assert done.json_body["skills"] == ["RH", "Paie"]


def test_members_by_territory_groups_communes(
    alice, bob, outsider, villeurbanne, api_for, make_org
):
    other = Organisation.objects.create(name="Lyon", insee_code="69123")
    OrganisationDomain.objects.create(organisation=other, domain="lyon.test")
    from backend.rooms.models import Territory

    Territory.objects.create(
        level="commune", insee_code="69123", name="Lyon", parent=villeurbanne["69"]
    )
    from backend.accounts import services as accounts

    accounts.user_add(email="x@lyon.test", password="pw-solide-123456", name="Léa", validate=False)
    grouped = api_for(alice).get("/members/territories").json_body
    assert grouped == [
        {
            "code": "84",
            "name": "Auvergne-Rhône-Alpes",
            "count": 3,
            "departements": [
                {
                    "code": "69",
                    "name": "Rhône",
                    "count": 3,
                    "communes": [
                        {"code": "69123", "name": "Lyon", "count": 1},
                        {"code": "69266", "name": "Villeurbanne", "count": 2},
                    ],
                }
            ],
        }
    ]


def test_directory_search_is_a_fixed_number_of_queries(
    alice, make_agent, org, villeurbanne, django_assert_max_num_queries
):
    for n in range(6):
        member_profile_update(user=make_agent(org), skills=[f"compétence {n}"])
    with django_assert_max_num_queries(4):
        assert len(member_search(viewer=alice, territory="69")) == 7


def test_erasure_removes_the_profile_and_the_name_in_author_events(alice, bob, make_room):
    room = make_room(alice)
    from backend.rooms import services as rooms

    rooms.room_invite(actor=alice, room_id=room.pk, user_id=bob.pk)
    rooms.room_join(actor=bob, room_id=room.pk)
    message = messaging.message_send(actor=bob, room_id=room.pk, body="Bonjour").message
    member_profile_update(user=bob, cv="CV", cv_public=True)
    privacy.account_erase(user=bob, password="correct-horse-battery-staple", mode="anonymise")
    assert not MemberProfile.objects.filter(user=bob).exists()
    event = RoomEvent.objects.get(message_id=message.pk, kind="message.created")
    assert event.data["author"]["name"] == "Ancien membre"
    assert Client().get(f"/cv/{bob.pk}/").status_code == 404


def test_the_data_export_holds_the_directory_profile_and_the_points(room, alice, bob):
    import io
    import json
    import zipfile

    member_profile_update(user=bob, cv="Mon parcours", skills=["Paie"])
    message = messaging.message_send(actor=bob, room_id=room.pk, body="Astuce").message
    messaging.reaction_add(actor=alice, message_id=message.pk, emoji="👍")
    out = io.BytesIO()
    privacy.user_export(user=bob, out=out)
    content = json.loads(zipfile.ZipFile(out).read("community.json"))
    assert content["directory_profile"]["cv"] == "Mon parcours"
    assert content["points"] == 2
    assert content["ledger"][0]["kind"] == "reaction"
