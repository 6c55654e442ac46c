"""The asker marks a reply of their thread as useful, in the browser."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from .conftest import ALICE, BOB, PASSWORD, unique
from .helpers import api_ok, messages, private_room
from .test_accessibility import axe_violations, describe

pytestmark = pytest.mark.xdist_group("browser")

MARK = "Marquer comme réponse utile"


def thread_panel(page: Page, root_text: str):
    messages(page, root_text).locator(".thread-summary").get_by_role(
        "button", name=re.compile("réponse")
    ).click()
    panel = page.get_by_role("complementary", name="Fil de discussion")
    expect(panel).to_be_visible()
    return panel


def test_the_asker_marks_a_reply_useful_and_every_reader_sees_it_live(
    server, session, open_app, page_errors
):
    carol_email = f"carole-{unique('c').split()[-1]}@testville.test"
    server.cli("user", "add", carol_email, "--password", PASSWORD, "--name", "Carole Tiers")
    alice_session = session(ALICE[0], bypass_csp=True)
    bob_api, bob_other, carol_session = session(BOB[0]), session(BOB[0]), session(carol_email)
    room = private_room(alice_session, unique("Entraide"), (bob_api, BOB[0]))
    api_ok(alice_session, "POST", f"/rooms/{room}/invite", {"email": carol_email})
    api_ok(carol_session, "POST", f"/rooms/{room}/join")
    question = api_ok(
        alice_session, "POST", f"/rooms/{room}/messages", {"body": "Qui connaît le CERFA ?"}
    )
    api_ok(
        bob_api,
        "POST",
        f"/rooms/{room}/messages",
        {"body": "Le formulaire 13750", "thread": question["id"]},
    )

    alice = open_app(alice_session, f"/#/room/{room}")
    bob = open_app(bob_other, f"/#/room/{room}")
    carol = open_app(carol_session, f"/#/room/{room}")
    alice_panel = thread_panel(alice, "Qui connaît")
    bob_panel = thread_panel(bob, "Qui connaît")
    carol_panel = thread_panel(carol, "Qui connaît")
    alice_reply = alice_panel.locator("li.message", has_text="13750")
    bob_reply = bob_panel.locator("li.message", has_text="13750")
    carol_reply = carol_panel.locator("li.message", has_text="13750")
    expect(carol_reply).to_have_count(1)
    expect(bob_reply).to_have_count(1)

    # Only the asker gets the button, and not on their own root.
    mark = alice_reply.get_by_role("button", name=re.compile(f"^{MARK}"))
    expect(mark).to_have_attribute("aria-pressed", "false")
    expect(mark).to_have_text(MARK)
    expect(alice_panel.get_by_role("button", name=re.compile(f"^{MARK}"))).to_have_count(1)
    expect(carol_panel.locator("[data-action=toggle-useful]")).to_have_count(0)
    expect(bob_panel.locator("[data-action=toggle-useful]")).to_have_count(0)
    expect(bob_reply.locator(".useful-badge")).to_have_count(0)

    mark.click()
    unmark = alice_reply.get_by_role("button", name=re.compile("^Retirer la mention utile"))
    expect(unmark).to_have_attribute("aria-pressed", "true")
    expect(unmark).to_be_focused()
    expect(alice_reply.locator(".useful-badge")).to_have_text("✓ Réponse utile")
    # Bob's other context and Carol see it live, and hear it in the live region.
    expect(bob_reply.locator(".useful-badge")).to_have_text("✓ Réponse utile")
    expect(carol_reply.locator(".useful-badge")).to_have_text("✓ Réponse utile")
    expect(bob.locator("#announcer")).to_contain_text(
        f"La réponse de {BOB[1]} est marquée comme utile."
    )
    expect(carol_panel.locator("[data-action=toggle-useful]")).to_have_count(0)

    violations = axe_violations(alice)
    assert violations == [], describe(violations)

    # The mark survives a reload.
    bob.reload()
    expect(bob.locator("body")).to_have_attribute("data-ready", "true")
    bob_panel = thread_panel(bob, "Qui connaît")
    expect(bob_panel.locator("li.message", has_text="13750").locator(".useful-badge")).to_have_text(
        "✓ Réponse utile"
    )

    # The asker takes it back: gone for everyone, live.
    unmark.click()
    expect(alice_reply.get_by_role("button", name=re.compile(f"^{MARK}"))).to_have_attribute(
        "aria-pressed", "false"
    )
    expect(carol_reply.locator(".useful-badge")).to_have_count(0)
    expect(bob_panel.locator(".useful-badge")).to_have_count(0)
    expect(carol.locator("#announcer")).to_contain_text(
        f"La réponse de {BOB[1]} n'est plus marquée comme utile."
    )
    assert page_errors == []
