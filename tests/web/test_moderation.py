"""Moderation in the browser: reclassifying from Accueil, and a report handled end to end."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .conftest import ALICE, BOB, DEMO_PASSWORD, OLIVIA, screenshot, unique
from .helpers import api, api_ok, messages, private_room
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


def test_an_animateur_reads_the_rooms_audit_trail_and_a_member_cannot(session, open_app):
    alice_session = session(ALICE[0])
    bob_session = session(BOB[0])
    nadia_session = session(NADIA, DEMO_PASSWORD, bypass_csp=True)
    accueil = _room_id(nadia_session, "Accueil")
    rh = _room_id(nadia_session, "Ressources humaines")
    for who in (alice_session, bob_session):
        api(who, "POST", f"/rooms/{accueil}/join")
    hidden_text = unique("Publicité pour un logiciel")
    moved_text = unique("Qui connaît le télétravail des ATSEM ?")
    api_ok(alice_session, "POST", f"/rooms/{accueil}/messages", {"body": hidden_text})
    moved = api_ok(alice_session, "POST", f"/rooms/{accueil}/messages", {"body": moved_text})
    nadia = open_app(nadia_session, f"/#/room/{accueil}")

    post = messages(nadia, hidden_text)
    post.get_by_role("button", name="Actions").click()
    post.get_by_role("button", name="Masquer").click()
    dialog = nadia.get_by_role("dialog", name="Masquer ce message")
    reason = unique("Démarchage commercial")
    dialog.get_by_label("Motif (journal d'audit)").fill(reason)
    dialog.get_by_role("button", name="Masquer").click()
    expect(dialog).to_be_hidden()
    api_ok(
        nadia_session,
        "POST",
        f"/messages/{moved['id']}/move",
        {"room": rh, "scope": "message", "reason": unique("Question RH")},
    )

    nadia.get_by_role("button", name="Journal").click()
    trail = nadia.get_by_role("dialog", name="Journal d'audit")
    expect(trail).to_be_visible()
    table = trail.get_by_role("table", name="Journal d'audit du salon")
    expect(table.get_by_role("columnheader")).to_have_text(
        ["Date", "Auteur", "Action", "Cible", "Motif"]
    )
    trail.get_by_label("Action", exact=True).select_option(label="Message masqué")
    trail.get_by_label("Auteur").select_option(label="Nadia Lefèvre")
    trail.get_by_role("button", name="Filtrer").click()
    row = table.locator("tbody tr", has_text=reason)
    expect(row).to_have_count(1)
    expect(row.locator("td").nth(1)).to_have_text("Nadia Lefèvre")
    expect(row.locator("td").nth(2)).to_have_text("Message masqué")
    expect(row.locator("td").nth(3)).to_contain_text("Message n°")
    expect(table.locator("tbody tr[data-action='message.moved']")).to_have_count(0)
    assert hidden_text not in trail.inner_text()  # never a message body

    trail.get_by_label("Action", exact=True).select_option(label="Message déplacé")
    trail.get_by_role("button", name="Filtrer").click()
    expect(table.locator("tbody tr[data-action='message.moved']").first).to_be_visible()
    expect(trail.locator("#audit-status")).to_contain_text("page 1")
    violations = axe_violations(nadia)
    assert violations == [], describe(violations)
    screenshot(nadia, "moderation-audit-trail")
    trail.get_by_label("Du", exact=True).fill("2099-01-01")
    trail.get_by_role("button", name="Filtrer").click()
    expect(trail.locator("#audit-status")).to_have_text(
        "Aucune entrée ne correspond à ces filtres."
    )
    expect(table.locator("tbody tr")).to_have_count(0)

    # A plain member of the room: no button, and the server refuses the trail.
    bob = open_app(bob_session, f"/#/room/{accueil}")
    expect(messages(bob, moved_text)).to_have_count(0)
    expect(bob.locator("#queue-button")).to_be_hidden()
    expect(bob.locator("#audit-button")).to_be_hidden()
    assert api(bob_session, "GET", f"/audit?room={accueil}").status == 403
    assert api(bob_session, "GET", "/audit").status == 400
    # Someone who cannot read a private room does not learn it exists.
    olivia_session = session(OLIVIA[0])
    private = private_room(alice_session, unique("Cellule journal"), (bob_session, BOB[0]))
    assert api(olivia_session, "GET", f"/audit?room={private}").status == 404


def test_the_audit_trail_speaks_english(session, open_app):
    nadia_session = session(NADIA, DEMO_PASSWORD, locale="en-GB")
    accueil = _room_id(nadia_session, "Accueil")
    nadia = open_app(nadia_session, f"/#/room/{accueil}")
    nadia.get_by_role("button", name="Audit log").click()
    trail = nadia.get_by_role("dialog", name="Audit log")
    expect(trail.get_by_role("table", name="The room's audit log")).to_be_visible()
    expect(trail.get_by_label("Action", exact=True)).to_contain_text("Message hidden")
    expect(trail.get_by_role("button", name="Filter")).to_be_visible()
