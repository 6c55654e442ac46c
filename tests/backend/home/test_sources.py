"""Each source of the home feed, and that nothing from a room one cannot read ever appears."""

from __future__ import annotations

from datetime import UTC, timedelta

import pytest
from django.utils import timezone

from backend.fiches import services as fiches
from backend.moderation.moves import messages_move
from backend.rooms import services as rooms
from backend.webinars import services as webinars

from .conftest import announce, home, kinds, post

pytestmark = pytest.mark.django_db


def test_a_mention_appears_on_the_mentioned_agents_home_only(alice, bob, outsider, room):
    message = post(alice, room, "@Bob Durand peux-tu relire le **budget** ?")

    [item] = kinds(bob, "mention")

    assert item == {
        "kind": "mention",
        "id": f"mention:{message.pk}",
        "at": item["at"],
        "title": "Alice Martin",
        "summary": "@Bob Durand peux-tu relire le budget ?",
        "url": f"/#/room/{room.pk}/message/{message.pk}",
        "room": {"id": room.pk, "name": "Cellule de crise"},
        "seen": False,
    }
    assert item["at"].endswith("Z")
    assert kinds(alice, "mention") == []
    assert home(outsider)["items"] == []


def test_a_mention_moved_to_a_room_the_agent_cannot_read_disappears(alice, bob, room, make_room):
    message = post(alice, room, "@Bob Durand regarde ceci")
    assert [i["id"] for i in kinds(bob, "mention")] == [f"mention:{message.pk}"]
    secret = make_room(alice, name="Direction")

    messages_move(actor=alice, message_id=message.pk, room_id=secret.pk, reason="Hors sujet")

    assert kinds(bob, "mention") == []


def test_a_reply_in_a_followed_thread_appears_once_per_thread(alice, bob, outsider, room):
    root = post(alice, room, "Qui a un modèle de délibération ?")
    post(bob, room, "Moi, je l'envoie", thread=root.pk)
    latest = post(bob, room, "Le voici", thread=root.pk)

    [item] = kinds(alice, "thread")

    assert item["id"] == f"thread:{root.pk}"
    assert item["title"] == "Qui a un modèle de délibération ?"
    assert item["summary"] == "Bob Durand : Le voici"
    assert item["url"] == f"/#/room/{room.pk}/message/{latest.pk}"
    assert kinds(bob, "thread") == []  # one's own replies are not news
    assert home(outsider)["items"] == []


def test_a_followed_thread_of_a_room_one_left_disappears(alice, bob, room):
    root = post(bob, room, "Une question")
    post(alice, room, "Une réponse", thread=root.pk)
    assert len(kinds(bob, "thread")) == 1

    rooms.room_leave(actor=bob, room_id=room.pk)

    assert kinds(bob, "thread") == []
    assert kinds(bob, "mention") == []


def test_an_announcement_reaches_the_members_of_its_rooms(alice, bob, outsider, room, make_room):
    other = make_room(alice, name="Autre cellule")
    rooms.room_invite(actor=alice, room_id=other.pk, user_id=bob.pk)
    rooms.room_join(actor=bob, room_id=other.pk)

    announcement = announce(alice, [room.pk, other.pk], "Réunion **jeudi** à 10 h")

    [item] = kinds(bob, "announcement")  # one item, however many of its rooms one is in
    assert item["id"] == f"announcement:{announcement}"
    assert item["title"] == "Alice Martin"
    assert item["summary"] == "Réunion jeudi à 10 h"
    assert item["room"]["id"] in (room.pk, other.pk)
    assert kinds(alice, "announcement") == []
    assert home(outsider)["items"] == []


def test_an_upcoming_registered_webinar_appears_until_it_ends(alice, bob, room):
    start = timezone.now() + timedelta(days=3)
    webinar = webinars.webinar_create(
        actor=alice,
        room_id=room.pk,
        title="Marchés publics",
        starts_at=start.isoformat(),
        ends_at=(start + timedelta(hours=1)).isoformat(),
        description="Retour d'expérience",
    ).webinar
    assert kinds(bob, "webinar") == []

    webinars.registration_set(actor=bob, webinar_id=webinar.pk, registered=True)

    [item] = kinds(bob, "webinar")
    assert item["title"] == "Marchés publics"
    assert item["url"] == f"/webinaires/{webinar.pk}/"
    assert item["starts_at"].startswith(start.astimezone(UTC).strftime("%Y-%m-%dT%H"))
    webinar.state = "ended"
    webinar.save(update_fields=["state"])
    assert kinds(bob, "webinar") == []


def test_new_fiches_of_ones_themes_appear_but_not_from_a_private_room(
    alice, bob, outsider, room, themes, make_room
):
    theme_room = make_room(alice, name="Finances", kind="thematic", access="open", theme="finances")
    rooms.room_join(actor=bob, room_id=theme_room.pk)
    rooms.room_join(actor=outsider, room_id=theme_room.pk)
    public_root = post(alice, theme_room, "Comment amortir ?")
    public = fiches.fiche_create(
        actor=alice,
        thread=public_root.pk,
        title="Amortir",
        summary="En **cinq** ans.",
        theme="finances",
    ).fiche
    private_root = post(alice, room, "Budget confidentiel ?")
    fiches.fiche_create(
        actor=alice,
        thread=private_root.pk,
        title="Confidentiel",
        summary="Secret",
        theme="finances",
    )

    assert [(i["id"], i["summary"]) for i in kinds(bob, "fiche")][-1] == (
        f"fiche:{public.pk}",
        "En cinq ans.",
    )
    assert {i["title"] for i in kinds(bob, "fiche")} == {"Amortir", "Confidentiel"}
    assert [i["title"] for i in kinds(outsider, "fiche")] == ["Amortir"]
    assert kinds(alice, "fiche") == []  # one's own fiches are not news


def test_new_members_of_ones_organisation_appear(alice, bob, outsider, make_agent, org):
    newcomer = make_agent(org, name="Nina Nouvelle")

    members = kinds(alice, "member")

    assert [i["id"] for i in members][0] == f"member:{newcomer.pk}"
    assert {i["title"] for i in members} == {"Nina Nouvelle", "Bob Durand"}
    assert members[0]["url"] == f"/members/{newcomer.pk}/"
    assert kinds(outsider, "member") == []


def test_items_older_than_the_window_are_left_out(alice, bob, room):
    post(alice, room, "@Bob Durand ancien")

    later = home(bob, now=timezone.now() + timedelta(days=31))

    assert later["items"] == []
    assert later["unseen"] == 0
