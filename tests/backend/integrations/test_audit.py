"""Every integration action writes exactly one audit entry: who, what, on what — never a secret."""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from backend.audit.models import AuditEntry
from backend.integrations import avatars, services
from backend.integrations.models import BotGrant, IncomingWebhook, OutgoingWebhook
from backend.rooms.models import Membership, Room, RoomEvent

pytestmark = pytest.mark.django_db

# A 1x1 transparent PNG.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII="
)


@contextmanager
def one_entry() -> Iterator[Callable[[], AuditEntry]]:
    """The single audit entry written inside the block (fails if there are none or several)."""
    last = AuditEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    box: dict[str, AuditEntry] = {}
    yield lambda: box["entry"]
    new = list(AuditEntry.objects.filter(pk__gt=last).order_by("pk"))
    assert [e.action for e in new] and len(new) == 1, [e.action for e in new]
    box["entry"] = new[0]


def assert_no_secret(entry: AuditEntry, *secrets: str) -> None:
    text = " ".join(str(v) for v in (entry.action, entry.target, entry.reason, entry.ip))
    for secret in secrets:
        assert secret not in text
        assert secret[:8] not in text  # not even the prefix shown to the owner


def test_creating_a_bot_writes_one_entry_naming_the_owner_and_the_bot(api_for, alice):
    api = api_for(alice)

    with one_entry() as entry:
        response = api.post("/bots", {"name": "Vigie"})

    body = response.json_body
    assert (entry().action, entry().actor, entry().target) == (
        "bot.created",
        alice,
        f"user:{body['id']}",
    )
    assert entry().ip == "127.0.0.1"
    assert_no_secret(entry(), body["token"].removeprefix("preau_"))


def test_renaming_a_bot_and_changing_its_picture_are_each_recorded_once(api_for, alice, bot):
    api = api_for(alice)
    with one_entry() as renamed:
        api.patch(f"/bots/{bot.user.pk}", {"name": "Vigie 2"})
    upload = SimpleUploadedFile("a.png", PNG, content_type="image/png")
    with one_entry() as pictured:
        avatars.bot_avatar_set(actor=alice, bot_id=bot.user.pk, upload=upload)
    with one_entry() as unpictured:
        api.delete(f"/bots/{bot.user.pk}/avatar")

    assert [e().action for e in (renamed, pictured, unpictured)] == [
        "bot.updated",
        "bot.avatar_set",
        "bot.avatar_removed",
    ]
    assert all(
        e().actor == alice and e().target == f"user:{bot.user.pk}"
        for e in (renamed, pictured, unpictured)
    )


def test_granting_changing_and_withdrawing_a_room_are_recorded_in_that_room(
    api_for, alice, bot, room
):
    api = api_for(alice)
    base = f"/bots/{bot.user.pk}/grants"

    with one_entry() as granted:
        assert api.post(base, {"room": room.pk, "can_post": False}).status_code == 201
    with one_entry() as changed:
        api.post(base, {"room": room.pk, "can_post": True})
    with one_entry() as withdrawn:
        assert api.delete(f"{base}/{room.pk}").status_code == 204

    assert (granted().action, granted().reason) == ("bot.granted", "read")
    assert (changed().action, changed().reason) == ("bot.grant_changed", "post,read")
    assert withdrawn().action == "bot.grant_withdrawn"
    for e in (granted, changed, withdrawn):
        assert (e().actor, e().target, e().room_id) == (alice, f"user:{bot.user.pk}", room.pk)


def test_granting_the_same_rights_again_writes_nothing(api_for, alice, bot, room):
    api = api_for(alice)
    api.post(f"/bots/{bot.user.pk}/grants", {"room": room.pk})
    before = AuditEntry.objects.count()

    api.post(f"/bots/{bot.user.pk}/grants", {"room": room.pk})

    assert AuditEntry.objects.count() == before


def test_rotating_a_bot_token_writes_one_entry_without_the_token(api_for, alice, bot):
    api = api_for(alice)

    with one_entry() as entry:
        response = api.post(f"/bots/{bot.user.pk}/token/rotate")

    new = response.json_body
    assert (entry().action, entry().actor, entry().target) == (
        "token.rotated",
        alice,
        f"user:{bot.user.pk}",
    )
    assert_no_secret(entry(), new["token"].removeprefix("preau_"), bot.token.removeprefix("preau_"))


def test_revoking_a_bot_token_writes_one_entry(api_for, alice, bot):
    api = api_for(alice)
    [token] = api.get(f"/bots/{bot.user.pk}/tokens").json_body

    with one_entry() as entry:
        assert api.delete(f"/tokens/{token['id']}").status_code == 204

    assert (entry().action, entry().actor, entry().target) == (
        "token.revoked",
        alice,
        f"token:{token['id']}",
    )


