"""The account pages in a real browser: password reset, profile, "Sécurité du compte"."""

from __future__ import annotations

import itertools
import json
import os
import re
import time
import zipfile

import pyotp
import pytest
from playwright.sync_api import Page, expect

from .conftest import PASSWORD, screenshot
from .helpers import api, api_ok
from .server import Server
from .test_accessibility import axe_violations, describe
from .test_keyboard import tab_to

# One xdist worker runs every browser test (--dist loadgroup): one server, one Chromium.
pytestmark = pytest.mark.xdist_group("browser")

NEW_PASSWORD = "une-toute-nouvelle-phrase-2026"
_agents = itertools.count(1)


@pytest.fixture
def agent(server):  # type: ignore[no-untyped-def]
    """A fresh agent of the Mairie de Testville (these tests change names, passwords, accounts)."""

    def make(name: str = "Camille Nouvelle") -> str:
        email = f"compte{next(_agents)}.{os.getpid()}.{time.monotonic_ns()}@testville.test"
        server.cli("user", "add", email, "--password", PASSWORD, "--name", name)
        return email

    return make


def login_form(page: Page, email: str, password: str) -> None:
    page.goto("/login/")
    page.get_by_label("Adresse électronique professionnelle").fill(email)
    page.locator("#login-password").fill(password)
    page.locator("#login-form").get_by_role("button", name="Se connecter").click()


def last_link(server, kind: str) -> str:  # type: ignore[no-untyped-def]
    # The server prints its emails (console backend) to its log.
    links = re.findall(rf"https?://\S+/{kind}/\S+", server.log_path.read_text())
    assert links, f"no /{kind}/ link in the server log"
    return links[-1]


# --- password reset -----------------------------------------------------------------------


def test_forgotten_password_reset_from_the_email_then_login_with_the_new_one(
    server, new_context, agent
):
    email = agent()
    page = new_context().new_page()
    page.goto("/login/")
    page.get_by_role("link", name="Mot de passe oublié ?").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mot de passe oublié")

    # The same neutral answer for an unknown address and for a real one.
    page.get_by_label("Adresse électronique professionnelle").fill("personne@testville.test")
    page.get_by_role("button", name="Recevoir un lien").click()
    unknown_answer = page.locator("#reset-request-done")
    expect(unknown_answer).to_be_focused()
    unknown_text = unknown_answer.text_content()
    page.reload()
    page.get_by_label("Adresse électronique professionnelle").fill(email)
    page.get_by_role("button", name="Recevoir un lien").click()
    expect(page.locator("#reset-request-done")).to_have_text(unknown_text or "")

    link = last_link(server, "reset")
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Choisir un nouveau mot de passe")
    # The rules' errors are listed, tied to the field.
    page.get_by_label("Nouveau mot de passe", exact=True).fill("azerty")
    page.get_by_label("Confirmer le nouveau mot de passe").fill("azerty")
    page.get_by_role("button", name="Enregistrer le mot de passe").click()
    alert = page.locator("#reset-confirm-error")
    expect(alert).to_be_focused()
    expect(alert.locator("li")).not_to_have_count(0)
    expect(alert).to_contain_text("12 caractères")
    field = page.get_by_label("Nouveau mot de passe", exact=True)
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(field).to_have_attribute("aria-describedby", re.compile("reset-confirm-error"))
    screenshot(page, "account-reset-errors")

    page.get_by_label("Nouveau mot de passe", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Confirmer le nouveau mot de passe").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Enregistrer le mot de passe").click()
    expect(page.locator("#reset-confirm-done")).to_contain_text("Mot de passe changé")

    # The link works once; the old password is gone; the new one opens the main screen.
    page.goto(link)
    page.get_by_label("Nouveau mot de passe", exact=True).fill(NEW_PASSWORD + "x")
    page.get_by_label("Confirmer le nouveau mot de passe").fill(NEW_PASSWORD + "x")
    page.get_by_role("button", name="Enregistrer le mot de passe").click()
    expect(page.locator("#reset-confirm-error")).to_contain_text("invalide ou expiré")
    expect(page.get_by_role("link", name="Demander un nouveau lien")).to_be_visible()
    login_form(page, email, PASSWORD)
    expect(page.locator("#login-error")).to_be_visible()
    login_form(page, email, NEW_PASSWORD)
    expect(page.locator("body")).to_have_attribute("data-ready", "true")


# --- profile ------------------------------------------------------------------------------


