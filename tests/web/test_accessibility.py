"""Automated accessibility checks (axe-core) and the layout at 360 px and at 200 % zoom.

axe-core is vendored under tests/web/vendor (MPL-2.0) and injected into the page; the test
contexts bypass the CSP for that injection only.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from .conftest import ALICE, BOB, screenshot, unique
from .helpers import api_ok, private_room

# One xdist worker runs every browser test (--dist loadgroup): one server, one Chromium.
pytestmark = pytest.mark.xdist_group("browser")

AXE = (Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js").read_text()
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def axe_violations(page: Page) -> list[dict]:
    page.add_script_tag(content=AXE)
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS
    )
    assert len(result["passes"]) > 10, "axe did not run"
    return [v for v in result["violations"] if v["impact"] in ("serious", "critical")]


def describe(violations: list[dict]) -> str:
    return json.dumps(
        [
            {"id": v["id"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"][:5]]}
            for v in violations
        ],
        ensure_ascii=False,
        indent=1,
    )


def test_login_and_signup_pages_have_no_serious_axe_violation(new_context):
    page = new_context(bypass_csp=True).new_page()
    for path in ("/login/", "/signup/"):
        page.goto(path)
        expect(page.get_by_role("main")).to_be_visible()
        violations = axe_violations(page)
        assert violations == [], describe(violations)


def test_main_screen_and_directory_have_no_serious_axe_violation(session, open_app):
    alice_session, bob_session = session(ALICE[0], bypass_csp=True), session(BOB[0])
    room = private_room(alice_session, unique("Accessibilité"), (bob_session, BOB[0]))
    api_ok(bob_session, "POST", f"/rooms/{room}/messages", {"body": "Un message **important**"})
    api_ok(alice_session, "POST", f"/rooms/{room}/messages", {"body": "Et ma réponse"})
    page = open_app(alice_session, f"/#/room/{room}")
    expect(page.locator("#message-list li.message")).to_have_count(2)
    # Landmarks of the main screen.
    expect(page.get_by_role("banner")).to_be_visible()
    expect(page.get_by_role("navigation", name="Mes salons")).to_be_visible()
    expect(page.get_by_role("main")).to_be_visible()
    expect(page.get_by_role("complementary", name="Qui est là")).to_be_visible()
    violations = axe_violations(page)
    assert violations == [], describe(violations)

    page.get_by_role("button", name="Parcourir les salons").click()
    expect(page.locator("#directory-results li").first).to_be_visible()
    screenshot(page, "directory")
    violations = axe_violations(page)
    assert violations == [], describe(violations)

    page.get_by_role("button", name="Créer un salon").click()
    expect(page.get_by_role("dialog", name="Créer un salon")).to_be_visible()
    screenshot(page, "create-room")
    violations = axe_violations(page)
    assert violations == [], describe(violations)


@pytest.mark.parametrize(
    ("label", "viewport"),
    [("narrow-360px", {"width": 360, "height": 740}), ("zoom-200", {"width": 640, "height": 400})],
)
def test_main_screen_reflows_without_horizontal_scrolling(session, open_app, label, viewport):
    alice_session = session(ALICE[0], viewport=viewport)
    room = private_room(alice_session, unique("Petit écran"))
    api_ok(alice_session, "POST", f"/rooms/{room}/messages", {"body": "Lisible sur un téléphone"})
    page = open_app(alice_session, f"/#/room/{room}")
    expect(page.locator("#message-list li.message")).to_have_count(1)
    composer = page.get_by_role("textbox", name="Message dans")
    composer.scroll_into_view_if_needed()
    expect(composer).to_be_visible()
    expect(page.get_by_role("button", name="Envoyer", exact=True)).to_be_visible()
    overflow = page.evaluate(
        "() => document.scrollingElement.scrollWidth - document.scrollingElement.clientWidth"
    )
    assert overflow <= 1, f"horizontal scrolling of {overflow}px at {viewport}"
    screenshot(page, f"room-{label}")
    # The room list stays one button away, and the keyboard can reach it.
    toggle = page.get_by_role("button", name="Mes salons")
    rooms = page.get_by_role("navigation", name="Mes salons")
    expect(rooms).to_be_hidden()
    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(rooms).to_be_visible()
    expect(rooms).to_contain_text("Petit écran")
