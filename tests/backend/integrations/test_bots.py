"""Bot accounts over REST: creation, grants and their rights, token rotation and revocation."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from backend.accounts.models import ApiToken
from backend.integrations.models import BotGrant
from backend.messaging.models import Message
from backend.rooms.models import Membership, RoomEvent
from tests.backend.conftest import row_counts

pytestmark = pytest.mark.django_db


def test_an_agent_creates_a_bot_whose_token_is_shown_once(api_for, alice):
    api = api_for(alice)

    created = api.post("/bots", {"name": "Vigie", "description": "Alertes DSI"})

    assert created.status_code == 201, created.json_body
    body = created.json_body
    assert body["is_bot"] is True and body["owner"] == {"id": alice.pk, "name": alice.name}
    assert body["token"].startswith("preau_") and body["description"] == "Alertes DSI"
    listed = api.get("/bots").json_body
    assert [b["id"] for b in listed] == [body["id"]] and "token" not in listed[0]
    assert ApiToken.objects.get(user_id=body["id"]).digest != body["token"]
    me = api_for(None)
    me.headers["Authorization"] = f"Bearer {body['token']}"
    assert me.get("/me").json_body["is_bot"] is True


def test_outsiders_see_nothing_of_someone_elses_bot(api_for, bot, outsider, room):
    api = api_for(outsider)
    before = row_counts()

    assert api.get("/bots").json_body == []
    assert api.post(f"/bots/{bot.user.pk}/grants", {"room": room.pk}).status_code == 404
    assert api.post(f"/bots/{bot.user.pk}/token/rotate").status_code == 404
    assert api.post(f"/bots/{bot.user.pk}/hooks", {"room": room.pk}).status_code == 404
    assert api.delete(f"/bots/{bot.user.pk}/grants/{room.pk}").status_code == 404
    assert row_counts() == before


def test_a_bot_cannot_create_bots(bot):
    response = bot.api.post("/bots", {"name": "Sous-robot"})

    assert (response.status_code, response.json_body["code"]) == (403, "forbidden")


def test_granting_a_room_makes_the_bot_a_member_shown_as_a_bot(api_for, alice, bot, room):
    response = api_for(alice).post(f"/bots/{bot.user.pk}/grants", {"room": room.pk})

    assert response.status_code == 201, response.json_body
    assert response.json_body == {
        "room": room.pk,
        "room_name": room.name,
        "can_post": True,
        "can_read": True,
    }
    members = api_for(alice).get(f"/rooms/{room.pk}/members").json_body
    assert [m["user"]["is_bot"] for m in members if m["user"]["id"] == bot.user.pk] == [True]
    assert RoomEvent.objects.filter(room=room, kind="member.joined").last().data["user"] == {
        "id": bot.user.pk,
        "name": "Vigie",
    }
    posted = bot.api.post(f"/rooms/{room.pk}/messages", {"body": "Sauvegarde terminée"})
    assert posted.status_code == 201, posted.json_body
    assert posted.json_body["author"]["id"] == bot.user.pk


def test_a_bot_acts_only_in_granted_rooms(api_for, alice, bot, make_room, themes):
    open_room = make_room(alice, name="Finances", kind="thematic", access="open", theme="finances")

    refused = bot.api.post(f"/rooms/{open_room.pk}/messages", {"body": "Bonjour"})
    joined = bot.api.post(f"/rooms/{open_room.pk}/join")

    assert (refused.status_code, refused.json_body["code"]) == (404, "not_found")
    assert (joined.status_code, joined.json_body["code"]) == (403, "forbidden")
    assert bot.api.get(f"/rooms/{open_room.pk}/events").status_code == 404
    assert not Membership.objects.filter(room=open_room, user=bot.user).exists()


def test_rights_are_enforced_post_without_read_and_read_without_post(api_for, alice, bot, room):
    api = api_for(alice)
    api.post(f"/bots/{bot.user.pk}/grants", {"room": room.pk, "can_read": False})

    assert bot.api.post(f"/rooms/{room.pk}/messages", {"body": "Alerte"}).status_code == 201
    assert bot.api.get(f"/rooms/{room.pk}/events").status_code == 404

    changed = api.post(f"/bots/{bot.user.pk}/grants", {"room": room.pk, "can_post": False})

    assert changed.status_code == 200 and changed.json_body["can_post"] is False
    refused = bot.api.post(f"/rooms/{room.pk}/messages", {"body": "Alerte"})
    assert (refused.status_code, refused.json_body["code"]) == (403, "forbidden")
    assert bot.api.get(f"/rooms/{room.pk}/events").status_code == 200


def test_only_moderators_let_a_bot_into_a_private_room(api_for, alice, bob, room):
    bobs_bot = api_for(bob).post("/bots", {"name": "Robot de Bob"}).json_body

    by_owner = api_for(bob).post(f"/bots/{bobs_bot['id']}/grants", {"room": room.pk})
    by_moderator = api_for(alice).post(f"/bots/{bobs_bot['id']}/grants", {"room": room.pk})

    assert (by_owner.status_code, by_owner.json_body["code"]) == (403, "forbidden")
    assert by_moderator.status_code == 201
    assert Membership.objects.filter(room=room, user_id=bobs_bot["id"]).exists()


def test_withdrawing_a_grant_removes_the_bot_and_revokes_its_hooks(api_for, alice, bot, room):
    api = api_for(alice)
    api.post(f"/bots/{bot.user.pk}/grants", {"room": room.pk})
    hook = api.post(f"/bots/{bot.user.pk}/hooks", {"room": room.pk}).json_body

    response = api.delete(f"/bots/{bot.user.pk}/grants/{room.pk}")

    assert response.status_code == 204
    assert not BotGrant.objects.filter(bot=bot.user).exists()
    assert not Membership.objects.filter(room=room, user=bot.user).exists()
    assert RoomEvent.objects.filter(room=room).last().kind == "member.left"
    secret = hook["url"].rsplit("/", 1)[1]
    assert (
        api.client.post(f"/hooks/{secret}", '{"text": "x"}', "application/json").status_code == 404
    )


def test_a_rotated_token_works_during_the_grace_period_then_not(api_for, alice, bot, monkeypatch):
    rotated = api_for(alice).post(f"/bots/{bot.user.pk}/token/rotate")

    assert rotated.status_code == 201, rotated.json_body
    fresh = api_for(None)
    fresh.headers["Authorization"] = f"Bearer {rotated.json_body['token']}"
    assert bot.api.get("/me").status_code == 200
    assert fresh.get("/me").status_code == 200

    later = timezone.now() + timedelta(seconds=3601)
    monkeypatch.setattr("backend.accounts.services.timezone.now", lambda: later)

    assert bot.api.get("/me").status_code == 401
    assert fresh.get("/me").status_code == 200


def test_the_owner_revokes_a_bot_token_at_once(api_for, alice, bot):
    token_id = ApiToken.objects.get(user=bot.user).pk

    assert api_for(alice).delete(f"/tokens/{token_id}").status_code == 204
    assert bot.api.get("/me").status_code == 401


def test_the_owner_lists_a_bots_tokens_and_others_get_not_found(bot, alice, bob, api_for):
    rotated = api_for(alice).post(f"/bots/{bot.user.pk}/token/rotate").json_body

    listed = api_for(alice).get(f"/bots/{bot.user.pk}/tokens").json_body

    assert [t["id"] for t in listed][0] == rotated["id"] and len(listed) == 2
    assert all("token" not in t for t in listed)
    assert listed[1]["expires_at"] is not None  # the previous one, in its grace period
    assert api_for(bob).get(f"/bots/{bot.user.pk}/tokens").status_code == 404


@pytest.mark.parametrize("redis", [True, False], ids=["redis", "in-process"])
def test_a_bot_posting_through_its_token_is_rate_limited_with_retry_after(
    api_for, alice, bot, room, monkeypatch, redis
):
    if not redis:
        monkeypatch.setattr(settings, "REDIS_URL", "")
    monkeypatch.setitem(settings.PREAU, "BOT_POSTS_PER_MINUTE", 3)
    api_for(alice).post(f"/bots/{bot.user.pk}/grants", {"room": room.pk})

    codes = [
        bot.api.post(f"/rooms/{room.pk}/messages", {"body": f"n°{i}"}).status_code for i in range(3)
    ]
    limited = bot.api.post(f"/rooms/{room.pk}/messages", {"body": "de trop"})

    assert codes == [201, 201, 201]
    assert limited.status_code == 429
    assert limited.json_body["code"] == "rate_limited" and limited.json_body["message"]
    assert 1 <= int(limited["Retry-After"]) <= 20
    assert not Message.objects.filter(body="de trop").exists()


@pytest.mark.parametrize("redis", [True, False], ids=["redis", "in-process"])
def test_the_bot_limit_does_not_apply_to_agents(api_for, alice, bob, bot, room, monkeypatch, redis):
    if not redis:
        monkeypatch.setattr(settings, "REDIS_URL", "")
    monkeypatch.setitem(settings.PREAU, "BOT_POSTS_PER_MINUTE", 1)
    api_for(alice).post(f"/bots/{bot.user.pk}/grants", {"room": room.pk})
    assert bot.api.post(f"/rooms/{room.pk}/messages", {"body": "robot"}).status_code == 201
    assert bot.api.post(f"/rooms/{room.pk}/messages", {"body": "x"}).status_code == 429

    as_alice, as_bob = api_for(alice), api_for(bob)
    codes = [
        api.post(f"/rooms/{room.pk}/messages", {"body": f"humain {i}"}).status_code
        for i in range(4)
        for api in (as_alice, as_bob)
    ]

    assert codes == [201] * 8
