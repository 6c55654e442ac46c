"""« Mes robots »: create a bot and an incoming webhook in the browser, post to it with slack_sdk."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from slack_sdk.webhook import WebhookClient

from .conftest import ALICE, screenshot, unique
from .helpers import api_ok, messages, private_room
from .test_accessibility import axe_violations, describe

pytestmark = pytest.mark.xdist_group("browser")


def test_create_a_bot_and_an_incoming_webhook_then_post_to_it_with_slack_sdk(
    session, open_app, page_errors
):
    alice = session(ALICE[0], bypass_csp=True)
    room_name = unique("Supervision")
    room = private_room(alice, room_name)
    main = open_app(alice)
    main.get_by_role("link", name="Mes robots").click()
    expect(main.get_by_role("heading", level=1)).to_have_text("Mes robots")
    expect(main.locator("body")).to_have_attribute("data-ready", "true")

    name = unique("Vigie")
    main.get_by_label("Nom du robot").fill(name)
    main.get_by_label("Description (facultatif)").fill("Alertes de la DSI")
    main.get_by_role("button", name="Créer le robot").click()
    secret = main.locator("#secret-box")
    expect(secret).to_contain_text(f"Jeton de {name}")
    first_token = main.locator("#secret-value").text_content()
    assert first_token and len(first_token) > 20
    card = main.get_by_role("article", name=name)
    expect(card).to_contain_text("BOT")
    card.get_by_label("Description", exact=True).fill("Supervision des sauvegardes")
    card.get_by_role("button", name="Enregistrer").click()
    expect(card).to_contain_text("Supervision des sauvegardes")

    card.get_by_label("Salon", exact=True).select_option(label=room_name)
    card.get_by_role("button", name="Autoriser dans ce salon").click()
    expect(card.get_by_role("button", name=f"Retirer de {room_name}")).to_be_visible()

    card.get_by_label("Salon par défaut").select_option(label=room_name)
    card.get_by_role("button", name="Créer un webhook entrant").click()
    expect(secret).to_contain_text("Adresse du webhook entrant")
    url = main.locator("#secret-value").text_content()
    assert url and "/hooks/" in url

    card.get_by_role("button", name="Renouveler le jeton").click()
    expect(secret).to_contain_text(f"Nouveau jeton de {name}")
    assert main.locator("#secret-value").text_content() != first_token
    revoke = card.get_by_role("button", name="Révoquer le jeton")
    expect(revoke).to_have_count(2)
    revoke.first.click()
    expect(revoke).to_have_count(1)

    card.get_by_label("Adresse à appeler (https)").fill("http://127.0.0.1:9/interne")
    card.get_by_role("button", name="Créer un webhook sortant").click()
    expect(main.locator("#page-error")).to_contain_text("réseau privé")
    card.get_by_label("Adresse à appeler (https)").fill("https://9.9.9.9/preau")
    card.get_by_role("button", name="Créer un webhook sortant").click()
    expect(secret).to_contain_text("Secret de signature du webhook sortant")
    assert main.locator("#secret-value").text_content().startswith("whsec_")
    card.get_by_text("Dernières livraisons").click()
    expect(card).to_contain_text("Aucune livraison pour l'instant.")

    violations = axe_violations(main)
    assert violations == [], describe(violations)
    screenshot(main, "bots-page")

    response = WebhookClient(url).send(text="*Sauvegarde* terminée")
    assert (response.status_code, response.body) == (200, "ok")
    page = open_app(alice, f"/#/room/{room}")
    expect(messages(page, "Sauvegarde terminée")).to_have_count(1)
    assert page_errors == []


def test_the_bots_page_is_in_english_for_an_english_browser(session, open_app):
    page = open_app(session(ALICE[0], locale="en-GB"), "/bots/")

    expect(page.get_by_role("heading", level=1)).to_have_text("My bots")
    expect(page.get_by_role("button", name="Create the bot")).to_be_visible()
    expect(page.get_by_label("Bot name")).to_be_visible()


def test_an_owner_deletes_a_bot_which_leaves_its_rooms_and_stops_its_token(session, open_app):
    alice = session(ALICE[0])
    room_name = unique("Supervision retirée")
    room = private_room(alice, room_name)
    name = unique("Sentinelle")
    bot = api_ok(alice, "POST", "/bots", {"name": name})
    api_ok(alice, "POST", f"/bots/{bot['id']}/grants", {"room": room})
    page = open_app(alice, "/bots/")
    expect(page.locator("body")).to_have_attribute("data-ready", "true")

    card = page.get_by_role("article", name=name)
    toggle = card.get_by_role("button", name=f"Supprimer le robot {name}")
    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    card.get_by_role("button", name="Confirmer la suppression").click()

    expect(page.get_by_role("article", name=name)).to_have_count(0)
    expect(page.locator("#page-status")).to_have_text(f"Robot {name} supprimé.")
    members = api_ok(alice, "GET", f"/rooms/{room}/members")
    assert bot["id"] not in [m["user"]["id"] for m in members]
    tokens = api_ok(alice, "GET", f"/bots/{bot['id']}/tokens")
    assert tokens and all(t["revoked_at"] for t in tokens)
    trail = api_ok(alice, "GET", f"/audit?room={room}&action=bot.grant_withdrawn")
    assert trail == []  # one entry for the deletion, not one per room
