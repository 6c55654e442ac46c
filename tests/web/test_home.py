"""« Accueil »: the personal home feed updates live when a mention or an announcement arrives,
marks everything seen on demand, and never shows another agent's private conversation."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from .conftest import ALICE, BOB, OLIVIA, screenshot, unique
from .helpers import api_ok, private_room
from .test_accessibility import axe_violations, describe

pytestmark = pytest.mark.xdist_group("browser")


def home_item(page: Page, text: str):
    return page.locator("#home-list li.home-item").filter(has_text=text)


def test_the_home_page_updates_live_on_a_mention_and_an_announcement(
    session, open_app, page_errors
):
    alice, olivia = session(ALICE[0]), session(OLIVIA[0])
    bob = session(BOB[0], bypass_csp=True)  # to run axe
    name = unique("Cellule accueil")
    room = private_room(alice, name, (bob, BOB[0]))

    bob_page = open_app(bob, "/#/accueil")
    expect(bob_page.get_by_role("heading", level=1)).to_have_text("Accueil")
    expect(bob_page.locator("#home-link")).to_have_attribute("aria-current", "page")
    olivia_page = open_app(olivia, "/#/accueil")
    expect(olivia_page.get_by_role("heading", level=1)).to_have_text("Accueil")

    # A mention: it appears at the top without reloading, marked new in words.
    question = unique("Peux-tu relire la convention")
    api_ok(alice, "POST", f"/rooms/{room}/messages", {"body": f"@{BOB[1]} {question} ?"})
    mention = home_item(bob_page, question)
    expect(mention).to_be_visible()
    expect(mention).to_contain_text(f"Alice Martin vous a mentionné dans « {name} »")
    expect(mention.locator(".home-kind")).to_have_text("Mention")
    expect(mention.locator(".home-new")).to_have_text("Nouveau")
    expect(bob_page.locator("#home-list li.home-item").first).to_contain_text(question)
    expect(bob_page.locator("#announcer")).to_contain_text("Nouveau sur votre accueil")
    expect(bob_page.locator("#home-badge")).to_be_visible()

    # An announcement to the room: it appears too.
    notice = unique("Fermeture des bureaux vendredi")
    api_ok(alice, "POST", "/announcements", {"body": notice, "rooms": [room]})
    announced = home_item(bob_page, notice)
    expect(announced).to_be_visible()
    expect(announced).to_contain_text(f"Annonce de Alice Martin dans « {name} »")
    expect(bob_page.locator("#home-list li.home-item").first).to_contain_text(notice)
    screenshot(bob_page, "home-live")
    violations = axe_violations(bob_page)
    assert violations == [], describe(violations)

    # Mark all as seen: nothing is new any more, and the count says so.
    bob_page.get_by_role("button", name="Tout marquer comme vu").click()
    expect(bob_page.locator("#home-list li.home-item.unseen")).to_have_count(0)
    expect(bob_page.locator("#home-count")).to_have_text("Vous avez tout vu.")
    expect(bob_page.locator("#home-badge")).to_be_hidden()

    # A mention deleted by its author leaves the home page at once.
    slip = unique("Message envoyé par erreur")
    sent = api_ok(alice, "POST", f"/rooms/{room}/messages", {"body": f"@{BOB[1]} {slip}"})
    expect(home_item(bob_page, slip)).to_be_visible()
    api_ok(alice, "DELETE", f"/messages/{sent['id']}")
    expect(home_item(bob_page, slip)).to_have_count(0)

    # The link opens the message in its room.
    mention.get_by_role("link").click()
    expect(bob_page.locator("#room-title")).to_have_text(name)

    # Olivia, outside the private room, saw none of it, then or after a reload.
    expect(olivia_page.locator("#home-list")).not_to_contain_text(question)
    olivia_page.reload()
    expect(olivia_page.locator("body")).to_have_attribute("data-ready", "true")
    expect(olivia_page.locator("#home-count")).to_be_visible()
    expect(olivia_page.locator("#home-list")).not_to_contain_text(question)
    expect(olivia_page.locator("#home-list")).not_to_contain_text(notice)
    assert page_errors == []
