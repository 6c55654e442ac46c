"""Contacts and the contact import, in the browser."""

from __future__ import annotations

import os

import pytest
from playwright.sync_api import expect

from .conftest import ALICE, BOB, OLIVIA, screenshot
from .helpers import api, api_ok
from .test_accessibility import axe_violations, describe

pytestmark = pytest.mark.xdist_group("browser")


def member_id(who, name):  # type: ignore[no-untyped-def]
    found = api_ok(who, "GET", f"/members?q={name}")
    return next(m["id"] for m in found if m["name"] == name)


def test_an_agent_imports_a_csv_adds_the_agent_found_and_invites_a_colleague(
    session, open_app, login, server, page_errors
):
    tag = f"{os.getpid()}x{os.urandom(3).hex()}"
    invitable = f"invitee.{tag}@testville.test"
    outside = f"quelqu.un@inconnu-{tag}.test"
    login(BOB[0])  # Bob's socket is open: he is online
    alice = session(ALICE[0], bypass_csp=True)
    bob_id = member_id(alice, BOB[1])
    api(alice, "DELETE", f"/contacts/{bob_id}")  # whatever an earlier test left
    page = open_app(alice, "/contacts/import/")
    expect(page.get_by_role("heading", name="Importer des contacts", level=1)).to_be_visible()
    csv = f"Nom;Courriel\nDurand;{BOB[0].upper()}\nNouvelle;{invitable}\nDehors;{outside}\n"

    page.get_by_label("Fichier CSV ou vCard").set_input_files(
        {"name": "carnet.csv", "mimeType": "text/csv", "buffer": csv.encode()}
    )
    page.get_by_role("button", name="Analyser le fichier").click()

    status = page.locator("#import-status")
    expect(status).to_have_text(
        "Analyse terminée : 1 agent inscrit, 1 personne à inviter, "
        "1 adresse hors des organisations inscrites."
    )
    expect(status).to_have_attribute("aria-live", "polite")
    rows = page.locator("#import-body tr")
    expect(rows).to_have_count(3)
    table = page.locator("#import-table")
    expect(table.locator("thead th")).to_have_text(["Adresse", "Résultat", "Détail", "Action"])
    matched = rows.filter(has_text=BOB[0])
    expect(matched).to_have_attribute("data-outcome", "matched")
    expect(matched).to_contain_text("Agent inscrit")
    expect(matched).to_contain_text(BOB[1])
    invite_row = rows.filter(has_text=invitable)
    expect(invite_row).to_have_attribute("data-outcome", "invitable")
    expect(invite_row).to_contain_text("Mairie de Testville")
    outside_row = rows.filter(has_text=outside)
    expect(outside_row).to_have_attribute("data-outcome", "outside")
    expect(outside_row).to_contain_text("rien n'est conservé")
    expect(outside_row.get_by_role("button")).to_have_count(0)
    violations = axe_violations(page)
    assert violations == [], describe(violations)

    matched.get_by_role("button", name=f"Ajouter aux contacts : {BOB[1]}").click()
    expect(matched.get_by_role("button")).to_have_text("Dans vos contacts")
    expect(status).to_have_text(f"{BOB[1]} a été ajouté·e à vos contacts.")
    invite_row.get_by_role("button", name=f"Inviter {invitable}").click()
    expect(invite_row.get_by_role("button")).to_have_text("Invitation envoyée")
    expect(status).to_have_text(f"Invitation envoyée à {invitable}.")
    screenshot(page, "contacts-import")
    # The invitation went out through the email backend (the console one here); the outside
    # address went nowhere, not even in the server's output.
    output = server.log_path.read_text(errors="replace")
    assert f"To: {invitable}" in output
    assert f"inconnu-{tag}" not in output

    page.goto("/contacts/")
    expect(page.locator("body")).to_have_attribute("data-ready", "true")
    row = page.locator("#contacts-body tr", has_text=BOB[1])
    expect(row).to_have_count(1)
    presence = row.locator(".presence")
    expect(presence).to_have_attribute("data-status", "online")
    expect(presence).to_have_text("En ligne")
    expect(page.locator("#contacts-table thead th").first).to_have_text("Nom")
    page.get_by_label("Filtrer par nom ou organisation").fill("zzz")
    expect(page.locator("#contacts-status")).to_have_text(
        "Aucun contact ne correspond à ce filtre."
    )
    page.get_by_label("Filtrer par nom ou organisation").fill("testville")
    expect(page.locator("#contacts-body tr", has_text=BOB[1])).to_have_count(1)
    screenshot(page, "contacts-list")
    violations = axe_violations(page)
    assert violations == [], describe(violations)
    assert page_errors == []


def test_the_profile_and_the_directory_add_and_remove_a_contact(session, open_app, page_errors):
    alice = session(ALICE[0], bypass_csp=True)
    olivia_id = member_id(alice, OLIVIA[1])
    api(alice, "DELETE", f"/contacts/{olivia_id}")
    page = alice.new_page()
    page.on("pageerror", lambda exc: page_errors.append(str(exc)))
    page.goto(f"/members/{olivia_id}/")

    page.get_by_role("button", name=f"Ajouter aux contacts : {OLIVIA[1]}").click()

    toggle = page.locator("#member-contact button")
    expect(toggle).to_have_text("Retirer des contacts")
    expect(page.locator("#contact-status")).to_have_text(
        f"{OLIVIA[1]} a été ajouté·e à vos contacts."
    )
    assert olivia_id in {c["id"] for c in api_ok(alice, "GET", "/contacts")}
    violations = axe_violations(page)
    assert violations == [], describe(violations)

    page.goto("/members/?q=Olivia")
    remove = page.get_by_role("button", name=f"Retirer des contacts : {OLIVIA[1]}")
    remove.click()
    expect(page.locator("#results button.contact-toggle").first).to_have_text(
        "Ajouter aux contacts"
    )
    expect(page.locator("#contact-status")).to_have_text(
        f"{OLIVIA[1]} a été retiré·e de vos contacts."
    )
    assert olivia_id not in {c["id"] for c in api_ok(alice, "GET", "/contacts")}
    # Nobody gets a button to add themselves.
    page.goto("/members/?q=Alice")
    expect(page.locator("#results > li", has_text=ALICE[1])).to_have_count(1)
    expect(page.locator("#results > li", has_text=ALICE[1]).locator("button")).to_have_count(0)
    assert page_errors == []


def test_someone_else_cannot_see_ones_contacts(session, open_app):
    alice = session(ALICE[0])
    bob_id = member_id(alice, BOB[1])
    api(alice, "PUT", f"/contacts/{bob_id}")
    olivia = session(OLIVIA[0])

    page = open_app(olivia, "/contacts/")

    expect(page.locator("#contacts-body tr", has_text=BOB[1])).to_have_count(0)


def test_the_invitation_link_fills_in_the_sign_up_address(new_context):
    page = new_context().new_page()

    page.goto("/signup/?email=invitee%40testville.test")

    expect(page.get_by_label("Adresse électronique professionnelle")).to_have_value(
        "invitee@testville.test"
    )
