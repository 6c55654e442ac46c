"""Login, sign-up (with the refusal of an unregistered domain), logout, and the page headers."""

from __future__ import annotations

import os
import re

import pytest
from playwright.sync_api import expect

from .conftest import ALICE, PASSWORD, screenshot

# One xdist worker runs every browser test (--dist loadgroup): one server, one Chromium.
pytestmark = pytest.mark.xdist_group("browser")


def test_main_screen_redirects_to_login_when_logged_out(new_context):
    page = new_context().new_page()
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login/$"))
    expect(page.get_by_role("heading", name="Se connecter à Préau")).to_be_visible()


def test_pages_forbid_inline_scripts_and_styles(new_context):
    context = new_context()
    for path in ("/login/", "/signup/"):
        response = context.request.get(path)
        policy = response.headers["content-security-policy"]
        assert "script-src 'self'" in policy
        assert "style-src 'self'" in policy
        assert "frame-ancestors 'none'" in policy
        html = response.text()
        assert "<script>" not in html
        assert " style=" not in html


def test_wrong_password_is_announced_and_right_one_opens_the_main_screen(new_context):
    page = new_context().new_page()
    page.goto("/login/")
    screenshot(page, "login")
    page.get_by_label("Adresse électronique professionnelle").fill(ALICE[0])
    page.get_by_label("Mot de passe").fill("pas-le-bon-mot-de-passe")
    page.locator("#login-form").get_by_role("button", name="Se connecter").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Adresse ou mot de passe incorrect")
    expect(alert).to_be_focused()
    expect(page.get_by_label("Mot de passe")).to_have_attribute("aria-invalid", "true")

    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.locator("#login-form").get_by_role("button", name="Se connecter").click()
    expect(page).to_have_url(re.compile(r"/(#.*)?$"))
    expect(page.get_by_role("navigation", name="Mes salons")).to_be_visible()
    expect(page.locator("#me-name")).to_have_text(ALICE[1])


def test_logout_returns_to_the_login_page_and_closes_the_session(session, open_app):
    context = session(ALICE[0])
    page, other_tab = open_app(context), open_app(context)
    page.get_by_role("button", name="Se déconnecter").click()
    expect(page).to_have_url(re.compile(r"/login/$"))
    # The other tab's socket is closed with 4401 by the logout: it goes to the login page too.
    expect(other_tab).to_have_url(re.compile(r"/login/$"))
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login/$"))


def test_signup_with_unregistered_domain_shows_refusal_and_domain_request_form(new_context):
    page = new_context().new_page()
    page.goto("/signup/")
    page.get_by_label("Nom affiché").fill("Paul Inconnu")
    page.get_by_label("Adresse électronique professionnelle").fill("paul@mairie-inconnue.test")
    page.get_by_label("Mot de passe (12 caractères au moins)").fill("un-mot-de-passe-solide-42")
    page.get_by_role("button", name="Créer mon compte").click()

    alert = page.locator("#signup-error")
    expect(alert).to_have_attribute("role", "alert")
    expect(alert).to_contain_text("mairie-inconnue.test")
    expect(alert).to_contain_text("n'est rattaché à aucune organisation")
    request_form = page.get_by_role("region", name="Demander l'ajout de mon domaine")
    expect(request_form).to_be_visible()
    expect(page.get_by_label("Votre adresse électronique")).to_have_value(
        "paul@mairie-inconnue.test"
    )
    screenshot(page, "signup-domain-request")

    page.get_by_label("Nom de votre organisation").fill("Mairie d'Inconnue-sur-Loire")
    page.get_by_label("Type d'organisation").select_option("commune")
    page.get_by_role("button", name="Envoyer la demande").click()
    done = page.locator("#domain-request-done")
    expect(done).to_have_attribute("role", "status")
    expect(done).to_contain_text("Demande enregistrée pour le domaine mairie-inconnue.test")


def test_signup_with_registered_domain_asks_to_confirm_the_address(new_context):
    page = new_context().new_page()
    page.goto("/signup/")
    page.get_by_label("Nom affiché").fill("Camille Nouvelle")
    page.get_by_label("Adresse électronique professionnelle").fill("camille@testville.test")
    page.get_by_label("Mot de passe (12 caractères au moins)").fill("un-mot-de-passe-solide-42")
    page.get_by_role("button", name="Créer mon compte").click()
    expect(page.locator("#signup-done")).to_contain_text("lien de confirmation")
    expect(page.locator("#domain-request")).to_be_hidden()


def test_sign_up_confirm_the_address_from_the_email_and_log_in(server, new_context):
    email = f"dominique.{os.getpid()}@testville.test"
    page = new_context().new_page()
    page.goto("/signup/")
    page.get_by_label("Nom affiché").fill("Dominique Neuve")
    page.get_by_label("Adresse électronique professionnelle").fill(email)
    page.get_by_label("Mot de passe (12 caractères au moins)").fill("un-mot-de-passe-solide-42")
    page.get_by_role("button", name="Créer mon compte").click()
    expect(page.locator("#signup-done")).to_be_focused()

    # The server prints its emails (console backend) to its log.
    links = re.findall(r"https?://\S+/verify/\S+", server.log_path.read_text())
    assert links, "no verification link in the server log"
    page.goto(links[-1])
    expect(page.get_by_role("heading", level=1)).to_have_text("Adresse confirmée")
    expect(page.get_by_role("main")).to_contain_text("Mairie de Testville")
    page.get_by_role("link", name="Se connecter").click()
    page.get_by_label("Adresse électronique professionnelle").fill(email)
    page.get_by_label("Mot de passe").fill("un-mot-de-passe-solide-42")
    page.locator("#login-form").get_by_role("button", name="Se connecter").click()
    expect(page.locator("#me-name")).to_have_text("Dominique Neuve")

    page.goto("/verify/pas-un-jeton")
    expect(page.get_by_role("alert")).to_be_visible()
