"""The composer's failures and retry, day separators, and the composer in English."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from .conftest import ALICE, BOB, unique
from .helpers import api_ok, messages, private_room, send

# One xdist worker runs every browser test (--dist loadgroup): one server, one Chromium.
pytestmark = pytest.mark.xdist_group("browser")

PARIS = ZoneInfo("Europe/Paris")
DAYS = ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"]
MONTHS = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
]


def set_posting(owner, room: int, posting: str) -> None:  # type: ignore[no-untyped-def]
    api_ok(owner, "PATCH", f"/rooms/{room}/policy", {"posting": posting})


def date_messages(server, when: dict[int, datetime]) -> None:  # type: ignore[no-untyped-def]
    """Move messages (and the events the client reads) back to the given moments."""
    moves = {pk: at.isoformat() for pk, at in when.items()}
    server.cli(
        "shell",
        "-c",
        "from datetime import datetime, UTC\n"
        "from backend.messaging.models import Message\n"
        "from backend.rooms.models import RoomEvent\n"
        f"for pk, at in {moves!r}.items():\n"
        "    at = datetime.fromisoformat(at)\n"
        "    Message.objects.filter(pk=pk).update(created_at=at)\n"
        "    for event in RoomEvent.objects.filter(message_id=pk):\n"
        "        event.created_at = at\n"
        "        event.data['created_at'] = at.astimezone(UTC).isoformat().replace('+00:00', 'Z')\n"
        "        event.save(update_fields=['created_at', 'data'])\n",
    )


def test_a_refused_message_offers_reessayer_which_sends_it_once_accepted(
    session, open_app, page_errors
):
    alice_session, bob_session = session(ALICE[0]), session(BOB[0])
    room = private_room(alice_session, unique("Lecture seule"), (bob_session, BOB[0]))
    alice = open_app(alice_session, f"/#/room/{room}")
    bob = open_app(bob_session, f"/#/room/{room}")
    expect(bob.get_by_role("textbox", name="Message dans")).to_be_visible()
    set_posting(alice_session, room, "read_only")

    send(bob, "Le compte rendu est en ligne")
    failed = messages(bob, "Le compte rendu")
    expect(failed).to_have_class(re.compile(r"\bfailed\b"))
    expect(failed.locator(".message-status")).to_contain_text("Échec de l'envoi")
    expect(failed.locator(".message-status")).to_contain_text("lecture seule")
    # Said politely to screen readers too, not only shown on the message.
    expect(bob.locator("#announcer")).to_contain_text("Échec de l'envoi")
    retry = failed.get_by_role("button", name="Réessayer")
    expect(retry).to_be_visible()
    expect(messages(alice, "Le compte rendu")).to_have_count(0)

    # Still refused: it stays failed, with its action, and nothing reaches Alice. Retried from
    # the keyboard, the focus goes back to the composer instead of the vanished button.
    retry.focus()
    retry.press("Enter")
    expect(bob.get_by_role("textbox", name="Message dans")).to_be_focused()
    expect(failed.get_by_role("button", name="Réessayer")).to_be_visible()
    expect(messages(alice, "Le compte rendu")).to_have_count(0)

    set_posting(alice_session, room, "all")
    failed.get_by_role("button", name="Réessayer").click()
    expect(messages(alice, "Le compte rendu")).to_have_count(1)
    sent = messages(bob, "Le compte rendu")
    expect(sent).to_have_count(1)
    expect(sent).not_to_have_class(re.compile(r"\b(failed|pending)\b"))
    expect(sent.get_by_role("button", name="Réessayer")).to_have_count(0)
    # One message on the server, whatever the number of attempts.
    events = api_ok(bob_session, "GET", f"/rooms/{room}/events?after=0&limit=100")["events"]
    bodies = [e["data"]["body"] for e in events if e["event"] == "message.created"]
    assert bodies == ["Le compte rendu est en ligne"]
    bob.reload()
    expect(messages(bob, "Le compte rendu")).to_have_count(1)
    assert page_errors == []


def test_a_refused_reply_in_a_thread_is_retried_from_the_thread_panel(
    session, open_app, page_errors
):
    alice_session, bob_session = session(ALICE[0]), session(BOB[0])
    room = private_room(alice_session, unique("Fil fermé"), (bob_session, BOB[0]))
    api_ok(alice_session, "POST", f"/rooms/{room}/messages", {"body": "Qui vient jeudi ?"})
    alice = open_app(alice_session, f"/#/room/{room}")
    bob = open_app(bob_session, f"/#/room/{room}")
    root = messages(bob, "Qui vient jeudi")
    root.hover()
    root.get_by_role("button", name=re.compile("^Répondre dans un fil")).click()
    panel = bob.get_by_role("complementary", name="Fil de discussion")
    reply_box = panel.get_by_role("textbox", name="Répondre dans le fil")
    expect(reply_box).to_be_focused()
    set_posting(alice_session, room, "read_only")

    reply_box.fill("Moi")
    reply_box.press("Enter")
    failed = panel.locator("li.message", has_text="Moi")
    expect(failed.locator(".message-status")).to_contain_text("Échec de l'envoi")
    set_posting(alice_session, room, "all")
    failed.get_by_role("button", name="Réessayer").click()
    expect(reply_box).to_be_focused()
    expect(failed).not_to_have_class(re.compile(r"\b(failed|pending)\b"))
    expect(messages(alice, "Qui vient jeudi").locator(".thread-summary")).to_contain_text(
        "1 réponse"
    )
    expect(messages(bob, "Moi")).to_have_count(0)  # a reply stays out of the main list
    assert page_errors == []


def test_day_separators_are_headings_between_messages_of_different_days(
    session, open_app, server, page_errors
):
    alice_session = session(ALICE[0])
    room = private_room(alice_session, unique("Jours"))
    post = {
        body: api_ok(alice_session, "POST", f"/rooms/{room}/messages", {"body": body})["id"]
        for body in ("Il y a dix jours", "Encore ce jour-là", "Hier midi", "Ce matin")
    }
    today = datetime.now(PARIS).date()
    old_day = today - timedelta(days=10)
    old = datetime(old_day.year, old_day.month, old_day.day, 10, 0, tzinfo=PARIS)
    yesterday = today - timedelta(days=1)
    date_messages(
        server,
        {
            post["Il y a dix jours"]: old,
            post["Encore ce jour-là"]: old + timedelta(hours=2),
            post["Hier midi"]: datetime(
                yesterday.year, yesterday.month, yesterday.day, 12, 0, tzinfo=PARIS
            ),
        },
    )
    page = open_app(alice_session, f"/#/room/{room}")
    expect(messages(page, "Ce matin")).to_have_count(1)
    old_label = (
        f"{DAYS[old_day.weekday()]} {old_day.day} {MONTHS[old_day.month - 1]} {old_day.year}"
    )
    old_label = old_label[0].upper() + old_label[1:]
    listing = page.locator("#message-list")
    # Each separator is a heading (level 3, under the room's « Messages »): screen-reader users
    # can jump from day to day, and it says the day in words.
    expect(listing.get_by_role("heading", level=3)).to_have_text([old_label, "Hier", "Aujourd’hui"])
    items = listing.locator("> li:is(.day-separator, .message)")
    expect(items).to_have_count(7)
    order = items.evaluate_all(
        "els => els.map(e => (e.querySelector('h3, .message-body') || e).textContent.trim())"
    )
    assert order == [
        old_label,
        "Il y a dix jours",
        "Encore ce jour-là",
        "Hier",
        "Hier midi",
        "Aujourd’hui",
        "Ce matin",
    ]
    # The time shown is the hour in Paris; its title gives the full date.
    first = messages(page, "Il y a dix jours").locator("time")
    expect(first).to_have_text("10:00")
    expect(first).to_have_attribute("title", re.compile(re.escape(old_label.lower())))
    assert page_errors == []


def test_day_separators_follow_the_clock_past_midnight(session, open_app, page_errors):
    alice_session = session(ALICE[0])
    room = private_room(alice_session, unique("Minuit"))
    api_ok(alice_session, "POST", f"/rooms/{room}/messages", {"body": "Avant minuit"})
    alice_session.clock.install(time=datetime.now(PARIS))
    page = open_app(alice_session, f"/#/room/{room}")
    headings = page.locator("#message-list").get_by_role("heading", level=3)
    expect(headings).to_have_text(["Aujourd’hui"])

    # The page stays open into the next day; the next render says « Hier » for those messages.
    page.clock.set_system_time(datetime.now(PARIS) + timedelta(days=1))
    send(page, "Le lendemain")

    expect(messages(page, "Le lendemain")).to_have_count(1)
    expect(headings.first).to_have_text("Hier")
    assert page_errors == []


def test_the_composer_and_a_failed_send_speak_english(session, open_app, page_errors):
    alice_session = session(ALICE[0])
    bob_session = session(BOB[0], locale="en-GB")
    name = unique("English desk")
    room = private_room(alice_session, name, (bob_session, BOB[0]))
    bob = open_app(bob_session, f"/#/room/{room}")
    composer = bob.get_by_role("textbox", name=f"Message in {name}")
    expect(composer).to_be_visible()
    expect(composer).to_have_accessible_description(
        re.compile(r"^Enter sends, Shift\+Enter adds a line\.")
    )
    form = bob.locator("#composer")
    expect(form.get_by_role("button", name="Send", exact=True)).to_be_visible()
    expect(form.locator(".file-button")).to_have_text("Attach a file")
    expect(form.get_by_role("button", name="Add a link")).to_be_visible()
    expect(bob.get_by_role("link", name="Skip to the message box")).to_be_attached()

    set_posting(alice_session, room, "read_only")
    composer.fill("Minutes are online")
    composer.press("Enter")
    failed = messages(bob, "Minutes are online")
    expect(failed.locator(".message-status")).to_contain_text("Sending failed")
    expect(failed.locator(".message-status")).to_contain_text("This room is read-only.")
    expect(bob.locator("#announcer")).to_contain_text("Sending failed")
    set_posting(alice_session, room, "all")
    failed.get_by_role("button", name="Retry").click()
    expect(failed).not_to_have_class(re.compile(r"\b(failed|pending)\b"))
    expect(bob.locator("#message-list .day-separator h3")).to_have_text("Today")
    assert page_errors == []
