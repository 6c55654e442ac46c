"""Bot pictures and descriptions: checked uploads, initials by default, shown on messages."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from backend.integrations import avatars, services
from backend.integrations.models import BotAvatar
from tests.backend.conftest import send
from tests.backend.test_bad_input import PNG

pytestmark = pytest.mark.django_db


def upload(api, bot_id, name, content):
    response = api.client.post(
        f"/api/v1/bots/{bot_id}/avatar",
        {"file": SimpleUploadedFile(name, content)},
        headers=api.headers,
    )
    return response


def test_an_uploaded_png_is_served_with_nosniff_to_signed_in_users(bot, alice, bob, api_for):
    response = upload(api_for(alice), bot.user.pk, "logo.png", PNG)
    assert response.status_code == 200, response.content
    assert response.json()["avatar"] == f"/api/v1/bots/{bot.user.pk}/avatar"

    served = api_for(bob).client.get(
        f"/api/v1/bots/{bot.user.pk}/avatar", headers=api_for(bob).headers
    )
    assert (served.status_code, served.content, served["Content-Type"]) == (200, PNG, "image/png")
    assert served["X-Content-Type-Options"] == "nosniff"
    assert "default-src 'none'" in served["Content-Security-Policy"]
    again = api_for(bob).client.get(
        f"/api/v1/bots/{bot.user.pk}/avatar",
        headers={**api_for(bob).headers, "If-None-Match": served["ETag"]},
    )
    assert again.status_code == 304
    assert Client().get(f"/api/v1/bots/{bot.user.pk}/avatar").status_code == 401


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("logo.png", b"<html><script>alert(1)</script></html>"),
        ("logo.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
        ("logo.png", b"%PDF-1.4\n%%EOF\n"),
    ],
)
def test_a_file_that_is_not_a_raster_image_is_refused(bot, alice, api_for, name, content):
    response = upload(api_for(alice), bot.user.pk, name, content)

    assert (response.status_code, response.json()["reason"]) == (400, "bad_image_type")
    assert not BotAvatar.objects.exists()


def test_an_image_over_256_kib_is_refused(bot, alice, api_for):
    response = upload(api_for(alice), bot.user.pk, "big.png", PNG + b"\0" * 256 * 1024)

    assert (response.status_code, response.json()["code"]) == (413, "too_large")
    assert not BotAvatar.objects.exists()


def test_only_the_owner_changes_the_picture(bot, bob, api_for):
    assert upload(api_for(bob), bot.user.pk, "logo.png", PNG).status_code == 404
    assert not BotAvatar.objects.exists()


def test_without_a_picture_the_bot_shows_its_initials_on_its_colour(alice, api_for):
    bot = services.bot_create(actor=alice, name="<Vigie> DSI").record.user

    served = api_for(alice).client.get(
        f"/api/v1/bots/{bot.pk}/avatar", headers=api_for(alice).headers
    )

    assert served["Content-Type"] == "image/svg+xml"
    svg = served.content.decode()
    assert ">VD</text>" in svg and "<script" not in svg
    assert avatars.colour_of(bot.pk) in svg
    assert served["X-Content-Type-Options"] == "nosniff"


def test_removing_the_picture_brings_back_the_initials(bot, alice, api_for):
    upload(api_for(alice), bot.user.pk, "logo.png", PNG)

    assert api_for(alice).delete(f"/bots/{bot.user.pk}/avatar").status_code == 204

    assert not BotAvatar.objects.exists()


def test_message_authors_that_are_bots_carry_badge_picture_and_description(
    bot, alice, bob, room, api_for
):
    services.bot_grant(actor=alice, bot_id=bot.user.pk, room_id=room.pk)
    changed = api_for(alice).patch(f"/bots/{bot.user.pk}", {"description": "Supervision DSI"})
    assert changed.status_code == 200 and changed.json_body["description"] == "Supervision DSI"
    by_bot = services.messaging.message_send(actor=bot.user, room_id=room.pk, body="Alerte")
    by_agent = send(alice, room, "Reçu")

    def author(message_id):
        return api_for(bob).get(f"/messages/{message_id}").json_body["author"]

    assert author(by_bot.message.pk) == {
        "id": bot.user.pk,
        "name": "Vigie",
        "is_bot": True,
        "avatar": f"/api/v1/bots/{bot.user.pk}/avatar",
        "description": "Supervision DSI",
    }
    assert author(by_agent.pk) == {"id": alice.pk, "name": alice.name}


def test_a_bad_rename_is_refused_and_changes_nothing(bot, alice, api_for):
    response = api_for(alice).patch(f"/bots/{bot.user.pk}", {"name": "   "})

    assert response.status_code == 400
    bot.user.refresh_from_db()
    assert bot.user.name == "Vigie"
