"""The member directory, member profiles and live level badges, in the browser."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .conftest import ALICE, BOB, OLIVIA, PASSWORD, screenshot, unique
from .helpers import api_ok, messages, private_room
from .test_accessibility import axe_violations, describe

pytestmark = pytest.mark.xdist_group("browser")


def test_the_directory_finds_a_member_by_commune(session, open_app, page_errors):
    olivia = session(OLIVIA[0])
    api_ok(
        olivia,
        "PATCH",
        "/account/directory-profile",
        {"territory": "38185", "skills": ["Urbanisme", "SIG"], "cv": "## Parcours\n\n*Dix ans*"},
    )
    alice = session(ALICE[0], bypass_csp=True)
    page = alice.new_page()
    page.on("pageerror", lambda exc: page_errors.append(str(exc)))
    page.goto("/members/")
    expect(page.get_by_role("heading", name="Annuaire des membres")).to_be_visible()
    page.get_by_label("Territoire (code INSEE de commune, de département ou de région)").fill(
        "38185"
    )
    page.get_by_role("button", name="Rechercher").click()
    results = page.locator("#results > li")
    expect(results).to_have_count(1)
    expect(results.first).to_contain_text(OLIVIA[1])
    expect(results.first).to_contain_text("Grenoble")
    expect(results.first).to_contain_text("Urbanisme")
    expect(page.locator("#results-count")).to_have_text("1 membre trouvé.")
    # Nobody's address shows unless they chose so.
    expect(results.first.locator("a[href^='mailto:']")).to_have_count(0)
    # The territory view: the map draws the départements, with members' ones as links.
    expect(page.locator("#territory-map svg path")).to_have_count(96)
    isere = page.locator("#territory-map svg a[data-code='38']")
    expect(isere).to_have_attribute("aria-label", "Isère (38) : 1 membre")
    page.get_by_label("Territoire (code INSEE de commune, de département ou de région)").fill("")
    page.get_by_role("button", name="Voir le membre de Grenoble").click()
    expect(results).to_have_count(1)
    expect(page.locator("#search-territory")).to_have_value("38185")
    screenshot(page, "community-directory")
    violations = axe_violations(page)
    assert violations == [], describe(violations)

    results.first.get_by_role("link", name=OLIVIA[1]).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(OLIVIA[1])
    expect(page.locator("#member-facts")).to_contain_text("Grenoble (38185)")
    expect(page.locator("#member-cv")).to_have_text("Ce CV n'est pas public.")
    expect(page.locator("#member")).to_have_attribute("aria-busy", "false")
    violations = axe_violations(page)
    assert violations == [], describe(violations)
    assert page_errors == []


def test_a_member_publishes_the_cv_from_the_profile_page(session, open_app, page_errors):
    bob = session(BOB[0], bypass_csp=True)
    page = bob.new_page()
    page.on("pageerror", lambda exc: page_errors.append(str(exc)))
    page.goto("/account/profile/")
    form = page.locator("#directory-form")
    expect(page.locator("#my-level")).to_contain_text("Votre niveau")
    form.get_by_label("Compétences (une par ligne, 30 au plus)").fill("Marchés publics\nPaie")
    form.get_by_label("CV (Markdown, 20 000 caractères au plus)").fill("## Parcours\n\n**Juriste**")
    form.get_by_label("Publier mon CV sur une page publique").check()
    form.get_by_role("button", name="Mettre à jour ma fiche d'annuaire").click()
    expect(page.locator("#directory-done")).to_have_text("Profil d'annuaire enregistré.")
    violations = axe_violations(page)
    assert violations == [], describe(violations)
    page.get_by_role("link", name="Voir la page publique de mon CV").click()
    expect(page.locator("#cv-body strong")).to_have_text("Juriste")
    expect(page.locator("meta[name=robots]")).to_have_count(0)
    # A refused field is tied to its input.
    page.goto("/account/profile/")
    expect(page.locator("#my-level")).to_contain_text("Votre niveau")
    form.get_by_label("Commune de travail (code INSEE, facultatif)").fill("99999")
    form.get_by_role("button", name="Mettre à jour ma fiche d'annuaire").click()
    expect(page.locator("#directory-error")).to_contain_text("Territoire inconnu")
    expect(form.get_by_label("Commune de travail (code INSEE, facultatif)")).to_have_attribute(
        "aria-invalid", "true"
    )
    assert page_errors == []


def test_a_level_badge_updates_live(server, session, open_app):
    # A fresh agent: the other tests' reactions and replies do not count for them.
    email = f"nina-{unique('n').split()[-1]}@testville.test"
    server.cli("user", "add", email, "--password", PASSWORD, "--name", "Nina Nouvelle")
    alice, bob = session(ALICE[0]), session(email)
    room = private_room(alice, unique("Entraide"), (bob, email))
    api_ok(bob, "POST", f"/rooms/{room}/messages", {"body": "Bonjour à tous"})
    question = api_ok(alice, "POST", f"/rooms/{room}/messages", {"body": "Une question ?"})
    page = open_app(alice, f"/#/room/{room}")
    badge = messages(page, "Bonjour à tous").locator(".level-badge")
    expect(badge).to_have_text("nouveau membre")
    reply = api_ok(
        bob, "POST", f"/rooms/{room}/messages", {"body": "Ma réponse", "thread": question["id"]}
    )
    api_ok(alice, "POST", f"/messages/{reply['id']}/reactions", {"emoji": "👍"})
    expect(badge).to_have_text("membre actif")
    expect(badge).to_have_attribute("data-level", "2")
