"""Conversations in the browser: threads, attachments and links, reactions, mentions, search,
edit history and the BOT badge."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .conftest import ALICE, BOB, screenshot, unique
from .helpers import api_ok, messages, private_room
from .test_accessibility import axe_violations, describe

# One xdist worker runs every browser test (--dist loadgroup): one server, one Chromium.
pytestmark = pytest.mark.xdist_group("browser")


def test_a_reply_in_a_thread_shows_live_in_the_other_context(session, open_app):
    alice_session, bob_session = session(ALICE[0], bypass_csp=True), session(BOB[0])
    room = private_room(alice_session, unique("Fil budget"), (bob_session, BOB[0]))
    api_ok(
        alice_session, "POST", f"/rooms/{room}/messages", {"body": "Qui relit la délibération ?"}
    )
    alice = open_app(alice_session, f"/#/room/{room}")
    bob = open_app(bob_session, f"/#/room/{room}")
    root_for_bob = messages(bob, "Qui relit")
    expect(root_for_bob).to_have_count(1)

    root_for_bob.hover()
    root_for_bob.get_by_role("button", name=re.compile("^Répondre dans un fil")).click()
    panel = bob.get_by_role("complementary", name="Fil de discussion")
    expect(panel).to_be_visible()
    expect(panel.locator("li.message")).to_have_count(1)
    reply_box = panel.get_by_role("textbox", name="Répondre dans le fil")
    expect(reply_box).to_be_focused()
    reply_box.fill("Je m'en occupe cet après-midi.")
    reply_box.press("Enter")
    expect(panel.locator("li.message", has_text="Je m'en occupe")).to_have_count(1)
    # Bob replied: he follows the thread now.
    expect(panel.get_by_role("button", name="Ne plus suivre le fil")).to_have_attribute(
        "aria-pressed", "true"
    )

    # Alice sees the reply count on the root, live, and the reply is not in the main list.
    root_for_alice = messages(alice, "Qui relit")
    summary = root_for_alice.locator(".thread-summary")
    expect(summary).to_contain_text("1 réponse")
    expect(summary).to_contain_text(BOB[1])
    expect(summary).to_contain_text(re.compile(r"dernière à \d{2}:\d{2}"))
    expect(messages(alice, "Je m'en occupe")).to_have_count(0)
    # She wrote the root: she follows the thread and has one unread reply in it.
    expect(summary.locator(".thread-unread")).to_have_text("1 nouvelle")

    summary.get_by_role("button", name=re.compile("1 réponse")).click()
    alice_panel = alice.get_by_role("complementary", name="Fil de discussion")
    expect(alice_panel.locator("li.message", has_text="Je m'en occupe")).to_have_count(1)
    expect(summary.locator(".thread-unread")).to_have_count(0)

    # A new reply from Bob appears live in Alice's open panel.
    panel.get_by_role("textbox", name="Répondre dans le fil").fill(
        "C'est relu, **deux** remarques."
    )
    panel.get_by_role("textbox", name="Répondre dans le fil").press("Enter")
    expect(alice_panel.locator("li.message", has_text="deux")).to_have_count(1)
    expect(alice_panel.locator("#thread-status")).to_contain_text(BOB[1])
    expect(summary).to_contain_text("2 réponses")
    screenshot(alice, "thread-panel")

    violations = axe_violations(alice)
    assert violations == [], describe(violations)

    # Unfollow, then the panel closes with Escape and gives the focus back.
    alice_panel.get_by_role("button", name="Ne plus suivre le fil").click()
    expect(alice_panel.get_by_role("button", name="Suivre le fil")).to_have_attribute(
        "aria-pressed", "false"
    )
    alice_panel.get_by_role("textbox", name="Répondre dans le fil").press("Escape")
    expect(alice_panel).to_be_hidden()
