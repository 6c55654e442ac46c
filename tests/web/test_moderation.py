"""Moderation in the browser: reclassifying from Accueil, and a report handled end to end."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .conftest import ALICE, BOB, DEMO_PASSWORD, OLIVIA, screenshot, unique
from .helpers import api_ok, messages, private_room
from .test_accessibility import axe_violations, describe

pytestmark = pytest.mark.xdist_group("browser")

NADIA = "nadia.lefevre@cnfpt.test"  # the demo's animatrice of Accueil


def _room_id(context, name: str) -> int:
    rooms = api_ok(context, "GET", f"/rooms?q={name}")
    return next(r["id"] for r in rooms if r["name"] == name)


def test_an_animateur_moves_a_message_from_accueil_to_a_thematic_room(session, open_app):
    alice_session = session(ALICE[0])
    nadia_session = session(NADIA, DEMO_PASSWORD, bypass_csp=True)
    accueil = _room_id(nadia_session, "Accueil")
    rh = _room_id(nadia_session, "Ressources humaines")
    api_ok(alice_session, "POST", f"/rooms/{accueil}/join")
    text = unique("Comment calculer le CIA des agents ?")
    api_ok(alice_session, "POST", f"/rooms/{accueil}/messages", {"body": text})
    alice = open_app(alice_session, f"/#/room/{accueil}")
    nadia = open_app(nadia_session, f"/#/room/{accueil}")

    post = messages(nadia, text)
    expect(post).to_have_count(1)
    post.get_by_role("button", name="Actions").click()
    post.get_by_role("button", name="Déplacer").click()
    dialog = nadia.get_by_role("dialog", name="Déplacer vers un autre salon")
    expect(dialog).to_be_visible()
    dialog.get_by_label("Salon de destination").select_option(label="Ressources humaines")
    dialog.get_by_label("Motif (communiqué à l'auteur)").fill(
        "Question RH : rangée dans le bon salon"
    )
    violations = axe_violations(nadia)
    assert violations == [], describe(violations)
    screenshot(nadia, "moderation-move")
    dialog.get_by_role("button", name="Déplacer").click()
    expect(dialog).to_be_hidden()

    expect(messages(nadia, text)).to_have_count(0)
    expect(messages(alice, text)).to_have_count(0)
    expect(alice.locator("#moderation-notice")).to_contain_text("Ressources humaines")
    expect(alice.locator("#moderation-notice")).to_contain_text("Question RH")
    nadia.goto(f"/#/room/{rh}")
    expect(messages(nadia, text)).to_have_count(1)


def test_a_member_reports_a_message_and_a_moderator_resolves_it(session, open_app):
    alice_session, bob_session, olivia_session = (
        session(ALICE[0], bypass_csp=True),
        session(BOB[0]),
        session(OLIVIA[0]),
    )
    room = private_room(
        alice_session,
        unique("Cellule signalements"),
        (bob_session, BOB[0]),
        (olivia_session, OLIVIA[0]),
    )
    text = unique("Propos désobligeants")
    api_ok(olivia_session, "POST", f"/rooms/{room}/messages", {"body": text})
    alice = open_app(alice_session, f"/#/room/{room}")
    bob = open_app(bob_session, f"/#/room/{room}")
    expect(alice.locator("#queue-button")).to_be_visible()
    expect(bob.locator("#queue-button")).to_be_hidden()
    # Olivia's first message in the room carries the newcomer mark, for moderators only.
    expect(messages(alice, text).locator(".newcomer-badge")).to_have_text("nouveau membre")
    expect(messages(bob, text)).to_have_count(1)
    expect(messages(bob, text).locator(".newcomer-badge")).to_have_count(0)

    reported = messages(bob, text)
    reported.get_by_role("button", name="Actions").click()
    expect(reported.get_by_role("button", name="Masquer")).to_have_count(0)  # not a moderator
    reported.get_by_role("button", name="Signaler").click()
    dialog = bob.get_by_role("dialog", name="Signaler ce message")
    dialog.get_by_label("Motif du signalement").fill("Ton agressif envers un collègue")
    dialog.get_by_role("button", name="Signaler").click()
    expect(bob.locator("#moderation-notice")).to_contain_text("Signalement envoyé")

    expect(alice.locator("#announcer")).to_contain_text("Nouveau signalement")
    expect(alice.locator("#queue-button")).to_have_text("Signalements (1)")
    alice.locator("#queue-button").click()
    queue = alice.get_by_role("dialog", name="Signalements à traiter")
    item = queue.locator(".queue-item", has_text=text)
    expect(item).to_contain_text("Ton agressif envers un collègue")
    expect(item).to_contain_text(BOB[1])
    violations = axe_violations(alice)
    assert violations == [], describe(violations)
    screenshot(alice, "moderation-queue")
    item.get_by_label("Note pour l'auteur du signalement").fill("Message masqué, merci")
    item.get_by_role("button", name="Traiter").click()
    expect(queue.locator("#queue-status")).to_have_text("Aucun signalement en attente.")

    expect(bob.locator("#moderation-notice")).to_contain_text(
        "Votre signalement a été traité : Message masqué, merci"
    )
    mine = api_ok(bob_session, "GET", "/reports/mine")
    assert mine[0]["status"] == "resolved"


def test_a_moderator_mutes_an_author_and_makes_the_room_read_only(session, open_app):
    alice_session, bob_session = session(ALICE[0]), session(BOB[0])
    room = private_room(alice_session, unique("Cellule sanctions"), (bob_session, BOB[0]))
    text = unique("Message insistant")
    api_ok(bob_session, "POST", f"/rooms/{room}/messages", {"body": text})
    alice = open_app(alice_session, f"/#/room/{room}")
    bob = open_app(bob_session, f"/#/room/{room}")

    post = messages(alice, text)
    post.get_by_role("button", name="Actions").click()
    post.get_by_role("button", name="Sanctionner l'auteur").click()
    dialog = alice.get_by_role("dialog", name="Sanctionner l'auteur")
    expect(dialog).to_contain_text(BOB[1])
    dialog.get_by_label("Mettre en sourdine 1 heure").check()
    dialog.get_by_label("Motif (journal d'audit)").fill("Messages répétés")
    dialog.get_by_role("button", name="Appliquer").click()
    expect(dialog).to_be_hidden()
    expect(alice.locator("#announcer")).to_contain_text("Sanction appliquée")

    composer = bob.get_by_role("textbox", name="Message dans")
    composer.fill("Je peux encore parler ?")
    composer.press("Enter")
    expect(messages(bob, "Je peux encore parler").locator(".message-status")).to_contain_text(
        "sourdine"
    )

    alice.locator("#queue-button").click()
    queue = alice.get_by_role("dialog", name="Signalements à traiter")
    queue.get_by_label("Qui publie").select_option("read_only")
    queue.get_by_role("button", name="Enregistrer les règles").click()
    expect(queue.locator("#queue-status")).to_have_text("Règles enregistrées.")
    state = api_ok(alice_session, "GET", f"/rooms/{room}/moderation")
    assert state["posting"] == "read_only"
    assert [m["user"]["id"] for m in state["mutes"]] == [api_ok(bob_session, "GET", "/me")["id"]]