def test_profile_is_reached_from_the_main_screen_and_edited(session, open_app, agent):
    email = agent("Camille Nouvelle")
    page = open_app(session(email))
    page.get_by_role("navigation", name="Mon compte").get_by_role("link", name="Mon profil").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mon profil")
    expect(page.locator("#profile-org")).to_have_text("Mairie de Testville")
    expect(page.locator("#profile-email")).to_have_text(email)
    expect(page.locator("#profile-avatar")).to_have_text("CN")

    page.get_by_label("Nom affiché").fill("   ")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.locator("#profile-error")).to_be_focused()
    expect(page.get_by_label("Nom affiché")).to_have_attribute("aria-invalid", "true")

    page.get_by_label("Nom affiché").fill("Dominique Rivière")
    page.get_by_label("Fonction (facultatif)").fill("Secrétaire de mairie")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("status")).to_have_text("Profil enregistré.")
    expect(page.get_by_label("Nom affiché")).not_to_have_attribute("aria-invalid", "true")
    expect(page.locator("#profile-avatar")).to_have_text("DR")
    me = api_ok(page, "GET", "/me")
    assert (me["name"], me["job_title"]) == ("Dominique Rivière", "Secrétaire de mairie")
    screenshot(page, "account-profile")

    page.get_by_role("link", name="Retour aux salons").click()
    expect(page.locator("#me-name")).to_have_text("Dominique Rivière")


# --- two-factor authentication ------------------------------------------------------------


def test_enrol_in_two_factor_then_login_asks_for_the_code(session, open_app, new_context, agent):
    email = agent()
    page = open_app(session(email), "/account/security/")
    page.get_by_role("button", name="Activer la double authentification").click()
    qr = page.get_by_role("img", name="QR code de configuration de la double authentification")
    expect(qr).to_have_attribute("src", re.compile(r"^data:image/svg\+xml"))
    assert qr.evaluate("img => img.complete && img.naturalWidth > 0")
    expect(page.get_by_label("2. Code affiché par l'application")).to_be_focused()
    secret = page.locator("#otp-secret").text_content() or ""
    totp = pyotp.TOTP(secret)
    screenshot(page, "account-2fa-enrolment")

    page.get_by_label("2. Code affiché par l'application").fill("000000")
    page.get_by_role("button", name="Confirmer l'activation").click()
    expect(page.locator("#otp-error")).to_contain_text("Code incorrect")
    time.sleep(1.1)  # django-otp refuses any code for 1 s after a wrong one (throttling)
    page.get_by_label("2. Code affiché par l'application").fill(totp.now())
    page.get_by_role("button", name="Confirmer l'activation").click()
    expect(page.locator("#otp-state")).to_have_text("La double authentification est activée.")
    expect(page.locator("#otp-enrolment")).to_be_hidden()

    other = new_context().new_page()
    login_form(other, email, PASSWORD)
    code = other.get_by_label("Code de double authentification (6 chiffres)")
    expect(code).to_be_focused()
    expect(other.locator("#login-error")).to_contain_text("code")
    code.fill(totp.at(time.time() + 30))  # the next code: the one above was used
    other.locator("#login-form").get_by_role("button", name="Se connecter").click()
    expect(other.locator("body")).to_have_attribute("data-ready", "true")

    # Turned off again with the password, the login needs no code.
    page.locator("#otp-disable-password").fill(PASSWORD)
    page.get_by_role("button", name="Désactiver la double authentification").click()
    expect(page.locator("#otp-state")).to_have_text("La double authentification n'est pas activée.")
    third = new_context().new_page()
    login_form(third, email, PASSWORD)
    expect(third.locator("body")).to_have_attribute("data-ready", "true")


# --- sessions -----------------------------------------------------------------------------


def test_end_one_session_then_log_out_everywhere_closes_the_other_sockets(session, open_app, agent):
    email = agent()
    phone = open_app(session(email, user_agent="Téléphone de test"))
    tablet = open_app(session(email, user_agent="Tablette de test"))
    page = open_app(session(email), "/account/security/")

    sessions = page.locator("#session-list li")
    expect(sessions).to_have_count(3)
    expect(page.locator("#session-list li[aria-current=true]")).to_contain_text("Cette session")
    page.get_by_role("button", name="Fermer la session Téléphone de test").click()
    expect(page.get_by_role("status")).to_have_text("Session fermée.")
    expect(sessions).to_have_count(2)
    expect(phone).to_have_url(re.compile(r"/login/"))  # its socket closed with 4401
    expect(tablet.locator("body")).to_have_attribute("data-ready", "true")

    page.get_by_role("button", name="Me déconnecter partout").click()
    expect(page).to_have_url(re.compile(r"/login/"))
    expect(tablet).to_have_url(re.compile(r"/login/"))


