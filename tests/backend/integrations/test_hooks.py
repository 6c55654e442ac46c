"""POST /hooks/<secret>: Slack payloads posted as the hook's bot, refusals that post nothing."""

from __future__ import annotations

import json
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.test import Client

from backend.integrations import services
from backend.messaging.models import Mention, Message
from tests.backend.conftest import row_counts

pytestmark = pytest.mark.django_db


@pytest.fixture
def hook(bot, alice, room):
    """A hook of Alice's bot into the private room (where Bob is a member)."""
    services.bot_grant(actor=alice, bot_id=bot.user.pk, room_id=room.pk)
    return services.hook_create(actor=alice, bot_id=bot.user.pk, room_id=room.pk).secret


def post(secret, body, content_type="application/json"):
    raw = json.dumps(body) if isinstance(body, dict) else body
    return Client().post(f"/hooks/{secret}", raw, content_type=content_type)


def test_a_slack_text_payload_is_posted_as_the_bot_and_answered_ok(hook, bot, room, api_for, bob):
    response = post(hook, {"text": "*Sauvegarde* terminée : <https://dsi.fr/r/1|rapport>"})

    assert (response.status_code, response.content) == (200, b"ok")
    message = Message.objects.get(room=room, author=bot.user)
    assert message.body == "**Sauvegarde** terminée : [rapport](https://dsi.fr/r/1)"
    seen = api_for(bob).get(f"/messages/{message.pk}").json_body
    assert (
        seen["author"]
        == {
            "id": bot.user.pk,
            "name": "Vigie",
            "is_bot": True,
            "avatar": f"/api/v1/bots/{bot.user.pk}/avatar",
            "description": "Alertes de la DSI",
        }
        and seen["meta"] == {}
    )


def test_a_form_encoded_payload_is_accepted_with_username_and_icon(hook, room, api_for, bob):
    payload = {"text": "Alerte", "username": "Zabbix", "icon_url": "https://z.fr/i.png"}

    response = post(
        hook, urlencode({"payload": json.dumps(payload)}), "application/x-www-form-urlencoded"
    )

    assert response.status_code == 200, response.content
    message = Message.objects.get(room=room, body="Alerte")
    assert api_for(bob).get(f"/messages/{message.pk}").json_body["meta"] == {
        "username": "Zabbix",
        "icon_url": "https://z.fr/i.png",
    }


def test_channel_selects_another_granted_room_by_name_or_id(hook, bot, alice, make_room):
    other = make_room(alice, name="Astreinte")
    services.bot_grant(actor=alice, bot_id=bot.user.pk, room_id=other.pk)

    assert post(hook, {"text": "par nom", "channel": "#astreinte"}).status_code == 200
    assert post(hook, {"text": "par numéro", "channel": str(other.pk)}).status_code == 200
    assert list(Message.objects.filter(room=other).values_list("body", flat=True)) == [
        "par nom",
        "par numéro",
    ]


def test_thread_posts_a_reply(hook, room, alice):
    root = services.messaging.message_send(actor=alice, room_id=room.pk, body="Incident").message

    assert post(hook, {"text": "Résolu", "thread": root.pk}).status_code == 200
    assert Message.objects.get(body="Résolu").thread_id == root.pk


def test_slack_thread_ts_naming_a_message_posts_a_reply(hook, room, alice):
    root = services.messaging.message_send(actor=alice, room_id=room.pk, body="Panne").message

    assert post(hook, {"text": "Relancé", "thread_ts": str(root.pk)}).status_code == 200
    assert Message.objects.get(body="Relancé").thread_id == root.pk


def test_channel_mention_becomes_salon_in_a_small_room(hook, room, bob):
    assert post(hook, {"text": "<!channel> coupure réseau"}).status_code == 200

    message = Message.objects.get(room=room)
    assert message.body == "@salon coupure réseau"
    assert Mention.objects.filter(message=message, user=bob, everyone=True).exists()


