"""Two agents chatting live: messages, presence, typing, edits, deletions, unread counts."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .conftest import ALICE, BOB, screenshot, unique
from .helpers import api_ok, messages, open_room, private_room, send

# One xdist worker runs every browser test (--dist loadgroup): one server, one Chromium.
pytestmark = pytest.mark.xdist_group("browser")


def test_two_agents_chat_in_real_time_with_presence_typing_edit_and_delete(session, open_app):
    alice_session, bob_session = session(ALICE[0]), session(BOB[0])
    room = private_room(alice_session, unique("Cellule budget"), (bob_session, BOB[0]))
    alice = open_app(alice_session, f"/#/room/{room}")
    expect(alice.locator("#people-list li", has_text=BOB[1])).to_be_visible()

    bob = open_app(bob_session, f"/#/room/{room}")
    # Bob's socket came up after Alice's: Alice is told he is online.
    expect(alice.locator("#people-list li.status-online", has_text=BOB[1])).to_be_visible()

    send(alice, "Bonjour Bob, le **budget primitif** est prêt ?")
    expect(messages(alice, "Bonjour Bob")).to_have_count(1)
    bob_copy = messages(bob, "Bonjour Bob")
    expect(bob_copy).to_have_count(1)
    expect(bob_copy.locator("strong")).to_have_text("budget primitif")
    expect(bob_copy.locator(".author")).to_have_text(ALICE[1])
    expect(bob_copy.locator("time")).to_have_text(re.compile(r"^\d{2}:\d{2}$"))
    # Reconciled by client_id: Alice's local echo was not doubled by the server's event.
    expect(messages(alice, "Bonjour Bob")).to_have_count(1)
    expect(messages(alice, "Bonjour Bob")).not_to_have_class(re.compile("pending"))
    # The message from someone else is announced politely.
    expect(bob.locator("#announcer")).to_contain_text("Bonjour Bob")

    bob.get_by_role("textbox", name="Message dans").press_sequentially("Presque", delay=20)
    expect(alice.locator("#typing")).to_have_text(f"{BOB[1]} écrit…")
    bob.get_by_role("textbox", name="Message dans").press("Enter")
    expect(messages(alice, "Presque")).to_have_count(1)
    expect(alice.locator("#typing")).to_have_text("")
    screenshot(alice, "room")

    mine = messages(alice, "Bonjour Bob")
    mine.hover()
    mine.get_by_role("button", name=re.compile("^Modifier le message")).click()
    editor = alice.get_by_role("textbox", name="Modifier le message")
    expect(editor).to_be_focused()
    expect(editor).to_have_value("Bonjour Bob, le **budget primitif** est prêt ?")
    editor.fill("Bonjour Bob, le budget primitif est voté.")
    editor.press("Enter")
    expect(messages(bob, "est voté")).to_have_count(1)
    expect(messages(bob, "est voté").locator(".edited")).to_be_visible()
    expect(messages(bob, "est prêt")).to_have_count(0)

    edited = messages(alice, "est voté")
    edited.hover()
    edited.get_by_role("button", name=re.compile("^Supprimer le message")).click()
    alice.get_by_role("button", name="Confirmer la suppression").click()
    expect(messages(bob, "est voté")).to_have_count(0)
    expect(messages(bob, "Ce message a été supprimé.")).to_have_count(1)
    expect(messages(alice, "Ce message a été supprimé.")).to_have_count(1)


def test_unread_count_shows_in_the_sidebar_and_clears_when_the_room_is_opened(login):
    alice = login(ALICE[0])
    bob = login(BOB[0])
    first = private_room(alice, unique("Salon A"), (bob, BOB[0]))
    second_name = unique("Salon B")
    second = private_room(alice, second_name, (bob, BOB[0]))
    open_room(alice, first)
    open_room(bob, first)
    expect(bob.locator(f'a.room-link[data-room="{second}"]')).to_be_visible()

    api_ok(alice, "POST", f"/rooms/{second}/messages", {"body": "Un", "client_id": unique("u")})
    api_ok(alice, "POST", f"/rooms/{second}/messages", {"body": "Deux", "client_id": unique("u")})
    link = bob.locator(f'a.room-link[data-room="{second}"]')
    expect(link.locator(".badge")).to_contain_text("2")
    expect(link.locator(".badge .sr-only")).to_have_text("2 messages non lus")

    link.click()
    expect(bob.get_by_role("heading", level=1)).to_have_text(second_name)
    expect(link.locator(".badge")).to_have_count(0)
    expect(bob.locator("#new-marker")).to_be_visible()
    expect(messages(bob, "Deux")).to_have_count(1)


def test_older_messages_load_when_scrolling_back(login):
    alice = login(ALICE[0])
    room = private_room(alice, unique("Historique"))
    for i in range(1, 121):
        api_ok(alice, "POST", f"/rooms/{room}/messages", {"body": f"Message numéro {i}"})
    open_room(alice, room)
    items = alice.locator("#message-list li.message")
    expect(messages(alice, "Message numéro 120")).to_have_count(1)
    expect(items).to_have_count(50)
    scroll_to_top = "box => { box.scrollTop = 0; }"
    alice.locator("#messages").evaluate(scroll_to_top)
    expect(items).to_have_count(100)
    alice.locator("#messages").evaluate(scroll_to_top)
    expect(items).to_have_count(120)
    expect(alice.get_by_role("button", name="Afficher les messages précédents")).to_be_hidden()
    texts = alice.locator("#message-list li.message .message-body").all_inner_texts()
    assert texts == [f"Message numéro {i}" for i in range(1, 121)]


def test_unread_count_on_arrival_comes_from_the_read_position_kept_by_the_server(session, open_app):
    alice_session, bob_session = session(ALICE[0]), session(BOB[0])
    room = private_room(alice_session, unique("Pendant votre absence"), (bob_session, BOB[0]))
    for body in ("Premier", "Deuxième", "Troisième"):
        api_ok(alice_session, "POST", f"/rooms/{room}/messages", {"body": body})
    bob = open_app(bob_session)
    link = bob.locator(f'a.room-link[data-room="{room}"]')
    expect(link.locator(".badge .sr-only")).to_have_text("3 messages non lus")
    link.click()
    expect(bob.locator("#new-marker")).to_be_visible()
    expect(link.locator(".badge")).to_have_count(0)
    # Read on this device is read everywhere: a second tab starts with nothing unread.
    for _ in range(200):  # the read mark goes over the socket; ask the server until it has it
        detail = api_ok(bob_session, "GET", f"/rooms/{room}")
        if detail["read"] == detail["seq"]:
            break
    else:
        raise AssertionError(f"the read position never reached the end: {detail}")
    second = open_app(bob_session)
    expect(second.locator(f'a.room-link[data-room="{room}"]')).to_be_visible()
    expect(second.locator(f'a.room-link[data-room="{room}"] .badge')).to_have_count(0)
