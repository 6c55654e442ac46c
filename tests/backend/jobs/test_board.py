"""The jobs board: closing dates (frozen clock), territory/category/field filters, pages."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine

from backend.jobs.models import JobOffer

from .conftest import in_days, offer

pytestmark = pytest.mark.django_db

# 10:00 in Paris on Tuesday 24 November 2026.
NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


def board_ids(api, query: str = "") -> list[int]:
    response = api.get(f"/jobs{query}")
    assert response.status_code == 200, response.json_body
    return [job["id"] for job in response.json_body["jobs"]]


def test_an_offer_is_listed_through_its_closing_day_then_leaves_the_board(
    api_for, alice, bob, places
):
    with time_machine.travel(NOW, tick=False):
        posted = api_for(alice).post("/jobs", offer(closes_on="2026-11-26"))
        assert posted.status_code == 201, posted.json_body
        job = posted.json_body["id"]
        assert posted.json_body["closed"] is False
    reader = api_for(bob)
    # 23:30 in Paris on the closing day (22:30 UTC): still listed.
    with time_machine.travel(datetime(2026, 11, 26, 22, 30, tzinfo=UTC), tick=False):
        assert board_ids(reader) == [job]
    # 00:30 in Paris the next day, while it is still the 26th in UTC: gone.
    with time_machine.travel(datetime(2026, 11, 26, 23, 30, tzinfo=UTC), tick=False):
        assert board_ids(reader) == []
        assert board_ids(reader, "?territory=69266") == []
        assert reader.get("/jobs?mine=true").json_body["total"] == 0
        # Its page stays, saying it is closed (the rooms' announcements link to it).
        detail = reader.get(f"/jobs/{job}")
        assert detail.status_code == 200
        assert detail.json_body["closed"] is True


def test_a_departement_filter_includes_its_communes_and_excludes_the_others(
    api_for, alice, bob, places
):
    api = api_for(alice)
    villeurbanne = api.post("/jobs", offer(commune="69266")).json_body["id"]
    lyon = api.post("/jobs", offer(commune="69123")).json_body["id"]
    carcassonne = api.post("/jobs", offer(commune="11069")).json_body["id"]
    reader = api_for(bob)

    assert board_ids(reader, "?territory=69") == [lyon, villeurbanne]
    assert board_ids(reader, "?territory=69&territory_level=departement") == [lyon, villeurbanne]
    assert board_ids(reader, "?territory=84") == [lyon, villeurbanne]
    assert board_ids(reader, "?territory=69123") == [lyon]
    assert board_ids(reader, "?territory=11&territory_level=departement") == [carcassonne]
    assert board_ids(reader, "?territory=76") == [carcassonne]
    assert board_ids(reader, "?territory=11&territory_level=region") == []
    assert board_ids(reader) == [carcassonne, lyon, villeurbanne]


def test_an_ambiguous_or_unknown_territory_filter_is_refused(api_for, alice, places):
    api = api_for(alice)
    ambiguous = api.get("/jobs?territory=11")
    assert ambiguous.status_code == 400
    assert ambiguous.json_body["reason"] == "ambiguous_territory"
    unknown = api.get("/jobs?territory=99999")
    assert unknown.status_code == 400
    assert unknown.json_body["reason"] == "unknown_territory"


def test_category_and_field_filters_combine(api_for, alice, bob, places):
    api = api_for(alice)
    admin_a = api.post("/jobs", offer(category="A", field="administrative")).json_body["id"]
    tech_b = api.post("/jobs", offer(category="B", field="technique")).json_body["id"]
    tech_c = api.post("/jobs", offer(category="C", field="technique")).json_body["id"]
    reader = api_for(bob)

    assert board_ids(reader, "?category=A") == [admin_a]
    assert board_ids(reader, "?field=technique") == [tech_c, tech_b]
    assert board_ids(reader, "?field=technique&category=B") == [tech_b]
    assert board_ids(reader, "?field=administrative&category=C") == []
    assert board_ids(reader, "?field=technique&territory=11069") == []
    bad = reader.get("/jobs?category=D")
    assert (bad.status_code, bad.json_body["reason"]) == (400, "unknown_category")
    bad = reader.get("/jobs?field=cuisine")
    assert (bad.status_code, bad.json_body["reason"]) == (400, "unknown_field")


def test_the_board_is_newest_first_and_paginated(api_for, alice, bob, places):
    api = api_for(alice)
    ids = [api.post("/jobs", offer(title=f"Poste {n}")).json_body["id"] for n in range(5)]
    reader = api_for(bob)

    first = reader.get("/jobs?limit=2").json_body
    second = reader.get("/jobs?limit=2&offset=2").json_body
    last = reader.get("/jobs?limit=2&offset=4").json_body

    assert first["total"] == second["total"] == last["total"] == 5
    pages = [job["id"] for page in (first, second, last) for job in page["jobs"]]
    assert pages == list(reversed(ids))


def test_a_withdrawn_offer_leaves_the_board_and_its_page_is_not_found(api_for, alice, bob, places):
    api = api_for(alice)
    job = api.post("/jobs", offer(closes_on=in_days(3))).json_body["id"]

    assert api.delete(f"/jobs/{job}").status_code == 204

    assert board_ids(api_for(bob)) == []
    assert api_for(bob).get(f"/jobs/{job}").status_code == 404
    assert api.get(f"/jobs/{job}").status_code == 404
    assert api.delete(f"/jobs/{job}").status_code == 404
    assert JobOffer.objects.get(pk=job).withdrawn_at is not None


def test_moving_the_closing_date_of_a_closed_offer_brings_it_back(api_for, alice, places):
    api = api_for(alice)
    with time_machine.travel(NOW, tick=False):
        job = api.post("/jobs", offer(closes_on="2026-11-24")).json_body["id"]
    with time_machine.travel(datetime(2026, 11, 25, 9, 0, tzinfo=UTC), tick=False):
        assert board_ids(api) == []
        moved = api.patch(f"/jobs/{job}", {"closes_on": "2026-12-10"})
        assert moved.status_code == 200, moved.json_body
        assert board_ids(api) == [job]
