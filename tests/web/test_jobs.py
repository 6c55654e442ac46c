"""The jobs board in the browser: post an offer, find it with the filters, closed ones gone."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from .conftest import ALICE, BOB, screenshot, unique
from .helpers import api_ok
from .test_accessibility import axe_violations, describe

pytestmark = pytest.mark.xdist_group("browser")

TERRITORY = "Territoire (code INSEE de commune, de département ou de région)"


def paris_day(days: int) -> str:
    return (datetime.now(ZoneInfo("Europe/Paris")).date() + timedelta(days=days)).isoformat()


def offer(title: str, commune: str, category: str, field: str, closes_on: str) -> dict:
    return {
        "title": title,
        "commune": commune,
        "category": category,
        "field": field,
        "closes_on": closes_on,
        "link": "https://www.emploi-territorial.fr/offre/1",
    }


def test_an_offer_posted_in_the_form_is_found_with_the_filters_and_closed_ones_are_not(
    session, open_app, page_errors, server
):
    bob = session(BOB[0])
    lyon_title = unique("Technicien voirie")
    carcassonne = api_ok(
        bob, "POST", "/jobs", offer(unique("Juriste"), "11069", "A", "administrative", paris_day(5))
    )
    closed = api_ok(
        bob, "POST", "/jobs", offer(unique("Archiviste"), "69123", "B", "technique", paris_day(1))
    )
    # Time passes: its closing day is yesterday now.
    server.cli(
        "shell",
        "-c",
        "from datetime import timedelta; from django.utils import timezone; "
        "from backend.jobs.models import JobOffer; "
        f"JobOffer.objects.filter(pk={closed['id']}).update("
        "closes_on=timezone.localdate() - timedelta(days=1))",
    )

    alice = session(ALICE[0], bypass_csp=True)
    page = open_app(alice)
    page.get_by_role("link", name="Offres d'emploi").click()
    expect(page.get_by_role("heading", level=1, name="Offres d'emploi")).to_be_visible()
    page.get_by_role("link", name="Publier une offre").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Publier une offre d'emploi")
    violations = axe_violations(page)
    assert violations == [], describe(violations)

    form = page.locator("#job-form")
    form.get_by_label("Intitulé du poste").fill(lyon_title)
    form.get_by_label("Commune (code INSEE)").fill("99999")
    form.get_by_label("Catégorie", exact=True).select_option("B")
    form.get_by_label("Filière", exact=True).select_option("technique")
    form.get_by_label("Date limite de candidature").fill(paris_day(10))
    form.get_by_label("Lien vers l'offre complète ou la candidature").fill(
        "https://www.emploi-territorial.fr/offre/77"
    )
    form.get_by_label("Description (facultatif)").fill("## Missions\n\nEntretenir la **voirie**.")
    form.get_by_role("button", name="Publier l'offre").click()
    # An unknown commune is refused, the field marked and the message announced.
    expect(page.locator("#job-error")).to_contain_text("Territoire inconnu")
    expect(page.locator("#job-commune")).to_have_attribute("aria-invalid", "true")
    form.get_by_label("Commune (code INSEE)").fill("69123")
    form.get_by_role("button", name="Publier l'offre").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(lyon_title)
    facts = page.locator("#job-facts")
    expect(facts).to_contain_text("Lyon (69123)")
    expect(facts).to_contain_text("Rhône (69)")
    expect(facts).to_contain_text("Technique")
    expect(page.locator("#job-description strong")).to_have_text("voirie")
    expect(page.locator("#job-closed")).to_be_hidden()
    expect(page.get_by_role("link", name="Modifier l'offre")).to_be_visible()
    expect(page.locator("#job")).to_have_attribute("aria-busy", "false")
    violations = axe_violations(page)
    assert violations == [], describe(violations)

    page.get_by_role("link", name="Toutes les offres d'emploi").click()
    jobs = page.locator("#jobs > li")
    expect(jobs.filter(has_text=lyon_title)).to_have_count(1)
    expect(jobs.filter(has_text=carcassonne["title"])).to_have_count(1)
    expect(jobs.filter(has_text=closed["title"])).to_have_count(0)

    # The Rhône includes Lyon; the Aude's offer is left out.
    page.get_by_label(TERRITORY).fill("69")
    page.get_by_label("Niveau du territoire").select_option("departement")
    page.get_by_role("button", name="Filtrer").click()
    expect(jobs.filter(has_text=carcassonne["title"])).to_have_count(0)
    expect(jobs.filter(has_text=lyon_title)).to_have_count(1)
    expect(jobs.filter(has_text=closed["title"])).to_have_count(0)
    expect(page).to_have_url(re.compile(r"territory=69&"))

    page.get_by_label(TERRITORY).fill("")
    page.get_by_label("Niveau du territoire").select_option("")
    page.get_by_label("Catégorie").select_option("A")
    page.get_by_label("Filière").select_option("administrative")
    page.get_by_role("button", name="Filtrer").click()
    expect(jobs.filter(has_text=carcassonne["title"])).to_have_count(1)
    expect(jobs.filter(has_text=lyon_title)).to_have_count(0)
    expect(page.locator("#jobs-count")).not_to_be_empty()
    screenshot(page, "jobs-board")
    violations = axe_violations(page)
    assert violations == [], describe(violations)

    # The closed offer's own page says it is closed; the API's board leaves it out.
    page.goto(f"/emplois/{closed['id']}/")
    expect(page.locator("#job-closed")).to_be_visible()
    expect(page.get_by_role("link", name="Modifier l'offre")).to_be_hidden()
    board = api_ok(alice, "GET", "/jobs?territory=69123&limit=100")
    titles = [job["title"] for job in board["jobs"]]
    assert lyon_title in titles and closed["title"] not in titles
    assert page_errors == []
