"""Announcements in the browser: written on « Annonces », pinned as banners in the audience's
rooms (live), unseen elsewhere, hidden on demand, with a read count that rises as agents read."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from playwright.sync_api import Page, expect

from .conftest import ALICE, BOB, OLIVIA, PASSWORD, screenshot, unique
from .helpers import api_ok
from .test_accessibility import axe_violations, describe

pytestmark = pytest.mark.xdist_group("browser")

MONTHS = "janvier février mars avril mai juin juillet août septembre octobre novembre décembre"
MONTHS = MONTHS.split()


def banner(page: Page, text: str):
    return page.locator("#announcement-list article").filter(has_text=text)


def thematic_room(who, theme: str) -> dict:
    name = unique(f"Salon {theme}")
    return api_ok(
        who, "POST", "/rooms", {"name": name, "kind": "thematic", "access": "open", "theme": theme}
    )


def reads_reach(page: Page, text: str, count: str) -> None:
    """Refresh the author's list until the announcement shows this read count."""
    entry = page.locator("#mine-list article").filter(has_text=text)
    for _attempt in range(20):
        page.get_by_role("button", name="Actualiser les compteurs de lecture").click()
        try:
            expect(entry.locator(".reads")).to_have_text(count, timeout=1_000)
            return
        except AssertionError:
            continue
    expect(entry.locator(".reads")).to_have_text(count)


def test_staff_announce_to_a_theme_members_see_the_banner_live_others_do_not(
    session, open_app, page_errors, server
):
    staff_email = unique("annonces").replace(" ", "-").lower() + "@testville.test"
    server.cli(
        "user", "add", staff_email, "--password", PASSWORD, "--name", "Sam Équipe", "--staff"
    )
    bob, alice = session(BOB[0], bypass_csp=True), session(ALICE[0], bypass_csp=True)
    olivia = session(OLIVIA[0])
    room = thematic_room(bob, "environnement")
    api_ok(alice, "POST", f"/rooms/{room['id']}/join")
    elsewhere = thematic_room(olivia, "urbanisme")
    bob_page = open_app(bob, f"/#/room/{room['id']}")
    expect(bob_page.locator("#room-title")).to_have_text(room["name"])
    olivia_page = open_app(olivia, f"/#/room/{elsewhere['id']}")
    expect(olivia_page.locator("#room-title")).to_have_text(elsewhere["name"])

    staff = open_app(session(staff_email, bypass_csp=True), "/annonces/")
    expect(staff.get_by_role("heading", level=1)).to_have_text("Annonces")
    text = unique("Collecte des déchets verts décalée")
    staff.get_by_label("Texte de l'annonce").fill(f"**{text}** : voir le calendrier.")
    staff.get_by_label("Les salons d'un thème").check()
    staff.get_by_label("Thème", exact=True).select_option(label="Environnement et transition")
    staff.get_by_label("Épinglée pendant (jours)").fill("3")
    staff.get_by_role("button", name="Publier l'annonce").click()
    expect(staff.locator("#page-status")).to_contain_text("Annonce publiée dans")
    expect(staff.locator("#mine-list article").filter(has_text=text)).to_contain_text(
        "Thème : Environnement et transition"
    )

    # Bob, in a room of the theme, sees it arrive without reloading; as the room's owner he
    # also sees its read count.
    seen = banner(bob_page, text)
    expect(seen).to_be_visible()
    expect(seen).to_contain_text("Annonce de Sam Équipe")
    expect(seen.locator("strong")).to_have_text(text)
    expect(seen.locator(".announcement-reads")).to_be_visible()
    expect(bob_page.locator("#message-list li.message").filter(has_text=text)).to_have_count(1)
    # Olivia, in a room of another theme, sees nothing, live or after a reload.
    expect(olivia_page.locator("#room-announcements")).to_be_hidden()
    olivia_page.reload()
    expect(olivia_page.locator("#room-title")).to_have_text(elsewhere["name"])
    olivia_page.wait_for_load_state("networkidle")
    expect(olivia_page.locator("#room-announcements")).to_be_hidden()
    expect(olivia_page.get_by_text(text)).to_have_count(0)

    # Bob read it as it arrived; Alice, a plain member, reads it when she opens the room.
    reads_reach(staff, text, "Lu par 1 agent")
    alice_page = open_app(alice, f"/#/room/{room['id']}")
    expect(banner(alice_page, text)).to_be_visible()
    expect(banner(alice_page, text).locator(".announcement-reads")).to_have_count(0)
    reads_reach(staff, text, "Lu par 2 agents")

    violations = axe_violations(staff) + axe_violations(alice_page)
    assert violations == [], describe(violations)
    screenshot(alice_page, "announcement-banner")
    screenshot(staff, "announcements-page")

    # Alice hides it on her device: it stays hidden after a reload, and can be shown again.
    alice_page.get_by_role("button", name="Masquer l'annonce de Sam Équipe").click()
    expect(banner(alice_page, text)).to_have_count(0)
    restore = alice_page.get_by_role("button", name="Afficher l'annonce masquée")
    expect(restore).to_be_focused()
    alice_page.reload()
    expect(alice_page.locator("#room-title")).to_have_text(room["name"])
    expect(restore).to_be_visible()
    expect(banner(alice_page, text)).to_have_count(0)
    restore.click()
    expect(banner(alice_page, text)).to_be_visible()
    assert page_errors == []


def test_a_moderator_schedules_an_announcement_to_a_room_it_animates_then_cancels_it(
    session, open_app, page_errors
):
    alice = session(ALICE[0])
    room = thematic_room(alice, "rh")
    main = open_app(alice, f"/#/room/{room['id']}")
    link = main.get_by_role("link", name="Publier une annonce")
    expect(link).to_be_visible()
    link.click()
    expect(main.locator("body")).to_have_attribute("data-ready", "true")
    expect(main.get_by_label("Les salons d'un thème")).to_be_disabled()
    expect(main.get_by_label(room["name"])).to_be_checked()
    text = unique("Entretiens annuels")
    main.get_by_label("Texte de l'annonce").fill(text)
    day = date.today() + timedelta(days=40)
    main.get_by_label("Programmer la publication (facultatif)").fill(f"{day.isoformat()}T09:30")
    main.get_by_role("button", name="Publier l'annonce").click()

    expect(main.locator("#page-status")).to_contain_text("Annonce programmée pour le")
    entry = main.locator("#mine-list article").filter(has_text=text)
    expect(entry).to_contain_text("Programmée pour le")
    expect(entry).to_contain_text(f"{day.day} {MONTHS[day.month - 1]} {day.year} à 09:30")
    entry.get_by_role("button", name="Annuler la publication").click()
    expect(entry).to_contain_text("Annulée")
    assert page_errors == []


def test_the_announcements_page_is_in_english_for_an_english_browser(session, open_app):
    page = open_app(session(ALICE[0], locale="en-GB"), "/annonces/")

    expect(page.get_by_role("heading", level=1)).to_have_text("Announcements")
    expect(page.get_by_role("button", name="Publish the announcement")).to_be_visible()
    expect(page.get_by_label("Announcement text")).to_be_visible()
    expect(page.get_by_role("heading", name="My announcements")).to_be_visible()
