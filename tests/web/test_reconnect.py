"""The server process dies mid-conversation: pages reconnect by themselves, catch up with
`sync`, and show every message exactly once, including one written while offline."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .conftest import ALICE, BOB, screenshot, unique
from .helpers import api_ok, messages, private_room, send

# One xdist worker runs every browser test (--dist loadgroup): one server, one Chromium.
pytestmark = pytest.mark.xdist_group("browser")


def test_pages_reconnect_after_a_server_restart_and_show_every_message_once(
    server, session, open_app
):
    alice_session, bob_session = session(ALICE[0]), session(BOB[0])
    room = private_room(alice_session, unique("Astreinte"), (bob_session, BOB[0]))
    alice = open_app(alice_session, f"/#/room/{room}")
    bob = open_app(bob_session, f"/#/room/{room}")

    send(alice, "Avant la coupure")
    expect(messages(bob, "Avant la coupure")).to_have_count(1)

    server.kill()
    for page in (alice, bob):
        banner = page.get_by_role("status").filter(has_text="Reconnexion…")
        expect(banner).to_be_visible()
    send(alice, "Écrit pendant la coupure")
    queued = messages(alice, "Écrit pendant la coupure")
    expect(queued).to_have_count(1)
    expect(queued).to_have_class(re.compile("pending"))
    screenshot(alice, "reconnecting")

    server.start()
    # Written by Bob through the API before the pages are back: delivered by live or by sync.
    api_ok(bob_session, "POST", f"/rooms/{room}/messages", {"body": "Écrit pendant le retour"})
    for page in (alice, bob):
        expect(page.locator("#connection-status")).to_be_empty(timeout=45_000)
    for page in (alice, bob):
        expect(messages(page, "Avant la coupure")).to_have_count(1)
        expect(messages(page, "Écrit pendant la coupure")).to_have_count(1)
        expect(messages(page, "Écrit pendant le retour")).to_have_count(1)
    expect(messages(alice, "Écrit pendant la coupure")).not_to_have_class(re.compile("pending"))

    send(bob, "Après le retour")
    expect(messages(alice, "Après le retour")).to_have_count(1)
    for page in (alice, bob):
        bodies = page.locator("#message-list li.message .message-body").all_inner_texts()
        assert bodies == [
            "Avant la coupure",
            "Écrit pendant la coupure",
            "Écrit pendant le retour",
            "Après le retour",
        ] or bodies == [
            "Avant la coupure",
            "Écrit pendant le retour",
            "Écrit pendant la coupure",
            "Après le retour",
        ], bodies
    # The server kept exactly one copy of the message queued while offline.
    events = api_ok(alice_session, "GET", f"/rooms/{room}/events")["events"]
    created = [e["data"]["body"] for e in events if e["event"] == "message.created"]
    assert created.count("Écrit pendant la coupure") == 1
