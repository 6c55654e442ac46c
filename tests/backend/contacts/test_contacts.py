"""Adding, removing and listing contacts; nobody sees someone else's contacts."""

from __future__ import annotations

import pytest

from backend.accounts.models import User
from backend.contacts.models import Contact
from backend.integrations import services as integrations

pytestmark = pytest.mark.django_db


def names(rows):  # type: ignore[no-untyped-def]
    return [r["name"] for r in rows]


def test_an_agent_adds_and_removes_a_contact(alice, bob, api_for):
    api = api_for(alice)

    added = api.call("PUT", f"/contacts/{bob.pk}")
    again = api.call("PUT", f"/contacts/{bob.pk}")

    assert added.status_code == 201, added.json_body
    assert added.json_body == {
        "id": bob.pk,
        "name": "Bob Durand",
        "job_title": "",
        "organisation": "Ville de Villeurbanne",
        "contact": True,
    }
    assert again.status_code == 200
    assert Contact.objects.filter(owner=alice).count() == 1
    listed = api.get("/contacts").json_body
    assert names(listed) == ["Bob Durand"]
    assert listed[0]["status"] in ("online", "away", "dnd", "offline")  # see the presence test

    removed = api.delete(f"/contacts/{bob.pk}")

    assert removed.status_code == 204
    assert api.get("/contacts").json_body == []
    assert Contact.objects.count() == 0


def test_contacts_are_one_way_and_private_to_their_owner(alice, bob, outsider, api_for):
    assert api_for(alice).call("PUT", f"/contacts/{bob.pk}").status_code == 201

    assert api_for(bob).get("/contacts").json_body == []
    assert api_for(outsider).get("/contacts").json_body == []
    # Removing from one's own list never touches another's.
    assert api_for(outsider).delete(f"/contacts/{bob.pk}").status_code == 404
    assert names(api_for(alice).get("/contacts").json_body) == ["Bob Durand"]
    # Without credentials: nothing.
    anonymous = api_for(None).get("/contacts")
    assert anonymous.status_code == 401
    assert "Bob" not in anonymous.content.decode()
    # The profile page shows no contact list.
    profile = api_for(outsider).get(f"/members/{alice.pk}").json_body
    assert "Bob" not in str(profile)


def test_a_bot_token_may_not_read_or_change_contacts(alice, bob, api_for):
    api_for(alice).call("PUT", f"/contacts/{bob.pk}")
    token = integrations.bot_create(actor=alice, name="Vigie").token
    api = api_for(None)
    api.headers["Authorization"] = f"Bearer {token}"

    assert api.get("/contacts").status_code == 403
    assert api.call("PUT", f"/contacts/{bob.pk}").status_code == 403
    assert api.post("/contact-import", {"text": bob.email}).status_code == 403
    assert Contact.objects.count() == 1


def test_only_listed_agents_may_be_added(alice, api_for, org):
    pending = User.objects.create_user(
        email="pending@villeurbanne.test", password="x", name="En attente"
    )
    gone = User.objects.create_user(
        email="gone@villeurbanne.test", password="x", name="Parti", is_verified=True
    )
    gone.is_active = False
    gone.save(update_fields=["is_active"])
    api = api_for(alice)

    for user in (pending, gone):
        response = api.call("PUT", f"/contacts/{user.pk}")
        assert (response.status_code, response.json_body["code"]) == (404, "not_found")
    own = api.call("PUT", f"/contacts/{alice.pk}")

    assert (own.status_code, own.json_body["reason"]) == (400, "self")
    assert Contact.objects.count() == 0


def test_a_deactivated_contact_leaves_the_list(alice, bob, api_for):
    api = api_for(alice)
    api.call("PUT", f"/contacts/{bob.pk}")
    bob.is_active = False
    bob.save(update_fields=["is_active"])

    assert api.get("/contacts").json_body == []


def test_the_list_filters_by_name_and_organisation(alice, bob, outsider, make_agent, org, api_for):
    carol = make_agent(org, name="Carole Petit")
    api = api_for(alice)
    for user in (bob, outsider, carol):
        assert api.call("PUT", f"/contacts/{user.pk}").status_code == 201

    assert names(api.get("/contacts").json_body) == [
        "Bob Durand",
        "Carole Petit",
        "Olivia Extérieure",
    ]
    assert names(api.get("/contacts?q=carole").json_body) == ["Carole Petit"]
    assert names(api.get("/contacts?q=aude").json_body) == ["Olivia Extérieure"]
    assert names(api.get("/contacts?q=Villeurbanne").json_body) == ["Bob Durand", "Carole Petit"]
    too_long = api.get("/contacts?q=" + "x" * 201)
    assert too_long.status_code == 400


def test_the_list_shows_presence_from_the_presence_store(alice, bob, outsider, api_for):
    from asgiref.sync import async_to_sync

    from realtime import presence

    store = presence.LocalPresence()  # this process's store: no other test run can touch it
    presence._store = store
    try:
        api = api_for(alice)
        api.call("PUT", f"/contacts/{bob.pk}")
        api.call("PUT", f"/contacts/{outsider.pk}")
        async_to_sync(store.connect)(bob.pk, "c1")
        async_to_sync(store.connect)(outsider.pk, "c2")
        async_to_sync(store.set_status)(outsider.pk, "away")

        found = {r["name"]: r["status"] for r in api.get("/contacts").json_body}
        assert found == {"Bob Durand": "online", "Olivia Extérieure": "away"}

        async_to_sync(store.disconnect)(bob.pk, "c1")
        found = {r["name"]: r["status"] for r in api.get("/contacts").json_body}
        assert found == {"Bob Durand": "offline", "Olivia Extérieure": "away"}
    finally:
        presence.reset_store()


def test_the_pages_are_for_agents_only(alice):
    from django.test import Client

    anonymous = Client()
    for path in ("/contacts/", "/contacts/import/"):
        response = anonymous.get(path)
        assert response.status_code == 302
        assert response["Location"].startswith("/login/?next=")
    agent = Client()
    agent.force_login(alice)
    page = agent.get("/contacts/import/").content.decode()
    assert 'id="import-upload"' in page
    assert "Nom &lt;adresse&gt;" in page
    assert agent.get("/contacts/").status_code == 200


def test_the_data_export_lists_ones_contacts_and_nobody_elses(alice, bob, outsider, api_for):
    import io
    import json
    import zipfile

    api_for(alice).call("PUT", f"/contacts/{bob.pk}")
    api_for(bob).call("PUT", f"/contacts/{outsider.pk}")
    api = api_for(alice)

    response = api.client.get("/api/v1/me/export", headers=api.headers)

    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    exported = json.loads(archive.read("contacts.json"))
    assert [c["name"] for c in exported["contacts"]] == ["Bob Durand"]
    assert exported["invitations_sent"] == []
    assert "contacts.json" in archive.read("README.txt").decode()


def test_erasing_an_account_removes_its_contacts_both_ways(alice, bob, outsider, api_for):
    from backend.privacy.services import account_erase
    from tests.conftest import PASSWORD

    api_for(alice).call("PUT", f"/contacts/{bob.pk}")
    api_for(bob).call("PUT", f"/contacts/{alice.pk}")
    api_for(outsider).call("PUT", f"/contacts/{bob.pk}")

    account_erase(user=bob, password=PASSWORD, mode="anonymise")

    assert list(Contact.objects.values_list("owner_id", "contact_id")) == []
    assert api_for(alice).get("/contacts").json_body == []