def test_password_change_keeps_this_session_and_ends_the_others(session, open_app, agent):
    email = agent()
    other = open_app(session(email))
    page = open_app(session(email), "/account/security/")

    page.get_by_label("Mot de passe actuel").fill(PASSWORD)
    page.get_by_label("Nouveau mot de passe", exact=True).fill("court")
    page.get_by_label("Confirmer le nouveau mot de passe").fill("court")
    page.get_by_role("button", name="Changer le mot de passe").click()
    expect(page.locator("#password-error")).to_contain_text("12 caractères")
    expect(page.get_by_label("Nouveau mot de passe", exact=True)).to_have_attribute(
        "aria-invalid", "true"
    )

    page.get_by_label("Nouveau mot de passe", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Confirmer le nouveau mot de passe").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Changer le mot de passe").click()
    expect(page.locator("#security-status")).to_contain_text("Mot de passe changé")
    expect(other).to_have_url(re.compile(r"/login/"))
    expect(page.locator("#session-list li")).to_have_count(1)


# --- my data, deleting my account ---------------------------------------------------------


def test_data_export_downloads_a_zip_with_my_messages(session, open_app, agent):
    email = agent()
    context = session(email)
    room = api_ok(
        context, "POST", "/rooms", {"name": "Export", "kind": "private", "access": "invite"}
    )
    api_ok(context, "POST", f"/rooms/{room['id']}/messages", {"body": "Mon message à exporter"})
    page = open_app(context, "/account/security/")

    with page.expect_download() as info:
        page.get_by_role("link", name="Télécharger mes données").click()
    path = info.value.path()

    with zipfile.ZipFile(path) as archive:
        contents = {name: archive.read(name) for name in archive.namelist()}
    messages = [
        json.loads(body) for name, body in contents.items() if name.endswith("messages.json")
    ]
    assert messages, list(contents)
    assert "Mon message à exporter" in json.dumps(messages, ensure_ascii=False)


def test_account_deletion_asks_for_confirmation_then_login_is_refused(session, open_app, agent):
    email = agent()
    page = open_app(session(email), "/account/security/")
    expect(page.locator("#delete-account")).to_contain_text("Ancien membre")

    page.get_by_label("Mot de passe (pour confirmer)").fill(PASSWORD)
    page.get_by_role("button", name="Supprimer définitivement mon compte").click()
    expect(page.locator("#delete-error")).to_contain_text("Cochez la case")

    page.get_by_label("Je comprends que la suppression est définitive.").check()
    page.get_by_label("Mot de passe (pour confirmer)").fill("pas-le-bon-mot-de-passe")
    page.get_by_role("button", name="Supprimer définitivement mon compte").click()
    expect(page.locator("#delete-error")).to_contain_text("Mot de passe incorrect")
    expect(page.get_by_label("Mot de passe (pour confirmer)")).to_have_attribute(
        "aria-invalid", "true"
    )

    page.get_by_label("Mot de passe (pour confirmer)").fill(PASSWORD)
    page.get_by_role("button", name="Supprimer définitivement mon compte").click()
    expect(page).to_have_url(re.compile(r"/login/"))
    login_form(page, email, PASSWORD)
    expect(page.locator("#login-error")).to_contain_text("incorrect")


# --- accessibility and the keyboard -------------------------------------------------------


def test_account_pages_have_no_serious_axe_violation(session, open_app, new_context, agent):
    anonymous = new_context(bypass_csp=True).new_page()
    for path in ("/password-reset/", "/reset/pas-un-jeton"):
        anonymous.goto(path)
        violations = axe_violations(anonymous)
        assert not violations, f"{path}: {describe(violations)}"

    context = session(agent(), bypass_csp=True)
    page = open_app(context, "/account/profile/")
    page.get_by_role("button", name="Enregistrer").click()  # with its status shown
    violations = axe_violations(page)
    assert not violations, describe(violations)

    page = open_app(context, "/account/security/")
    page.get_by_role("button", name="Activer la double authentification").click()
    expect(page.locator("#otp-secret")).not_to_be_empty()
    violations = axe_violations(page)
    assert not violations, describe(violations)
    screenshot(page, "account-security")


