"""The whole flow with the keyboard alone: log in, find a room, join it, write, send."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from .conftest import BOB, screenshot, unique
from .helpers import api_ok, messages

# One xdist worker runs every browser test (--dist loadgroup): one server, one Chromium.
pytestmark = pytest.mark.xdist_group("browser")


def tab_to(page: Page, selector: str, limit: int = 40) -> None:
    """Press Tab until the element matching `selector` has the focus."""
    for _ in range(limit):
        if page.evaluate("s => document.activeElement?.matches(s) ?? false", selector):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"{selector} never got the focus with Tab")


def test_login_join_move_between_rooms_and_send_with_the_keyboard_only(session, new_context):
    bob = session(BOB[0])
    name = unique("Clavier")
    room = api_ok(
        bob, "POST", "/rooms", {"name": name, "kind": "thematic", "access": "open", "theme": "si"}
    )
    api_ok(bob, "POST", f"/rooms/{room['id']}/messages", {"body": "Bienvenue aux claviéristes"})

    page = new_context().new_page()
    page.goto("/login/")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Aller au contenu")).to_be_focused()
    tab_to(page, "#login-email")
    page.keyboard.type("claire.martin@villeurbanne.test")
    page.keyboard.press("Tab")
    expect(page.get_by_label("Mot de passe")).to_be_focused()
    page.keyboard.type("preau-demo-2026")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/(#.*)?$"))
    expect(page.get_by_role("navigation", name="Mes salons")).to_contain_text("Finances locales")

    # Alt+D opens the directory with the focus in its search field.
    page.keyboard.press("Alt+d")
    expect(page.get_by_label("Rechercher un salon")).to_be_focused()
    page.keyboard.type(name)
    page.keyboard.press("Enter")
    expect(page.locator("#directory-results li")).to_have_count(1)
    tab_to(page, "#directory-results button")
    expect(page.locator(":focus")).to_have_text("Rejoindre")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(name)
    expect(messages(page, "Bienvenue aux claviéristes")).to_have_count(1)

    # Alt+↓ / Alt+↑ move between rooms in sidebar order.
    order = page.locator("a.room-link").evaluate_all("links => links.map(a => a.textContent)")
    index = next(i for i, text in enumerate(order) if text.startswith(name))
    page.keyboard.press("Alt+ArrowDown")
    expected = order[(index + 1) % len(order)]
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(re.escape(expected[:15])))
    expect(page.locator("a.room-link[aria-current=page]")).to_be_focused()
    page.keyboard.press("Alt+ArrowUp")
    expect(page.get_by_role("heading", level=1)).to_have_text(name)

    # Alt+M goes to the composer; Enter sends, Shift+Enter adds a line.
    page.keyboard.press("Alt+m")
    expect(page.get_by_role("textbox", name=f"Message dans {name}")).to_be_focused()
    page.keyboard.type("Première ligne")
    page.keyboard.press("Shift+Enter")
    page.keyboard.type("seconde ligne")
    page.keyboard.press("Enter")
    sent = messages(page, "Première ligne")
    expect(sent).to_have_count(1)
    expect(sent.locator(".message-body br")).to_have_count(1)
    expect(page.get_by_role("textbox", name=f"Message dans {name}")).to_have_value("")
    screenshot(page, "keyboard-room")

    # The focus is always visible.
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"