def test_creating_an_incoming_hook_writes_one_entry_without_its_secret(api_for, alice, bot, room):
    services.bot_grant(actor=alice, bot_id=bot.user.pk, room_id=room.pk)
    api = api_for(alice)

    with one_entry() as entry:
        response = api.post(f"/bots/{bot.user.pk}/hooks", {"room": room.pk})

    hook = IncomingWebhook.objects.get()
    secret = response.json_body["url"].rsplit("/", 1)[1]
    assert (entry().action, entry().actor, entry().target) == (
        "hook.created",
        alice,
        f"hook:{hook.pk}",
    )
    assert (entry().room_id, entry().reason) == (room.pk, f"user:{bot.user.pk}")
    assert_no_secret(entry(), secret)


def test_outgoing_webhook_creation_rotation_and_deletion_are_each_recorded_once(
    api_for, alice, bot, room
):
    services.bot_grant(actor=alice, bot_id=bot.user.pk, room_id=room.pk)
    api = api_for(alice)
    base = f"/bots/{bot.user.pk}/outgoing"
    url = "http://127.0.0.1:9/hook?token=receiver-private-token"

    with one_entry() as created:
        first = api.post(base, {"url": url}).json_body
    with one_entry() as rotated:
        second = api.post(f"{base}/{first['id']}/secret/rotate").json_body
    with one_entry() as deleted:
        assert api.delete(f"{base}/{first['id']}").status_code == 204

    assert [e().action for e in (created, rotated, deleted)] == [
        "outgoing.created",
        "outgoing.secret_rotated",
        "outgoing.deleted",
    ]
    for e in (created, rotated, deleted):
        assert (e().actor, e().target) == (alice, f"outgoing:{first['id']}")
        assert e().reason == f"user:{bot.user.pk}"
        assert_no_secret(e(), first["secret"], second["secret"], "receiver-private-token")
    assert not OutgoingWebhook.objects.exists()


def test_announcements_sent_scheduled_and_cancelled_are_recorded_without_their_body(
    api_for, alice, room
):
    api = api_for(alice)
    body = "Coupure du réseau samedi de 8 h à 10 h"

    with one_entry() as sent:
        now = api.post("/announcements", {"body": body, "rooms": [room.pk]}).json_body
    when = (timezone.now() + timedelta(days=2)).isoformat()
    with one_entry() as scheduled:
        later = api.post("/announcements", {"body": body, "rooms": [room.pk], "send_at": when})
    with one_entry() as cancelled:
        assert api.post(f"/announcements/{later.json_body['id']}/cancel").status_code == 200

    assert (sent().action, sent().target) == ("announcement.sent", f"announcement:{now['id']}")
    assert scheduled().action == "announcement.scheduled"
    assert (cancelled().action, cancelled().target) == (
        "announcement.cancelled",
        f"announcement:{later.json_body['id']}",
    )
    for e in (sent, scheduled, cancelled):
        assert e().actor == alice and e().reason == "rooms"
        assert_no_secret(e(), body)


def test_deleting_a_bot_retires_it_everywhere_and_writes_one_entry(
    api_for, alice, bob, outsider, bot, room, published, django_capture_on_commit_callbacks
):
    services.bot_grant(actor=alice, bot_id=bot.user.pk, room_id=room.pk)
    hook = services.hook_create(actor=alice, bot_id=bot.user.pk, room_id=room.pk)
    api = api_for(alice)
    assert api_for(bob).delete(f"/bots/{bot.user.pk}").status_code == 404  # not his bot
    assert api_for(outsider).delete(f"/bots/{bot.user.pk}").status_code == 404
    seq = Room.objects.get(pk=room.pk).last_seq
    published.clear()

    with one_entry() as entry, django_capture_on_commit_callbacks(execute=True):
        assert api.delete(f"/bots/{bot.user.pk}").status_code == 204

    assert (entry().action, entry().actor, entry().target) == (
        "bot.deleted",
        alice,
        f"user:{bot.user.pk}",
    )
    assert_no_secret(entry(), bot.token.removeprefix("preau_"), hook.secret)
    assert bot.api.get("/me").status_code == 401  # its token stopped at once
    posted = Client().post(f"/hooks/{hook.secret}", {"text": "encore là ?"}, "application/json")
    assert posted.status_code == 404
    assert not Membership.objects.filter(user=bot.user).exists()
    assert not BotGrant.objects.filter(bot=bot.user).exists()
    [left] = RoomEvent.objects.filter(room=room, seq__gt=seq)
    assert (left.kind, left.data["user"]["id"]) == ("member.left", bot.user.pk)
    assert api.get("/bots").json_body == []
    assert api.delete(f"/bots/{bot.user.pk}").status_code == 404  # once only
    # Its sockets are told to close; nothing about it reaches someone outside the room.
    channels = {channel for channel, _payload in published}
    assert any(channel.endswith(f"user:{bot.user.pk}") for channel in channels)
    assert not any(channel.endswith(f"user:{outsider.pk}") for channel in channels)


def test_closing_the_owners_account_records_the_end_of_each_of_its_bots(alice, bot):
    from backend.privacy.services import account_erase
    from tests.conftest import PASSWORD

    account_erase(user=alice, password=PASSWORD)

    entry = AuditEntry.objects.get(action="bot.deleted")
    assert (entry.actor, entry.target, entry.reason) == (alice, f"user:{bot.user.pk}", "owner")
    assert AuditEntry.objects.filter(action="account.erased", actor=alice).count() == 1