@pytest.mark.parametrize(
    ("body", "content_type", "status", "code"),
    [
        ("pas du json", "text/plain", 400, "bad_request"),
        ('["text"]', "application/json", 400, "bad_request"),
        ("payload=%7Bnon", "application/x-www-form-urlencoded", 400, "bad_request"),
        ("NaN", "application/json", 400, "bad_request"),
        ({"text": ""}, "application/json", 400, "bad_request"),
        ({"text": "x", "thread": "12"}, "application/json", 400, "bad_request"),
        ({"text": "x", "thread_ts": "1700000000.000100"}, "application/json", 400, "bad_request"),
        ({"text": "x", "thread_ts": 987654321}, "application/json", 404, "not_found"),
        ({"text": "x" * 70_000}, "application/json", 413, "too_large"),
        ({"text": "x" * 10_001}, "application/json", 413, "too_large"),
        ({"text": "x", "channel": "#inconnu"}, "application/json", 404, "not_found"),
        ({"text": "x", "channel": "987654321"}, "application/json", 404, "not_found"),
        ({"text": "x", "thread": 987654321}, "application/json", 404, "not_found"),
    ],
)
def test_bad_payloads_get_a_clear_error_and_post_nothing(hook, body, content_type, status, code):
    before = row_counts()

    response = post(hook, body, content_type)

    assert response.status_code == status, response.content
    assert response.json()["code"] == code and response.json()["message"]
    assert row_counts() == before


@pytest.mark.parametrize(
    "secret", ["0" * 48, "", "a/b", "x" * 300], ids=["hex", "empty", "slash", "long"]
)
def test_an_unknown_secret_is_not_found(hook, db, secret):
    before = row_counts()

    response = post(secret, {"text": "x"})

    assert (response.status_code, response.json()["code"]) == (404, "not_found")
    assert row_counts() == before


def test_a_channel_the_bot_may_not_post_in_is_forbidden(hook, bot, alice, make_room):
    readonly = make_room(alice, name="Lecture")
    services.bot_grant(
        actor=alice, bot_id=bot.user.pk, room_id=readonly.pk, can_post=False, can_read=True
    )
    before = row_counts()

    response = post(hook, {"text": "x", "channel": "Lecture"})

    assert (response.status_code, response.json()["code"]) == (403, "forbidden")
    assert row_counts() == before


def test_only_post_is_allowed(hook):
    response = Client().get(f"/hooks/{hook}")

    assert response.status_code == 405 and response["Allow"] == "POST"


@pytest.mark.parametrize("redis", [True, False], ids=["redis", "in-process"])
def test_each_hook_is_rate_limited_with_retry_after(hook, bot, alice, room, monkeypatch, redis):
    if not redis:
        monkeypatch.setattr(settings, "REDIS_URL", "")
    monkeypatch.setitem(settings.PREAU, "HOOK_POSTS_PER_MINUTE", 2)
    second = services.hook_create(actor=alice, bot_id=bot.user.pk, room_id=room.pk).secret

    assert [post(hook, {"text": f"n°{i}"}).status_code for i in range(2)] == [200, 200]
    limited = post(hook, {"text": "de trop"})

    assert (limited.status_code, limited.json()["code"]) == (429, "rate_limited")
    assert 1 <= int(limited["Retry-After"]) <= 30
    assert not Message.objects.filter(body="de trop").exists()
    assert post(second, {"text": "autre hook"}).status_code == 200


@pytest.mark.parametrize("redis", [True, False], ids=["redis", "in-process"])
def test_each_bot_is_rate_limited_across_its_hooks(hook, bot, alice, room, monkeypatch, redis):
    if not redis:
        monkeypatch.setattr(settings, "REDIS_URL", "")
    monkeypatch.setitem(settings.PREAU, "BOT_POSTS_PER_MINUTE", 3)
    second = services.hook_create(actor=alice, bot_id=bot.user.pk, room_id=room.pk).secret

    codes = [post(h, {"text": "x"}).status_code for h in (hook, second, hook, second)]

    assert codes == [200, 200, 200, 429]
    assert Message.objects.filter(room=room).count() == 3


def test_errors_follow_accept_language(hook):
    response = Client().post(
        "/hooks/" + "0" * 48,
        "{}",
        content_type="application/json",
        headers={"Accept-Language": "en"},
    )

    assert response.json()["message"] == "This webhook does not exist or was revoked."