def test_reset_and_two_factor_enrolment_work_with_the_keyboard_alone(
    session, open_app, new_context, agent
):
    page = new_context().new_page()
    page.goto("/login/")
    tab_to(page, "a[href='/password-reset/']")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/password-reset/$"))
    # Enter submits through the page's script, whose button is enabled once it has loaded.
    expect(page.get_by_role("button", name="Recevoir un lien")).to_be_enabled()
    tab_to(page, "#reset-email")
    page.keyboard.type("quelquun@testville.test")
    page.keyboard.press("Enter")
    expect(page.locator("#reset-request-done")).to_be_focused()

    page = open_app(session(agent()), "/account/security/")
    tab_to(page, "#otp-start-button")
    page.keyboard.press("Enter")
    expect(page.locator("#otp-code")).to_be_focused()
    secret = page.locator("#otp-secret").text_content() or ""
    page.keyboard.type(pyotp.TOTP(secret).now())
    page.keyboard.press("Enter")
    expect(page.locator("#otp-state")).to_have_text("La double authentification est activée.")
    tab_to(page, "#otp-disable-password")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.locator("#otp-start-button")).to_be_focused()


# --- staff who must enrol in two-factor authentication ------------------------------------


@pytest.fixture(scope="module")
def strict_server():  # type: ignore[no-untyped-def]
    """A second `preau serve` whose operator requires two-factor authentication for staff."""
    srv = Server()
    srv.env["PREAU_STAFF_2FA"] = "required"
    srv.create_database()
    try:
        srv.cli("migrate", "--verbosity", "0")
        srv.cli(
            "org", "add", "Mairie de Testville", "--domain", "testville.test", "--kind", "commune"
        )
        srv.cli("user", "add", STAFF, "--password", PASSWORD, "--name", "Sam Équipe", "--staff")
        srv.start()
        yield srv
    finally:
        srv.stop()
        srv.drop_database()


STAFF = "sam.equipe@testville.test"


def test_staff_without_two_factor_is_sent_to_enrol_then_reaches_the_main_screen(
    browser, strict_server
):
    context = browser.new_context(base_url=strict_server.url, locale="fr-FR")
    try:
        page = context.new_page()
        login_form(page, STAFF, PASSWORD)
        expect(page).to_have_url(re.compile(r"/account/security/#two-factor$"))
        expect(page.locator("#must-enrol")).to_be_visible()
        expect(page.locator("#two-factor")).to_be_focused()
        # The API refuses everything else meanwhile; the page shows no error for it.
        refused = api(page, "GET", "/rooms")
        assert (refused.status, refused.json()["reason"]) == (403, "two_factor_required")
        expect(page.locator("#sessions-error")).to_be_hidden()
        page.goto("/")
        expect(page).to_have_url(re.compile(r"/account/security/#two-factor$"))

        page.get_by_role("button", name="Activer la double authentification").click()
        expect(page.locator("#otp-secret")).not_to_be_empty()
        secret = page.locator("#otp-secret").text_content() or ""
        page.get_by_label("2. Code affiché par l'application").fill(pyotp.TOTP(secret).now())
        page.get_by_role("button", name="Confirmer l'activation").click()
        expect(page.locator("#otp-state")).to_have_text("La double authentification est activée.")
        expect(page.locator("#must-enrol")).to_have_count(0)
        expect(page.locator("#session-list li")).to_have_count(1)
        expect(page.locator("#otp-disable-form")).to_be_hidden()  # required: no way to turn it off

        page.get_by_role("link", name="Retour aux salons").click()
        expect(page.locator("body")).to_have_attribute("data-ready", "true")
        expect(page.locator("#me-name")).to_have_text("Sam Équipe")
    finally:
        context.close()


@pytest.mark.parametrize(
    ("path", "script", "button"),
    [
        ("/login/", "login.js", "Se connecter"),
        ("/password-reset/", "reset.js", "Recevoir un lien"),
        ("/signup/", "signup.js", "Créer mon compte"),
    ],
)
def test_a_form_cannot_be_sent_before_its_script_has_loaded(new_context, path, script, button):
    """A click before the page's module runs must not submit the form natively: the address or
    password would land in the URL (and the server's logs), and the person would see nothing."""
    page = new_context().new_page()
    held = []
    page.route(f"**/web/js/{script}*", lambda route: held.append(route))  # download hangs
    page.goto(path, wait_until="commit")  # DOMContentLoaded waits for module scripts
    submit = page.get_by_role("button", name=button, exact=True)
    expect(submit).to_be_disabled()
    expect(page.locator("form", has=submit)).to_have_attribute("method", "post")

    for route in held:
        route.continue_()
    expect(submit).to_be_enabled()
