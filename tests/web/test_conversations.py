"""Conversations in the browser: threads, attachments and links, reactions, mentions, search,
edit history and the BOT badge."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .conftest import ALICE, BOB, screenshot, unique
from .helpers import api_ok, messages, private_room, send
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


def test_attach_a_file_and_a_link_then_download_it_and_find_it_in_documents(session, open_app):
    alice_session, bob_session = session(ALICE[0]), session(BOB[0])
    room = private_room(alice_session, unique("Pièces"), (bob_session, BOB[0]))
    alice = open_app(alice_session, f"/#/room/{room}")
    bob = open_app(bob_session, f"/#/room/{room}")
    expect(alice.get_by_role("textbox", name="Message dans")).to_be_visible()

    # Over the limit: refused, with the server's reason shown, and nothing left to send.
    alice.locator("#composer-file").set_input_files(
        files=[
            {
                "name": "enorme.pdf",
                "mimeType": "application/pdf",
                "buffer": b"%PDF" + b"0" * (21 * 1024 * 1024),
            }
        ]
    )
    error = alice.locator("#composer-error")
    expect(error).to_be_visible()
    expect(error).to_have_attribute("role", "alert")
    expect(error).to_contain_text("enorme.pdf")
    expect(error).to_contain_text("taille maximale")
    expect(alice.locator("#composer .pending-attachments li")).to_have_count(0)

    content = "Ordre du jour : budget, voirie, écoles.\n"
    alice.locator("#composer-file").set_input_files(
        files=[{"name": "ordre-du-jour.txt", "mimeType": "text/plain", "buffer": content.encode()}]
    )
    expect(
        alice.locator("#composer .pending-attachments li", has_text="ordre-du-jour.txt")
    ).to_contain_text("Retirer")
    expect(error).to_be_hidden()

    alice.get_by_role("button", name="Ajouter un lien").click()
    alice.get_by_label("Adresse (https://…)").first.fill(
        "https://www.legifrance.gouv.fr/codes/cgct"
    )
    alice.get_by_label("Titre").first.fill("Code général des collectivités")
    alice.get_by_label("Description (facultatif)").first.fill("Partie législative")
    alice.get_by_role("button", name="Ajouter le lien").first.click()
    expect(alice.locator("#composer .pending-attachments li")).to_have_count(2)
    send(alice, "Voici les documents de la réunion")

    shared = messages(bob, "Voici les documents")
    expect(shared.get_by_role("link", name="ordre-du-jour.txt")).to_be_visible()
    expect(shared.get_by_role("link", name="Code général des collectivités")).to_have_attribute(
        "href", "https://www.legifrance.gouv.fr/codes/cgct"
    )
    expect(shared).to_contain_text("Partie législative")
    with bob.expect_download() as download_info:
        shared.get_by_role("link", name="ordre-du-jour.txt").click()
    download = download_info.value
    assert download.suggested_filename == "ordre-du-jour.txt"
    with open(download.path(), encoding="utf-8") as handle:
        assert handle.read() == content

    # The room's Documents view: newest first, filterable.
    api_ok(
        alice_session,
        "POST",
        f"/rooms/{room}/messages",
        {
            "body": "Plus récent",
            "documents": [{"url": "https://example.org/pv", "title": "Procès-verbal"}],
        },
    )
    bob.get_by_role("link", name="Documents", exact=True).click()
    expect(bob.get_by_role("heading", level=1)).to_contain_text("Documents")
    results = bob.locator("#documents-results > li")
    expect(results).to_have_count(3)
    expect(results.first).to_contain_text("Procès-verbal")
    bob.get_by_label("Filtrer les documents").fill("ordre")
    expect(results).to_have_count(1)
    expect(results.first).to_contain_text("ordre-du-jour.txt")
    bob.get_by_label("Filtrer les documents").fill("")
    bob.locator("#documents-type").select_option("link")
    expect(results).to_have_count(2)
    screenshot(bob, "documents")
