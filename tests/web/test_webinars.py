"""A live webinar in the browser: ask, approve, put on screen, answer; and axe on its pages."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect

from .conftest import ALICE, BOB, OLIVIA, screenshot, unique
from .helpers import api, api_ok, private_room
from .test_accessibility import axe_violations, describe

# One xdist worker runs every browser test (--dist loadgroup): one server, one Chromium.
pytestmark = pytest.mark.xdist_group("browser")


def schedule(host, room: int, title: str) -> dict:  # type: ignore[no-untyped-def]
    start = datetime.now(UTC) + timedelta(hours=1)
    return api_ok(
        host,
        "POST",
        "/webinars",
        {
            "room": room,
            "title": title,
            "starts_at": start.isoformat(),
            "ends_at": (start + timedelta(hours=1)).isoformat(),
            "description": "Retour d'expérience",
        },
    )


def test_an_attendee_asks_the_host_approves_highlights_and_answers(session, open_app):
    alice_session, bob_session = session(ALICE[0]), session(BOB[0])
    room = private_room(alice_session, unique("Webinaire RH"), (bob_session, BOB[0]))
    title = unique("Télétravail : retour d'expérience")
    webinar = schedule(alice_session, room, title)

    console = open_app(alice_session, f"/webinaires/{webinar['id']}/console/")
    console.get_by_role("button", name="Démarrer le webinaire").click()
    expect(console.locator("#webinar-state")).to_have_text("En direct")

    attendee = open_app(bob_session, f"/webinaires/{webinar['id']}/")
    expect(attendee.locator("#webinar-state")).to_have_text("En direct")
    attendee.get_by_label("Poser anonymement").check()
    expect(attendee.locator("#ask-anonymous-notice")).to_contain_text("les animateurs")
    attendee.get_by_label("Votre question").fill("Comment garder le lien avec les équipes ?")
    attendee.get_by_role("button", name="Envoyer la question").click()
    expect(attendee.locator("#ask-status")).to_contain_text("après validation")
    mine = attendee.locator("#question-list li", has_text="garder le lien")
    expect(mine).to_contain_text("attend la validation")

    # The host sees it live in the pending queue, with the real asker; approves with "A".
    pending = console.locator("#pending-list li", has_text="garder le lien")
    expect(pending).to_contain_text(BOB[1])
    pending.focus()
    pending.press("a")
    published = console.locator("#published-list li", has_text="garder le lien")
    expect(published).to_be_visible()
    expect(console.locator("#pending-count")).to_have_text("0")
    published.focus()
    published.press("h")
    expect(published.locator(".on-air")).to_have_text("À l'écran")

    presenter = open_app(alice_session, f"/webinaires/{webinar['id']}/ecran/")
    expect(presenter.locator("#presenter-body")).to_contain_text("garder le lien")
    expect(presenter.locator("#presenter-asker")).to_contain_text("Anonyme")
    expect(presenter.locator("#presenter-asker")).not_to_contain_text(BOB[1])
    screenshot(presenter, "webinar-presenter")

    expect(attendee.locator("#on-screen")).to_contain_text("garder le lien")
    expect(mine.locator(".asker")).to_have_text("Anonyme")
    published.get_by_label("Réponse écrite").fill("Un point d'équipe **chaque lundi**.")
    published.get_by_role("button", name="Publier la réponse").click()
    expect(mine.locator(".answer strong", has_text="chaque lundi")).to_be_visible()
    expect(mine.locator(".state-badge")).to_have_text("Répondue")
    screenshot(attendee, "webinar-attendee")
    screenshot(console, "webinar-console")


def test_an_outsider_sees_neither_the_webinar_nor_its_pages(session, open_app):
    alice_session, olivia_session = session(ALICE[0]), session(OLIVIA[0])
    room = private_room(alice_session, unique("Cellule privée"))
    webinar = schedule(alice_session, room, unique("Webinaire privé"))
    page = olivia_session.new_page()
    for path in ("/", "console/", "ecran/"):
        url = f"/webinaires/{webinar['id']}/" + ("" if path == "/" else path)
        assert page.goto(url).status == 404
    assert api(olivia_session, "GET", f"/webinars/{webinar['id']}").status == 404
    agenda = open_app(olivia_session, "/webinaires/")
    expect(agenda.locator("#agenda-list")).not_to_contain_text("Webinaire privé")


def test_the_webinar_pages_have_no_serious_axe_violation(session, open_app):
    alice_session, bob_session = (
        session(ALICE[0], bypass_csp=True),
        session(BOB[0], bypass_csp=True),
    )
    room = private_room(alice_session, unique("Webinaire axe"), (bob_session, BOB[0]))
    webinar = schedule(alice_session, room, unique("Accessibilité"))
    api_ok(bob_session, "POST", f"/webinars/{webinar['id']}/questions", {"body": "Une question ?"})
    pages = {
        "agenda": open_app(alice_session, "/webinaires/"),
        "attendee": open_app(bob_session, f"/webinaires/{webinar['id']}/"),
        "console": open_app(alice_session, f"/webinaires/{webinar['id']}/console/"),
        "presenter": open_app(alice_session, f"/webinaires/{webinar['id']}/ecran/"),
    }
    expect(pages["console"].locator("#pending-list li")).to_have_count(1)
    for name, page in pages.items():
        violations = axe_violations(page)
        nodes = [n["html"] + str(n["any"][0]["message"]) for v in violations for n in v["nodes"]]
        assert not violations, f"{name}: {describe(violations)} {nodes}"


def test_a_host_schedules_a_webinar_in_a_room_created_for_it(session, open_app):
    alice_session = session(ALICE[0])
    title = unique("Atelier marchés publics")
    agenda = open_app(alice_session, "/webinaires/")
    form = agenda.locator("#schedule-form")
    form.get_by_label("Salon", exact=True).select_option("new")
    expect(agenda.locator("#schedule-new-room")).to_be_visible()
    form.get_by_label("Accès").select_option("invite")
    expect(agenda.locator("#schedule-theme-field")).to_be_hidden()
    form.get_by_label("Titre").fill(title)
    start = datetime.now() + timedelta(days=3)  # noqa: DTZ005 - the browser's local time
    form.get_by_label("Début").fill(start.strftime("%Y-%m-%dT%H:%M"))
    form.get_by_label("Fin").fill((start + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"))
    form.get_by_role("button", name="Programmer").click()

    agenda.wait_for_url("**/console/")
    webinar_id = int(agenda.url.rstrip("/").split("/")[-2])
    webinar = api_ok(alice_session, "GET", f"/webinars/{webinar_id}")
    assert webinar["room_name"] == title and webinar["role"] == "moderator"
    room = api_ok(alice_session, "GET", f"/rooms/{webinar['room']}")
    assert room["kind"] == "private" and room["role"] == "owner"


def test_the_agenda_gives_a_secret_feed_url_that_works_without_a_session(
    session, new_context, open_app
):
    from urllib.parse import urlsplit

    alice_session = session(ALICE[0])
    room = private_room(alice_session, unique("Salon agenda"))
    title = unique("Webinaire à l'agenda")
    schedule(alice_session, room, title)
    agenda = open_app(alice_session, "/webinaires/")
    agenda.get_by_role("button", name="Créer mon lien secret").click()
    link = agenda.get_by_label("Votre lien secret")
    expect(link).to_have_value(re.compile(r"/webinars/feed/.+\.ics$"))
    expect(agenda.get_by_role("button", name="Copier le lien")).to_be_visible()
    expect(agenda.locator("#feed-state")).to_contain_text("est actif")
    old = urlsplit(link.input_value()).path

    calendar_client = new_context()  # no cookie, as a calendar application
    response = calendar_client.request.get(old)
    assert response.status == 200
    assert "BEGIN:VCALENDAR" in response.text() and title in response.text()

    agenda.get_by_role("button", name="Renouveler mon lien secret").click()
    expect(link).not_to_have_value(re.compile(re.escape(old) + "$"))
    assert calendar_client.request.get(old).status == 404
    assert calendar_client.request.get(urlsplit(link.input_value()).path).status == 200
