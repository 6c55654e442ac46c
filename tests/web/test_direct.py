"""Direct messages in the browser: opened from a profile, live for the other participant,
invisible to a colleague of the same organisation."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .conftest import ALICE, BOB, PASSWORD, screenshot, unique
from .helpers import api, api_ok, messages, send
from .test_accessibility import axe_violations, describe

pytestmark = pytest.mark.xdist_group("browser")


def member_id(who, name):  # type: ignore[no-untyped-def]
    found = api_ok(who, "GET", f"/members?q={name}")
    return next(m["id"] for m in found if m["name"] == name)


def test_a_direct_message_opened_from_a_profile_reaches_only_its_participant(
    session, open_app, page_errors, server
):
    colleague_email = unique("collegue").replace(" ", "-").lower() + "@testville.test"
    server.cli("user", "add", colleague_email, "--password", PASSWORD, "--name", "Claire Voisine")
    alice = session(ALICE[0], bypass_csp=True)
    bob = session(BOB[0], bypass_csp=True)
    colleague = session(colleague_email)
    alice_id, bob_id = member_id(bob, ALICE[1]), member_id(alice, BOB[1])
    # Whatever an earlier run left: Bob out of any conversation with Alice, nobody blocked.
    api_ok(alice, "GET", "/blocks")
    for who, other in ((alice, bob_id), (bob, alice_id)):
        for conversation in api_ok(who, "GET", "/direct"):
            if [p["id"] for p in conversation["participants"]] == [other]:
                api_ok(bob, "POST", f"/rooms/{conversation['id']}/leave")
    bob_page = open_app(bob)
    colleague_page = open_app(colleague)
    bob_direct = bob_page.locator("#rooms-direct")
    expect(bob_direct.get_by_role("link", name=ALICE[1])).to_have_count(0)

    page = alice.new_page()
    page.on("pageerror", lambda exc: page_errors.append(str(exc)))
    page.goto(f"/members/{bob_id}/")
    page.get_by_role("button", name=f"Envoyer un message direct à {BOB[1]}").click()

    expect(page.locator("body")).to_have_attribute("data-ready", "true")
    expect(page.locator("#room-title")).to_have_text(BOB[1])
    expect(page.locator("#room-meta")).to_contain_text("Message direct")
    expect(page.locator("#rooms-direct").get_by_role("link", name=BOB[1])).to_be_visible()
    # Bob's sidebar shows the new conversation live, under « Messages directs ».
    link = bob_direct.get_by_role("link", name=ALICE[1])
    expect(link).to_be_visible()
    send(page, "Bonjour Bob, un mot en direct")
    expect(link).to_contain_text("1 message non lu")
    link.click()
    expect(bob_page.locator("#room-title")).to_have_text(ALICE[1])
    expect(messages(bob_page, "Bonjour Bob, un mot en direct")).to_be_visible()
    send(bob_page, "Bien reçu, Alice")
    expect(messages(page, "Bien reçu, Alice")).to_be_visible()
    screenshot(page, "direct-conversation")

    # A colleague of the same organisation sees nothing of it, anywhere.
    expect(colleague_page.locator("#rooms-direct li.empty")).to_have_text("Aucune conversation")
    expect(colleague_page.locator("#room-nav")).not_to_contain_text(ALICE[1])
    assert api_ok(colleague, "GET", "/direct") == []
    assert api_ok(colleague, "GET", "/search?q=direct")["results"] == []
    room_id = api_ok(alice, "GET", "/direct")[0]["id"]
    colleague_page.goto(f"/#/room/{room_id}")
    expect(colleague_page.locator("#message-list")).not_to_contain_text("Bonjour Bob")

    # « Nouvelle conversation »: the dialog is accessible.
    page.get_by_role("button", name="Nouvelle conversation").click()
    dialog = page.get_by_role("dialog", name="Nouvelle conversation")
    expect(dialog).to_be_visible()
    dialog.get_by_label("Rechercher une personne").fill("Bob")
    expect(dialog.get_by_role("checkbox", name=BOB[1])).to_be_visible()
    violations = axe_violations(page)
    assert violations == [], describe(violations)
    dialog.get_by_role("button", name="Annuler").click()

    # Blocking from the profile; the account page lists the blocked person, who can be unblocked.
    page.goto(f"/members/{bob_id}/")
    page.get_by_role("button", name=f"Bloquer {BOB[1]}").click()
    expect(page.locator("#contact-status")).to_contain_text("n'en est pas avertie")
    refused = api(bob, "POST", f"/rooms/{room_id}/messages", {"body": "Encore moi"})
    assert refused.status == 403 and refused.json()["reason"] == "blocked"
    page.goto("/account/security/")
    blocked = page.locator("#block-list li", has_text=BOB[1])
    expect(blocked).to_have_count(1)
    blocked.get_by_role("button", name=f"Débloquer {BOB[1]}").click()
    expect(page.get_by_role("status")).to_have_text(f"{BOB[1]} est débloqué·e.")
    expect(page.locator("#blocks-empty")).to_be_visible()
    assert page_errors == []
