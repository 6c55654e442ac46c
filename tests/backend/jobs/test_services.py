"""Posting, editing and announcing job offers: checks, rights, and the rooms announced in."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from backend.jobs import services as jobs
from backend.jobs.models import JobAnnouncement, JobOffer
from backend.messaging.models import Message
from backend.moderation import services as moderation
from backend.rooms import services as rooms
from backend.rooms.models import Room, Theme

from .conftest import in_days, offer

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("change", "status", "reason"),
    [
        ({"commune": "99999"}, 400, "unknown_territory"),
        ({"commune": "69"}, 400, "unknown_territory"),  # a département, not a commune
        ({"commune": "692660"}, 400, "unknown_territory"),
        ({"category": "D"}, 400, "unknown_category"),
        ({"field": "cuisine"}, 400, "unknown_field"),
        ({"closes_on": in_days(-1)}, 400, "closing_date_past"),
        ({"closes_on": in_days(400)}, 400, "closing_date_too_far"),
        ({"closes_on": "31/12/2026"}, 400, "bad_closing_date"),
        ({"closes_on": "2026-02-30"}, 400, "bad_closing_date"),
        ({"link": "http://www.emploi-territorial.fr/offre/42"}, 400, "bad_link"),
        ({"link": "javascript:alert(1)"}, 400, "bad_link"),
        ({"link": "https://"}, 400, "bad_link"),
        ({"link": "https://exemple.fr/a b"}, 400, "bad_link"),
        ({"title": "   "}, 400, "empty_title"),
        ({"title": "x" * 201}, 413, None),
        ({"description": "x" * 10_001}, 413, None),
        ({"link": "https://exemple.fr/" + "x" * 2048}, 413, None),
        ({"organisation": 987_654}, 400, "unknown_organisation"),
    ],
)
def test_bad_input_is_refused_clearly_and_nothing_is_stored(
    api_for, alice, places, change, status, reason
):
    response = api_for(alice).post("/jobs", offer(**change))

    assert response.status_code == status, response.json_body
    assert response.json_body["code"] == {400: "bad_request", 413: "too_large"}[status]
    assert response.json_body["message"].strip()
    assert response.json_body.get("reason") == reason
    assert not JobOffer.objects.exists()


def test_a_posted_offer_keeps_its_place_at_every_level(api_for, alice, org, places):
    response = api_for(alice).post("/jobs", offer(commune="69123"))

    assert response.status_code == 201, response.json_body
    job = response.json_body
    assert job["location"] == {
        "commune": {"code": "69123", "name": "Lyon"},
        "departement": {"code": "69", "name": "Rhône"},
        "region": {"code": "84", "name": "Auvergne-Rhône-Alpes"},
    }
    assert job["organisation"] == {"id": org.pk, "name": org.name}
    assert job["author"] == {"id": alice.pk, "name": alice.name}
    assert (job["category"], job["field"], job["field_label"]) == (
        "A",
        "administrative",
        "Administrative",
    )
    assert job["may_edit"] is True
    assert job["announced_in"] == []


def test_only_staff_post_for_another_organisation(api_for, alice, make_agent, other_org, places):
    refused = api_for(alice).post("/jobs", offer(organisation=other_org.pk))
    assert refused.status_code == 403
    assert not JobOffer.objects.exists()

    staff = make_agent(alice.organisation, staff=True)
    posted = api_for(staff).post("/jobs", offer(organisation=other_org.pk))
    assert posted.status_code == 201, posted.json_body
    assert posted.json_body["organisation"]["id"] == other_org.pk


def test_only_the_poster_and_staff_may_edit_or_withdraw(api_for, alice, bob, make_agent, places):
    job = api_for(alice).post("/jobs", offer()).json_body["id"]

    refused = api_for(bob).patch(f"/jobs/{job}", {"title": "Détourné"})
    assert refused.status_code == 403
    assert refused.json_body["code"] == "forbidden"
    assert api_for(bob).delete(f"/jobs/{job}").status_code == 403
    assert api_for(bob).get(f"/jobs/{job}").json_body["may_edit"] is False
    unchanged = JobOffer.objects.get(pk=job)
    assert (unchanged.title, unchanged.withdrawn_at) == (
        "Responsable des ressources humaines",
        None,
    )

    edited = api_for(alice).patch(f"/jobs/{job}", {"title": "DRH adjoint", "category": "b"})
    assert edited.status_code == 200, edited.json_body
    assert (edited.json_body["title"], edited.json_body["category"]) == ("DRH adjoint", "B")

    staff = make_agent(alice.organisation, staff=True)
    moved = api_for(staff).patch(f"/jobs/{job}", {"commune": "11069"})
    assert moved.status_code == 200, moved.json_body
    assert moved.json_body["location"]["departement"]["code"] == "11"
    assert api_for(staff).delete(f"/jobs/{job}").status_code == 204


def test_a_bad_edit_changes_nothing(api_for, alice, places):
    api = api_for(alice)
    job = api.post("/jobs", offer()).json_body["id"]
    before = JobOffer.objects.filter(pk=job).values().get()

    for change in (
        {"title": "Nouveau", "category": "D"},
        {"closes_on": in_days(-2)},
        {"link": "ftp://x"},
    ):
        assert api.patch(f"/jobs/{job}", change).status_code == 400

    assert JobOffer.objects.filter(pk=job).values().get() == before


def test_posting_needs_the_jobs_level(api_for, alice, make_agent, settings, places):
    settings.PREAU = {**settings.PREAU, "LEVEL_FOR_JOBS": 2}

    refused = api_for(alice).post("/jobs", offer())

    assert refused.status_code == 403
    assert refused.json_body["reason"] == "level_too_low"
    assert not JobOffer.objects.exists()
    staff = make_agent(alice.organisation, staff=True)
    assert api_for(staff).post("/jobs", offer()).status_code == 201


def test_a_bot_does_not_post_offers(api_for, alice, places):
    from backend.integrations import services as integrations

    bot = integrations.bot_create(actor=alice, name="Vigie").record.user

    assert api_for(bot).post("/jobs", offer()).status_code == 403
    assert not JobOffer.objects.exists()


# --- announcements -----------------------------------------------------------------------------


@pytest.fixture
def audience(alice: Any, bob: Any, places: Any, themes: Any) -> dict[str, Room]:
    """Rooms an administrative offer in Villeurbanne concerns (open), and rooms it must not
    reach: private or reserved ones of the same place, another place, another theme, archived."""
    Theme.objects.create(slug="urbanisme", name="Urbanisme")

    def make(name: str, kind: str, access: str = "open", **kw: Any) -> Room:
        return rooms.room_create(actor=bob, name=name, kind=kind, access=access, **kw).room

    made = {
        "commune": make("Villeurbanne", "geographic", territory="69266", territory_level="commune"),
        "departement": make("Rhône", "geographic", territory="69", territory_level="departement"),
        "region": make("AURA", "geographic", territory="84", territory_level="region"),
        "rh": make("RH", "thematic", theme="rh"),
        "finances": make("Finances", "thematic", theme="finances"),
        "private": make(
            "Cellule RH",
            "private",
            "invite",
            theme="rh",
            territory="69266",
            territory_level="commune",
        ),
        "reserved": make(
            "Agents du Rhône",
            "geographic",
            "organisation",
            territory="69",
            territory_level="departement",
        ),
        "invite": make("Club RH", "thematic", "invite", theme="rh"),
        "lyon": make("Lyon", "geographic", territory="69123", territory_level="commune"),
        "aude": make("Aude", "geographic", territory="11", territory_level="departement"),
        "urbanisme": make("Urbanisme", "thematic", theme="urbanisme"),
        "archived": make(
            "Ancien Rhône", "geographic", territory="69", territory_level="departement"
        ),
    }
    Room.objects.filter(pk=made["archived"].pk).update(archived_at=timezone.now())
    return made


def job_messages(job_id: int) -> dict[int, int]:
    found: dict[int, int] = {}
    for room_id in Message.objects.filter(meta__job=job_id).values_list("room_id", flat=True):
        found[room_id] = found.get(room_id, 0) + 1
    return found


def test_an_announced_offer_goes_to_matching_open_rooms_only(
    api_for, alice, audience, published, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = api_for(alice).post("/jobs", offer(announce=True))

    assert response.status_code == 201, response.json_body
    job = response.json_body["id"]
    expected = sorted(
        audience[k].pk for k in ("commune", "departement", "region", "rh", "finances")
    )
    assert response.json_body["announced_in"] == expected
    assert job_messages(job) == {pk: 1 for pk in expected}
    message = Message.objects.filter(meta__job=job).first()
    assert message.author_id == alice.pk
    assert "Responsable des ressources humaines" in message.body
    assert f"/emplois/{job}/" in message.body
    never = [
        audience[k].pk
        for k in ("private", "reserved", "invite", "lyon", "aude", "urbanisme", "archived")
    ]
    assert not Message.objects.filter(room_id__in=never).exists()
    reached = {channel for channel, _payload in published}
    assert not any(channel.endswith(f":room:{pk}") for pk in never for channel in reached)
    assert all(any(c.endswith(f":room:{pk}") for c in reached) for pk in expected), reached


def test_announcing_again_posts_nothing_more(api_for, alice, audience):
    job = api_for(alice).post("/jobs", offer(announce=True)).json_body["id"]
    before = job_messages(job)

    again = jobs.job_announce(actor=alice, job_id=job)

    assert again == []
    assert job_messages(job) == before
    assert JobAnnouncement.objects.filter(offer_id=job).count() == len(before)


def test_an_offer_not_announced_posts_no_message(api_for, alice, audience):
    job = api_for(alice).post("/jobs", offer()).json_body["id"]

    assert job_messages(job) == {}
    assert not JobAnnouncement.objects.exists()


def test_a_poster_banned_from_a_room_does_not_announce_there(api_for, alice, bob, audience):
    rh = audience["rh"]
    rooms.room_join(actor=alice, room_id=rh.pk)
    moderation.member_remove(actor=bob, room_id=rh.pk, user_id=alice.pk, ban=True)

    job = api_for(alice).post("/jobs", offer(announce=True)).json_body["id"]

    assert rh.pk not in job_messages(job)
    assert audience["commune"].pk in job_messages(job)


def test_a_refusal_reads_in_the_callers_language(api_for, alice, places):
    response = api_for(alice).post("/jobs", offer(category="D"), **{"Accept-Language": "en"})

    assert response.status_code == 400
    assert response.json_body["message"] == "Unknown category: D (A, B or C)."


def test_the_admin_lists_and_opens_offers(client, api_for, alice, places):
    from django.contrib.auth import get_user_model

    job = api_for(alice).post("/jobs", offer()).json_body["id"]
    staff = get_user_model().objects.create_superuser(
        email="admin@villeurbanne.test", password="x" * 20, name="Admin"
    )
    client.force_login(staff)

    assert client.get("/admin/jobs/joboffer/?q=ressources").status_code == 200
    assert client.get(f"/admin/jobs/joboffer/{job}/change/").status_code == 200


def test_the_personal_export_holds_my_offers_and_not_others(api_for, alice, bob, places):
    import io
    import json
    import zipfile

    from backend.privacy import services as privacy

    mine = api_for(alice).post("/jobs", offer(title="Mon offre")).json_body["id"]
    api_for(bob).post("/jobs", offer(title="L'offre de Bob"))
    out = io.BytesIO()

    privacy.user_export(user=alice, out=out)

    exported = json.loads(zipfile.ZipFile(out).read("jobs.json"))
    assert [(o["id"], o["title"]) for o in exported] == [(mine, "Mon offre")]
