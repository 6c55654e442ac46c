"""Conversations in the browser: threads, attachments and links, reactions, mentions, search,
edit history and the BOT badge."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .conftest import ALICE, BOB, screenshot, unique
from .helpers import api_ok, messages, private_room, send
from .test_accessibility import axe_violations, describe

# One xdist worker runs every browser test (--dist loadgroup): one server, one Chromium.
pytestmark = pytest.mark.xdist_group("browser")


def test_a_reply_in_a_thread_shows_live_in_the_other_context(session, open_app, page_errors):
    alice_session, bob_session = session(ALICE[0], bypass_csp=True), session(BOB[0])
    room = private_room(alice_session, unique("Fil budget"), (bob_session, BOB[0]))
    api_ok(
        alice_session, "POST", f"/rooms/{room}/messages", {"body": "Qui relit la délibération ?"}
    )
    alice = open_app(alice_session, f"/#/room/{room}")
    bob = open_app(bob_session, f"/#/room/{room}")
    root_for_bob = messages(bob, "Qui relit")
    expect(root_for_bob).to_have_count(1)

    root_for_bob.hover()
    root_for_bob.get_by_role("button", name=re.compile("^Répondre dans un fil")).click()
    panel = bob.get_by_role("complementary", name="Fil de discussion")
    expect(panel).to_be_visible()
    expect(panel.locator("li.message")).to_have_count(1)
    reply_box = panel.get_by_role("textbox", name="Répondre dans le fil")
    expect(reply_box).to_be_focused()
    reply_box.fill("Je m'en occupe cet après-midi.")
    reply_box.press("Enter")
    expect(panel.locator("li.message", has_text="Je m'en occupe")).to_have_count(1)
    # Bob replied: he follows the thread now.
    expect(panel.get_by_role("button", name="Ne plus suivre le fil")).to_have_attribute(
        "aria-pressed", "true"
    )

    # Alice sees the reply count on the root, live, and the reply is not in the main list.
    root_for_alice = messages(alice, "Qui relit")
    summary = root_for_alice.locator(".thread-summary")
    expect(summary).to_contain_text("1 réponse")
    expect(summary).to_contain_text(BOB[1])
    expect(summary).to_contain_text(re.compile(r"dernière à \d{2}:\d{2}"))
    expect(messages(alice, "Je m'en occupe")).to_have_count(0)
    # She wrote the root: she follows the thread and has one unread reply in it.
    expect(summary.locator(".thread-unread")).to_have_text("1 nouvelle")

    summary.get_by_role("button", name=re.compile("1 réponse")).click()
    alice_panel = alice.get_by_role("complementary", name="Fil de discussion")
    expect(alice_panel.locator("li.message", has_text="Je m'en occupe")).to_have_count(1)
    expect(summary.locator(".thread-unread")).to_have_count(0)

    # A new reply from Bob appears live in Alice's open panel.
    panel.get_by_role("textbox", name="Répondre dans le fil").fill(
        "C'est relu, **deux** remarques."
    )
    panel.get_by_role("textbox", name="Répondre dans le fil").press("Enter")
    expect(alice_panel.locator("li.message", has_text="deux")).to_have_count(1)
    expect(alice_panel.locator("#thread-status")).to_contain_text(BOB[1])
    expect(summary).to_contain_text("2 réponses")
    screenshot(alice, "thread-panel")

    violations = axe_violations(alice)
    assert violations == [], describe(violations)

    # Unfollow, then the panel closes with Escape and gives the focus back.
    alice_panel.get_by_role("button", name="Ne plus suivre le fil").click()
    expect(alice_panel.get_by_role("button", name="Suivre le fil")).to_have_attribute(
        "aria-pressed", "false"
    )
    alice_panel.get_by_role("textbox", name="Répondre dans le fil").press("Escape")
    expect(alice_panel).to_be_hidden()
    assert page_errors == []


def test_attach_a_file_and_a_link_then_download_it_and_find_it_in_documents(session, open_app):
    alice_session, bob_session = session(ALICE[0]), session(BOB[0])
    room = private_room(alice_session, unique("Pièces"), (bob_session, BOB[0]))
    alice = open_app(alice_session, f"/#/room/{room}")
    bob = open_app(bob_session, f"/#/room/{room}")
    expect(alice.get_by_role("textbox", name="Message dans")).to_be_visible()

    # Over the limit: refused, with the server's reason shown, and nothing left to send.
    alice.locator("#composer-file").set_input_files(
        files=[
            {
                "name": "enorme.pdf",
                "mimeType": "application/pdf",
                "buffer": b"%PDF" + b"0" * (21 * 1024 * 1024),
            }
        ]
    )
    error = alice.locator("#composer-error")
    expect(error).to_be_visible()
    expect(error).to_have_attribute("role", "alert")
    expect(error).to_contain_text("enorme.pdf")
    expect(error).to_contain_text("taille maximale")
    expect(alice.locator("#composer .pending-attachments li")).to_have_count(0)

    content = "Ordre du jour : budget, voirie, écoles.\n"
    alice.locator("#composer-file").set_input_files(
        files=[{"name": "ordre-du-jour.txt", "mimeType": "text/plain", "buffer": content.encode()}]
    )
    expect(
        alice.locator("#composer .pending-attachments li", has_text="ordre-du-jour.txt")
    ).to_contain_text("Retirer")
    expect(error).to_be_hidden()

    alice.get_by_role("button", name="Ajouter un lien").click()
    alice.get_by_label("Adresse (https://…)").first.fill(
        "https://www.legifrance.gouv.fr/codes/cgct"
    )
    alice.get_by_label("Titre").first.fill("Code général des collectivités")
    alice.get_by_label("Description (facultatif)").first.fill("Partie législative")
    alice.get_by_role("button", name="Ajouter le lien").first.click()
    expect(alice.locator("#composer .pending-attachments li")).to_have_count(2)
    send(alice, "Voici les documents de la réunion")

    shared = messages(bob, "Voici les documents")
    expect(shared.get_by_role("link", name="ordre-du-jour.txt")).to_be_visible()
    expect(shared.get_by_role("link", name="Code général des collectivités")).to_have_attribute(
        "href", "https://www.legifrance.gouv.fr/codes/cgct"
    )
    expect(shared).to_contain_text("Partie législative")
    with bob.expect_download() as download_info:
        shared.get_by_role("link", name="ordre-du-jour.txt").click()
    download = download_info.value
    assert download.suggested_filename == "ordre-du-jour.txt"
    with open(download.path(), encoding="utf-8") as handle:
        assert handle.read() == content
    screenshot(bob, "attachments")

    # The room's Documents view: newest first, filterable.
    api_ok(
        alice_session,
        "POST",
        f"/rooms/{room}/messages",
        {
            "body": "Plus récent",
            "documents": [{"url": "https://example.org/pv", "title": "Procès-verbal"}],
        },
    )
    bob.get_by_role("link", name="Documents", exact=True).click()
    expect(bob.get_by_role("heading", level=1)).to_contain_text("Documents")
    results = bob.locator("#documents-results > li")
    expect(results).to_have_count(3)
    expect(results.first).to_contain_text("Procès-verbal")
    bob.get_by_label("Filtrer les documents").fill("ordre")
    expect(results).to_have_count(1)
    expect(results.first).to_contain_text("ordre-du-jour.txt")
    bob.get_by_label("Filtrer les documents").fill("")
    bob.locator("#documents-type").select_option("link")
    expect(results).to_have_count(2)
    screenshot(bob, "documents")


def test_react_in_one_context_see_it_in_the_other_and_remove_it(session, open_app):
    alice_session, bob_session = session(ALICE[0]), session(BOB[0])
    room = private_room(alice_session, unique("Réactions"), (bob_session, BOB[0]))
    api_ok(alice_session, "POST", f"/rooms/{room}/messages", {"body": "Le marché est attribué."})
    alice = open_app(alice_session, f"/#/room/{room}")
    bob = open_app(bob_session, f"/#/room/{room}")

    mine = messages(bob, "Le marché")
    mine.hover()
    mine.get_by_role("button", name=re.compile("^Réagir au message")).click()
    picker = mine.get_by_role("group", name="Choisir une réaction")
    expect(picker.get_by_role("button", name="Pouce levé")).to_be_focused()
    picker.get_by_role("button", name="Pouce levé").click()
    expect(picker).to_have_count(0)
    bob_reaction = mine.locator("button.reaction")
    expect(bob_reaction).to_have_attribute("aria-pressed", "true")

    seen = messages(alice, "Le marché").locator("button.reaction")
    expect(seen).to_have_attribute("aria-label", f"👍 1 : {BOB[1]}")
    expect(seen).to_have_attribute("aria-pressed", "false")
    expect(seen).to_have_attribute("title", BOB[1])

    # Alice adds the same emoji by clicking the reaction: two, with both names.
    seen.click()
    expect(seen).to_have_attribute("aria-label", f"👍 2 : {BOB[1]}, {ALICE[1]}")
    expect(bob_reaction).to_have_attribute("aria-label", f"👍 2 : {BOB[1]}, {ALICE[1]}")
    screenshot(bob, "reactions")

    # Bob removes his; the picker also closes with Escape.
    bob_reaction.click()
    expect(seen).to_have_attribute("aria-label", f"👍 1 : {ALICE[1]}")
    mine.hover()
    mine.get_by_role("button", name=re.compile("^Réagir au message")).click()
    bob.keyboard.press("Escape")
    expect(mine.get_by_role("group", name="Choisir une réaction")).to_have_count(0)
    expect(mine.get_by_role("button", name=re.compile("^Réagir au message"))).to_be_focused()


def mention_total(context) -> int:  # type: ignore[no-untyped-def]
    """Unread mentions the server counts for the agent across their rooms."""
    rooms = api_ok(context, "GET", "/rooms?mine=true&limit=500")
    return sum(r.get("mentions") or 0 for r in rooms if r.get("is_member"))


def mentions_text(n: int) -> str:
    return f"{n} mention non lue" if n == 1 else f"{n} mentions non lues"


def test_mention_with_autocomplete_then_the_mentioned_agent_sees_the_badge_and_inbox(
    session, open_app, page_errors
):
    alice_session, bob_session = session(ALICE[0]), session(BOB[0])
    room = private_room(alice_session, unique("Relecture"), (bob_session, BOB[0]))
    elsewhere = private_room(bob_session, unique("Ailleurs"))
    alice = open_app(alice_session, f"/#/room/{room}")
    bob = open_app(bob_session, f"/#/room/{elsewhere}")
    expect(alice.locator("#people-list li", has_text=BOB[1])).to_be_visible()
    # Other tests may have left Bob unread mentions elsewhere: count from what he has now.
    before = mention_total(bob_session)

    composer = alice.get_by_role("textbox", name="Message dans")
    composer.press_sequentially("Merci @bo", delay=20)
    options = alice.get_by_role("listbox", name="Personnes à mentionner").get_by_role("option")
    expect(options).to_have_count(1)
    expect(options.first).to_have_text(BOB[1])
    expect(options.first).to_have_attribute("aria-selected", "true")
    expect(composer).to_have_attribute("aria-activedescendant", "composer-mention-0")
    composer.press("Escape")
    expect(options).to_have_count(0)
    composer.press_sequentially(" @", delay=20)
    # Everyone in the room (Bob, not oneself) and @salon; arrows move, Enter picks.
    expect(options).to_have_count(2)
    expect(options.nth(1)).to_contain_text("@salon")
    composer.press("ArrowDown")
    expect(options.nth(1)).to_have_attribute("aria-selected", "true")
    composer.press("ArrowUp")
    composer.press("Enter")
    expect(composer).to_have_value(f"Merci @bo @{BOB[1]} ")
    composer.fill("")
    composer.press_sequentially("Merci @du", delay=20)
    expect(options).to_have_count(0)
    composer.fill("")
    composer.press_sequentially("Merci @bob", delay=20)
    composer.press("Tab")
    expect(composer).to_have_value(f"Merci @{BOB[1]} ")
    composer.press_sequentially("pour la relecture", delay=10)
    composer.press("Enter")
    expect(messages(alice, "pour la relecture")).to_have_count(1)

    badge = bob.locator("#mentions-badge")
    expect(badge).to_be_visible()
    expect(badge).to_contain_text(mentions_text(before + 1))
    expect(bob.locator(f'a.room-link[data-room="{room}"] .badge.mention')).to_be_visible()
    bob.get_by_role("link", name=re.compile("^Mentions")).click()
    entry = bob.locator("#mentions-results > li").filter(has_text="pour la relecture")
    expect(entry).to_have_count(1)
    expect(entry).to_contain_text(ALICE[1])
    expect(entry).to_contain_text("non lu")
    entry.get_by_role("link").click()
    target = messages(bob, "pour la relecture")
    expect(target).to_be_focused()
    expect(target).to_have_class(re.compile("highlight"))
    expect(bob.locator(f'a.room-link[data-room="{room}"] .badge.mention')).to_have_count(0)
    if before:
        expect(badge).to_contain_text(mentions_text(before))
    else:
        expect(badge).to_be_hidden()
    assert page_errors == []


def test_search_finds_french_variants_and_opens_the_result_in_its_room(session, open_app):
    alice_session, bob_session = session(ALICE[0], bypass_csp=True), session(BOB[0])
    room_name = unique("Recherche")
    room = private_room(alice_session, room_name, (bob_session, BOB[0]))
    word = unique("zorglub").split()[1].replace("-", "")
    api_ok(
        bob_session,
        "POST",
        f"/rooms/{room}/messages",
        {"body": f"Compte rendu des réunions {word} du conseil"},
    )
    for i in range(60):
        api_ok(alice_session, "POST", f"/rooms/{room}/messages", {"body": f"Bruit {i}"})
    page = open_app(alice_session, "/#/directory")
    page.get_by_role("link", name="Rechercher").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Rechercher dans les messages")
    page.get_by_label("Mots recherchés").fill(f"reunion {word}")
    page.get_by_label("Mots recherchés").press("Enter")
    result = page.locator("#search-results > li")
    expect(result).to_have_count(1)
    expect(result).to_contain_text(BOB[1])
    expect(result).to_contain_text(room_name)
    expect(result.locator("time")).to_contain_text("2026")
    expect(result.locator("mark").first).to_be_visible()
    violations = axe_violations(page)
    assert violations == [], describe(violations)
    screenshot(page, "search")

    # The message is older than the first page of history: it is loaded, shown and focused.
    result.get_by_role("link").click()
    target = messages(page, "Compte rendu des réunions")
    expect(target).to_be_focused()
    expect(target).to_have_class(re.compile("highlight"))
    expect(page.locator("#room-title")).to_have_text(room_name)


def test_edit_history_is_viewable_by_readers(session, open_app):
    alice_session, bob_session = session(ALICE[0]), session(BOB[0])
    room = private_room(alice_session, unique("Versions"), (bob_session, BOB[0]))
    sent = api_ok(alice_session, "POST", f"/rooms/{room}/messages", {"body": "Réunion mardi"})
    api_ok(alice_session, "PATCH", f"/messages/{sent['id']}", {"body": "Réunion jeudi"})
    bob = open_app(bob_session, f"/#/room/{room}")
    edited = messages(bob, "Réunion jeudi")
    edited.get_by_role("button", name="Modifié : voir les versions précédentes").click()
    dialog = bob.get_by_role("dialog", name="Versions du message")
    versions = dialog.locator("li.history-version")
    expect(versions).to_have_count(2)
    expect(versions.first).to_contain_text("Réunion mardi")
    expect(versions.first).to_contain_text("Version 1")
    expect(versions.last).to_contain_text("Version actuelle")
    expect(versions.last).to_contain_text("Réunion jeudi")
    dialog.get_by_role("button", name="Fermer").click()
    expect(dialog).to_be_hidden()


def test_a_webhook_message_shows_the_bot_badge_username_and_only_a_same_origin_icon(
    session, open_app
):
    alice_session, bob_session = session(ALICE[0]), session(BOB[0])
    room = private_room(alice_session, unique("Supervision"), (bob_session, BOB[0]))
    bot = api_ok(alice_session, "POST", "/bots", {"name": unique("Robot alertes")})
    api_ok(alice_session, "POST", f"/bots/{bot['id']}/grants", {"room": room, "can_post": True})
    hook = api_ok(alice_session, "POST", f"/bots/{bot['id']}/hooks", {"room": room})
    requested: list[str] = []
    bob = open_app(bob_session, f"/#/room/{room}")
    bob.on("request", lambda request: requested.append(request.url))
    response = bob_session.request.post(
        hook["url"],
        data={
            "text": "Disque plein",
            "username": "Grafana",
            "icon_url": "https://icons.test/g.png",
        },
    )
    assert response.status == 200, response.text()
    alert = messages(bob, "Disque plein")
    expect(alert.locator(".bot-badge")).to_have_text("BOT")
    expect(alert.locator(".author")).to_have_text(bot["name"])
    expect(alert.locator(".bot-username")).to_have_text("Grafana")
    expect(alert.locator(".avatar")).to_have_text("GR")
    expect(alert.locator("img")).to_have_count(0)
    assert not [url for url in requested if "icons.test" in url]
    own_icon = hook["url"].split("/hooks/")[0] + "/static/web/favicon.svg"
    response = bob_session.request.post(
        hook["url"], data={"text": "Disque libéré", "username": "Grafana", "icon_url": own_icon}
    )
    assert response.status == 200, response.text()
    freed = messages(bob, "Disque libéré")
    expect(freed.locator("img.avatar-icon")).to_have_attribute("src", own_icon)
    expect(freed.locator("img.avatar-icon")).to_have_attribute("alt", "")


def test_the_conversation_screens_speak_english_too(session, open_app, page_errors):
    alice_session = session(ALICE[0], locale="en-GB")
    bob_session = session(BOB[0])
    room = private_room(alice_session, unique("English"), (bob_session, BOB[0]))
    root = api_ok(bob_session, "POST", f"/rooms/{room}/messages", {"body": "Root"})
    api_ok(bob_session, "POST", f"/rooms/{room}/messages", {"body": "One", "thread": root["id"]})
    api_ok(bob_session, "POST", f"/rooms/{room}/messages", {"body": "Two", "thread": root["id"]})
    page = open_app(alice_session, f"/#/room/{room}")
    root_item = messages(page, "Root")
    expect(root_item.locator(".thread-summary")).to_contain_text("2 replies")
    expect(root_item.locator(".thread-summary")).to_contain_text("last at")
    expect(page.locator("#composer .file-button")).to_have_text("Attach a file")
    expect(page.get_by_role("button", name="Add a link").first).to_be_visible()
    root_item.hover()
    expect(root_item.get_by_role("button", name=re.compile("^Reply in a thread"))).to_be_visible()
    page.get_by_role("link", name="Search").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Search messages")
    assert page_errors == []


def test_a_result_from_an_open_room_not_joined_leads_to_joining_it(session, open_app):
    alice_session, bob_session = session(ALICE[0]), session(BOB[0])
    theme = api_ok(bob_session, "GET", "/themes")[0]["slug"]
    name = unique("Salon ouvert")
    room = api_ok(
        bob_session,
        "POST",
        "/rooms",
        {"name": name, "kind": "thematic", "access": "open", "theme": theme},
    )
    word = "".join(chr(ord("a") + int(d)) for d in unique("x").split()[1] if d.isdigit())
    api_ok(bob_session, "POST", f"/rooms/{room['id']}/messages", {"body": f"Collectivités {word}"})
    page = open_app(alice_session, f"/#/search?q=collectivite+{word}")
    result = page.locator("#search-results > li")
    expect(result).to_have_count(1)
    result.get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Annuaire des salons")
    expect(page.get_by_label("Rechercher un salon")).to_have_value(name)
    expect(page.locator("#announcer")).to_contain_text(f"Rejoignez « {name} »")
    page.get_by_role("button", name=f"Rejoindre : {name}").click()
    expect(page.locator("#room-title")).to_have_text(name)


def test_a_reply_found_by_search_opens_in_its_thread_with_the_threads_documents(
    session, open_app, page_errors
):
    alice_session, bob_session = session(ALICE[0]), session(BOB[0])
    room = private_room(alice_session, unique("Fil documents"), (bob_session, BOB[0]))
    word = "".join(chr(ord("a") + int(d)) for d in unique("w").split()[1] if d.isdigit())
    api_ok(
        bob_session,
        "POST",
        f"/rooms/{room}/messages",
        {"body": "Hors fil", "documents": [{"url": "https://example.org/a", "title": "Annexe"}]},
    )
    root = api_ok(bob_session, "POST", f"/rooms/{room}/messages", {"body": "Marché voirie"})
    api_ok(
        bob_session,
        "POST",
        f"/rooms/{room}/messages",
        {
            "body": f"Le cahier des charges {word}",
            "thread": root["id"],
            "documents": [{"url": "https://example.org/ccp", "title": "CCTP voirie"}],
        },
    )
    page = open_app(alice_session, f"/#/search?q={word}")
    result = page.locator("#search-results > li")
    expect(result).to_have_count(1)
    result.get_by_role("link").click()
    panel = page.get_by_role("complementary", name="Fil de discussion")
    reply = panel.locator("li.message", has_text="cahier des charges")
    expect(reply).to_be_focused()
    expect(reply).to_have_class(re.compile("highlight"))
    expect(messages(page, "Marché voirie").locator(".thread-summary")).to_contain_text("1 réponse")

    panel.get_by_role("link", name="Documents du fil").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Documents du fil")
    items = page.locator("#documents-results > li")
    expect(items).to_have_count(1)
    expect(items.first).to_contain_text("CCTP voirie")
    assert page_errors == []
