"""What an agent must not see, and what a message must not be able to do."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .conftest import ALICE, BOB, OLIVIA, unique
from .helpers import api, api_ok, messages, private_room, send

# One xdist worker runs every browser test (--dist loadgroup): one server, one Chromium.
pytestmark = pytest.mark.xdist_group("browser")


def test_agent_of_another_organisation_sees_neither_the_private_room_nor_its_messages(
    session, open_app
):
    alice_session, bob_session = session(ALICE[0]), session(BOB[0])
    name = unique("Comité restreint")
    room = private_room(alice_session, name, (bob_session, BOB[0]))
    alice = open_app(alice_session, f"/#/room/{room}")
    send(alice, "Ordre du jour confidentiel")
    expect(messages(alice, "Ordre du jour confidentiel")).not_to_have_class("pending")

    olivia = open_app(session(OLIVIA[0]))
    expect(olivia.get_by_role("navigation", name="Mes salons")).not_to_contain_text(name)

    olivia.get_by_role("button", name="Parcourir les salons").click()
    olivia.get_by_label("Rechercher un salon").fill(name)
    olivia.get_by_role("button", name="Rechercher").click()
    expect(olivia.locator("#directory-count")).to_have_text("0 salon trouvé")
    expect(olivia.locator("#directory-results")).not_to_contain_text(name)

    # Asking for it directly is refused like a room that does not exist.
    for path in (f"/rooms/{room}/events", f"/rooms/{room}", f"/rooms/{room}/members"):
        response = api(olivia, "GET", path)
        assert response.status == 404, (path, response.status)
        assert "confidentiel" not in response.text()
    assert api(olivia, "POST", f"/rooms/{room}/join").status == 404
    olivia.goto(f"/#/room/{room}")
    expect(olivia.locator("#welcome")).to_be_visible()
    expect(olivia.locator("body")).not_to_contain_text("confidentiel")

    # Meanwhile the members still see each other's messages, and Olivia still nothing.
    api_ok(bob_session, "POST", f"/rooms/{room}/messages", {"body": "Second point confidentiel"})
    expect(messages(alice, "Second point confidentiel")).to_have_count(1)
    expect(olivia.locator("body")).not_to_contain_text("confidentiel")


def test_html_and_javascript_links_in_messages_render_as_harmless_text(session, open_app):
    alice_session, bob_session = session(ALICE[0]), session(BOB[0])
    room = private_room(alice_session, unique("Sécurité"), (bob_session, BOB[0]))
    alice = open_app(alice_session, f"/#/room/{room}")
    bob = open_app(bob_session, f"/#/room/{room}")
    dialogs: list[str] = []
    for page in (alice, bob):
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))

    send(alice, "<img src=x onerror=alert(1)>")
    api_ok(
        alice_session,
        "POST",
        f"/rooms/{room}/messages",
        {
            "body": "Le guide en pièce jointe",
            "documents": [
                {
                    "url": "https://www.collectivites-locales.gouv.fr/m57",
                    "title": "<b>Guide M57</b>",
                }
            ],
        },
    )
    send(alice, "[x](javascript:alert(1)) et [ok](https://www.service-public.fr/) *fin*")
    for page in (alice, bob):
        img_message = messages(page, "<img src=x onerror=alert(1)>")
        expect(img_message).to_have_count(1)
        expect(img_message.locator(".message-body")).to_have_text("<img src=x onerror=alert(1)>")
        link_message = messages(page, "javascript:alert(1)")
        expect(link_message.locator(".message-body")).to_contain_text("[x](javascript:alert(1))")
        expect(link_message.locator("em")).to_have_text("fin")
        safe = link_message.get_by_role("link", name="ok")
        expect(safe).to_have_attribute("href", "https://www.service-public.fr/")
        expect(safe).to_have_attribute("rel", "noopener noreferrer nofollow")
        document = messages(page, "Le guide en pièce jointe").get_by_role(
            "link", name="<b>Guide M57</b>"
        )
        expect(document).to_have_attribute("href", "https://www.collectivites-locales.gouv.fr/m57")
        assert page.locator("#message-list img, #message-list b").count() == 0
        assert page.locator("#message-list [onerror]").count() == 0
        assert page.locator('#message-list a[href^="javascript"]').count() == 0
    assert dialogs == []
