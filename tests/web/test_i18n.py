"""French first, English available: templates and the JavaScript catalogue."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .conftest import ALICE

# One xdist worker runs every browser test (--dist loadgroup): one server, one Chromium.
pytestmark = pytest.mark.xdist_group("browser")


def test_login_page_follows_the_browser_language(new_context):
    page = new_context(locale="en-GB").new_page()
    page.goto("/login/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Log in to Préau")

    french = new_context(locale="fr-FR").new_page()
    french.goto("/login/")
    expect(french.locator("html")).to_have_attribute("lang", "fr")
    expect(french.get_by_role("heading", level=1)).to_have_text("Se connecter à Préau")


def test_language_switcher_changes_templates_and_script_strings(login, page_errors):
    page = login(ALICE[0])
    expect(page.get_by_role("button", name="Parcourir les salons")).to_be_visible()
    page.get_by_label("Langue").select_option("en")
    page.get_by_role("button", name="Changer").click()
    expect(page.get_by_role("button", name="Browse rooms")).to_be_visible()
    expect(page.locator("body")).to_have_attribute("data-ready", "true")
    page.get_by_role("button", name="Browse rooms").click()
    # Strings built by the ES modules come from the /jsi18n/ catalogue, plurals included.
    expect(page.locator("#directory-count")).to_have_text(re.compile(r"^\d+ rooms? found$"))
    assert page_errors == []

    page.get_by_label("Language").select_option("fr")
    page.get_by_role("button", name="Change").click()
    expect(page.get_by_role("button", name="Parcourir les salons")).to_be_visible()
