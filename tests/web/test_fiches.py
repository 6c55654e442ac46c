"""Fiches pratiques in the browser: from a thread to a validated, searchable, printable fiche."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from .conftest import ALICE, BOB, OLIVIA, unique
from .helpers import api, api_ok, messages, private_room

pytestmark = pytest.mark.xdist_group("browser")


def open_thread(page: Page, root_text: str):
    messages(page, root_text).locator(".thread-summary").get_by_role(
        "button", name=re.compile("réponse")
    ).click()
    panel = page.get_by_role("complementary", name="Fil de discussion")
    expect(panel).to_be_visible()
    return panel


def test_a_thread_becomes_a_fiche_edited_validated_found_and_printed(
    session, open_app, page_errors
):
    alice_session, bob_session = session(ALICE[0]), session(BOB[0])
    room = private_room(alice_session, unique("Budget"), (bob_session, BOB[0]))
    question = api_ok(
        alice_session,
        "POST",
        f"/rooms/{room}/messages",
        {"body": "Comment préparer la délibération budgétaire ?"},
    )
    api_ok(
        bob_session,
        "POST",
        f"/rooms/{room}/messages",
        {
            "body": "Avec le modèle de la DGCL.",
            "thread": question["id"],
            "documents": [{"url": "https://www.collectivites-locales.gouv.fr/", "title": "DGCL"}],
        },
    )

    # Bob makes a fiche from the thread panel.
    bob = open_app(bob_session, f"/#/room/{room}")
    panel = open_thread(bob, "Comment préparer")
    panel.get_by_role("link", name="Créer une fiche").click()
    expect(bob.locator("body")).to_have_attribute("data-ready", "true")
    expect(bob.get_by_role("checkbox", name=re.compile("Avec le modèle"))).to_be_checked()
    expect(bob.get_by_role("checkbox", name="DGCL", exact=True)).to_be_checked()
    bob.get_by_label("Titre").fill("Préparer la délibération budgétaire")
    bob.get_by_label(re.compile("^Synthèse")).fill(
        "Une **délibération** du conseil fixe le budget.\nModèle : voir la DGCL."
    )
    bob.get_by_role("button", name="Créer la fiche").click()
    expect(bob).to_have_url(re.compile(r"/fiches/\d+/$"))
    fiche_id = int(re.search(r"/fiches/(\d+)/", bob.url).group(1))
    expect(bob.locator("body")).to_have_attribute("data-ready", "true")
    expect(bob.get_by_role("heading", level=1)).to_have_text("Préparer la délibération budgétaire")
    expect(bob.locator("#fiche-summary strong")).to_have_text("délibération")
    source = bob.get_by_role("link", name=re.compile("Ouvrir la conversation"))
    expect(source).to_have_attribute("href", f"/#/room/{room}/message/{question['id']}")
    expect(
        bob.locator("#fiche-documents").get_by_role("link", name="DGCL", exact=True)
    ).to_be_visible()
    expect(bob.get_by_role("button", name="Valider la fiche")).to_be_hidden()

    # Bob edits it; the history says who changed what.
    bob.get_by_role("button", name="Modifier").click()
    bob.locator("#edit-summary").fill(
        "Une **délibération** du conseil fixe le budget.\nVote avant le 15 avril."
    )
    bob.get_by_label("Note de modification (facultative)").fill("Date limite")
    bob.get_by_role("button", name="Enregistrer la nouvelle version").click()
    expect(bob.locator("#fiche-status")).to_have_text("Nouvelle version enregistrée.")
    history = bob.locator("#fiche-history li.revision")
    expect(history).to_have_count(2)
    expect(history.nth(1)).to_contain_text("Version 2 — Bob Durand")
    expect(history.nth(1)).to_contain_text("synthèse")
    expect(history.nth(1)).to_contain_text("Note : Date limite")
    expect(history.nth(1).locator(".diff-added")).to_contain_text("Vote avant le 15 avril.")

    # Alice, owner of the room, validates it.
    alice = open_app(alice_session, f"/fiches/{fiche_id}/")
    alice.get_by_role("button", name="Valider la fiche").click()
    expect(alice.locator("#fiche-badges")).to_contain_text("Validée par Alice Martin")
    expect(alice.get_by_role("button", name="Retirer la validation")).to_be_visible()

    # The knowledge base finds it (French stemming), and the app links to it.
    base = open_app(bob_session, "/fiches/")
    base.get_by_label("Mots à chercher").fill("délibérations")
    base.get_by_role("button", name="Rechercher").click()
    found = base.locator("#fiche-list li.fiche-card")
    expect(found).to_have_count(1)
    expect(found).to_contain_text("Préparer la délibération budgétaire")
    expect(found).to_contain_text("Validée")
    app = open_app(bob_session, "/")
    expect(app.get_by_role("link", name="Fiches pratiques")).to_have_attribute("href", "/fiches/")

    # It prints without navigation or buttons, links spelled out.
    bob.emulate_media(media="print")
    expect(bob.locator("nav.fiches-nav")).to_be_hidden()
    expect(bob.get_by_role("button", name="Imprimer")).to_be_hidden()
    expect(bob.locator("#fiche-summary")).to_be_visible()
    after = bob.locator("#fiche-source a").evaluate("a => getComputedStyle(a, '::after').content")
    assert "/#/room/" in after
    bob.emulate_media(media="screen")
    expect(bob.get_by_role("button", name="Imprimer")).to_be_visible()

    # An agent outside the private room finds nothing.
    olivia = session(OLIVIA[0])
    assert api(olivia, "GET", f"/fiches/{fiche_id}").status == 404
    assert api_ok(olivia, "GET", "/fiches?q=délibération")["total"] == 0
    assert olivia.request.get(f"/fiches/{fiche_id}/").status == 404
    assert page_errors == []


def test_the_fiches_pages_have_no_serious_axe_violation(session, open_app, page_errors):
    from .test_accessibility import axe_violations, describe

    alice_session = session(ALICE[0], bypass_csp=True)
    bob_session = session(BOB[0])
    room = private_room(alice_session, unique("Axe"), (bob_session, BOB[0]))
    root = api_ok(alice_session, "POST", f"/rooms/{room}/messages", {"body": "Une question"})
    api_ok(
        bob_session, "POST", f"/rooms/{room}/messages", {"body": "Réponse", "thread": root["id"]}
    )
    fiche = api_ok(
        alice_session,
        "POST",
        "/fiches",
        {
            "thread": root["id"],
            "title": "Accessible",
            "summary": 'Une *synthèse* <img src=x onerror="document.title=1"> [x](javascript:alert(1))',
        },
    )
    api_ok(alice_session, "PATCH", f"/fiches/{fiche['id']}", {"summary": "Revue.", "note": "n"})

    for path in ("/fiches/", f"/fiches/{fiche['id']}/", f"/fiches/nouvelle/?thread={root['id']}"):
        page = open_app(alice_session, path)
        violations = axe_violations(page)
        assert violations == [], f"{path}: {describe(violations)}"
    page = open_app(alice_session, f"/fiches/{fiche['id']}/")
    summary = page.locator("#fiche-summary")
    expect(summary).to_contain_text("Revue.")
    api_ok(alice_session, "PATCH", f"/fiches/{fiche['id']}", {"summary": fiche["summary"]})
    page.reload()
    expect(summary.locator("em")).to_have_text("synthèse")
    expect(summary).to_contain_text('<img src=x onerror="document.title=1">')
    expect(summary.locator("img")).to_have_count(0)
    expect(summary.locator("a")).to_have_count(0)
    assert page_errors == []
