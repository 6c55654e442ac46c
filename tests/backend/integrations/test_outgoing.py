"""Outgoing webhooks: signed deliveries to a real local server, retries, refusals, replies."""

from __future__ import annotations

import ssl
import subprocess
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from backend.common.errors import Forbidden, NotFound
from backend.integrations import delivery, netguard, outgoing, services
from backend.integrations.models import OutgoingDelivery, OutgoingWebhook
from backend.messaging.models import Message
from tests.backend.conftest import row_counts, send
from tests.receiver import Answer, start_receiver

pytestmark = pytest.mark.django_db


@pytest.fixture
def receiver():
    state, server = start_receiver()
    yield state
    server.shutdown()
    server.server_close()


@pytest.fixture
def granted(bot, alice, room):
    services.bot_grant(actor=alice, bot_id=bot.user.pk, room_id=room.pk)
    return bot


def create(alice, bot, url, **kw):
    return outgoing.outgoing_create(actor=alice, bot_id=bot.user.pk, url=url, **kw)


def settings_with(**values):
    from django.conf import settings

    return override_settings(PREAU={**settings.PREAU, **values})


def test_a_mention_is_posted_signed_to_the_bots_endpoint(granted, alice, room, receiver):
    hook = create(alice, granted, receiver.url)

    message = send(alice, room, "@Vigie la sauvegarde a échoué")
    assert delivery.deliver_due() == 1

    [got] = receiver.received
    assert got.signed_with(hook.secret)
    assert not got.signed_with("whsec_un-autre-secret")
    assert got.headers["content-type"] == "application/json"
    assert got.payload["trigger"] == "mention"
    assert got.payload["room"] == {"id": room.pk, "name": "Cellule de crise"}
    assert got.payload["message"]["id"] == message.pk
    assert got.payload["message"]["body"] == "@Vigie la sauvegarde a échoué"
    assert got.payload["message"]["author"] == {"id": alice.pk, "name": alice.name, "is_bot": False}
    assert OutgoingDelivery.objects.get().status == "delivered"


def test_a_message_in_a_watched_room_is_delivered_without_a_mention(
    granted, alice, bob, room, receiver
):
    hook = create(alice, granted, receiver.url, on_mention=False, rooms=[room.pk])

    send(bob, room, "Point de situation à 14 h")
    delivery.deliver_due()

    [got] = receiver.received
    assert got.signed_with(hook.secret)
    assert (got.payload["trigger"], got.payload["message"]["body"]) == (
        "room",
        "Point de situation à 14 h",
    )


def test_a_message_without_mention_in_an_unwatched_room_is_not_delivered(
    granted, alice, room, receiver
):
    create(alice, granted, receiver.url)

    send(alice, room, "Rien pour le robot")

    assert delivery.deliver_due() == 0
    assert receiver.received == []


def test_a_bot_without_the_right_to_read_a_room_receives_nothing_from_it(
    bot, alice, bob, room, make_room, receiver
):
    services.bot_grant(actor=alice, bot_id=bot.user.pk, room_id=room.pk, can_read=False)
    with pytest.raises(Forbidden):
        create(alice, bot, receiver.url, rooms=[room.pk])
    elsewhere = make_room(bob, name="Sans robot")
    with pytest.raises(Forbidden):
        create(alice, bot, receiver.url, rooms=[elsewhere.pk])
    create(alice, bot, receiver.url, on_mention=True)

    send(bob, room, "@Vigie tu ne dois pas lire ceci")
    send(bob, elsewhere, "@Vigie ni ceci")

    assert delivery.deliver_due() == 0
    assert receiver.received == []
    assert OutgoingDelivery.objects.count() == 0


def test_a_grant_withdrawn_before_delivery_cancels_it(granted, alice, room, receiver):
    create(alice, granted, receiver.url, rooms=[room.pk])
    send(alice, room, "Confidentiel")

    services.bot_grant_withdraw(actor=alice, bot_id=granted.user.pk, room_id=room.pk)
    delivery.deliver_due()

    assert receiver.received == []
    assert OutgoingDelivery.objects.get().status == "cancelled"
    services.bot_grant(actor=alice, bot_id=granted.user.pk, room_id=room.pk)
    assert OutgoingWebhook.objects.get().watched_rooms.count() == 0


def test_the_bots_own_messages_are_not_sent_back_to_it(granted, alice, room, receiver):
    create(alice, granted, receiver.url, rooms=[room.pk])

    services.messaging.message_send(actor=granted.user, room_id=room.pk, body="Moi")

    assert delivery.deliver_due() == 0


def test_a_500_is_retried_after_a_delay_then_delivered(granted, alice, room, receiver):
    create(alice, granted, receiver.url)
    receiver.answers = [Answer(status=500)]
    send(alice, room, "@Vigie encore")
    now = timezone.now()

    delivery.deliver_due(now=now)
    row = OutgoingDelivery.objects.get()
    assert (row.status, row.attempts, row.last_status_code) == ("pending", 1, 500)
    assert row.next_attempt_at == now + timedelta(seconds=10)
    assert delivery.deliver_due(now=now + timedelta(seconds=5)) == 0
    delivery.deliver_due(now=now + timedelta(seconds=11))

    row.refresh_from_db()
    assert (row.status, row.attempts, row.last_status_code) == ("delivered", 2, 200)
    assert len(receiver.received) == 2
    assert receiver.received[0].raw != b"" and receiver.received[1].payload["delivery"] == row.pk


def test_a_delivery_failing_every_time_is_marked_failed_for_the_owner(
    granted, alice, room, receiver, api_for, bob
):
    hook = create(alice, granted, receiver.url)
    receiver.answers = [Answer(status=503)] * 10
    send(alice, room, "@Vigie en panne")
    now = timezone.now()

    for minute in range(0, 120, 5):
        delivery.deliver_due(now=now + timedelta(minutes=minute))

    assert len(receiver.received) == 5
    listed = api_for(alice).get(f"/bots/{granted.user.pk}/outgoing").json_body
    assert (listed[0]["failed"], listed[0]["pending"]) == (1, 0)
    path = f"/bots/{granted.user.pk}/outgoing/{hook.webhook.pk}/deliveries"
    [shown] = api_for(alice).get(path).json_body
    assert (shown["status"], shown["attempts"], shown["last_error"]) == ("failed", 5, "HTTP 503")
    assert api_for(bob).get(path).status_code == 404


def test_a_receiver_slower_than_the_timeout_counts_as_a_failed_attempt(
    granted, alice, room, receiver
):
    create(alice, granted, receiver.url)
    receiver.answers = [Answer(delay=2)]
    send(alice, room, "@Vigie lent")

    with settings_with(OUTGOING_TIMEOUT_SECONDS=0.3):
        delivery.deliver_due()

    row = OutgoingDelivery.objects.get()
    assert (row.status, row.attempts, row.last_error) == ("pending", 1, "timeout")


def test_a_claimed_delivery_of_a_dead_process_is_retried_after_its_lease(
    granted, alice, room, receiver
):
    create(alice, granted, receiver.url)
    send(alice, room, "@Vigie survit")
    now = timezone.now()

    assert delivery._claim(now=now, limit=10)  # then the process dies before sending
    assert delivery.deliver_due(now=now + timedelta(seconds=10)) == 0
    assert delivery.deliver_due(now=now + timedelta(seconds=40)) == 1
    assert OutgoingDelivery.objects.get().status == "delivered"
    assert len(receiver.received) == 1


def test_a_reply_in_the_response_body_is_posted_as_the_bot_in_the_thread(
    granted, alice, room, receiver, make_agent, org
):
    create(alice, granted, receiver.url)
    # A second bot watching the room must not be told about the first bot's answer.
    other = services.bot_create(actor=alice, name="Écho").record.user
    services.bot_grant(actor=alice, bot_id=other.pk, room_id=room.pk)
    echo = f"{receiver.url}/echo"
    create(alice, type("B", (), {"user": other}), echo, on_mention=False, rooms=[room.pk])
    root = send(alice, room, "Incident réseau")
    answer = {"text": "*Pris en compte* : <https://ticket.fr/1|ticket>"}
    receiver.answers = [Answer(body=answer, path="/preau")]
    asked = send(alice, room, "@Vigie tu peux regarder ?", thread=root.pk)

    assert delivery.deliver_due() == 3  # Écho: both messages; Vigie: the mention
    replies = list(Message.objects.filter(author=granted.user))
    assert [(m.body, m.thread_id) for m in replies] == [
        ("**Pris en compte** : [ticket](https://ticket.fr/1)", root.pk)
    ]
    done = OutgoingDelivery.objects.get(message=asked, webhook__bot=granted.user)
    assert done.reply_id == replies[0].pk
    assert delivery.deliver_due() == 0


def test_a_reply_from_a_bot_that_may_not_post_is_dropped(bot, alice, room, receiver):
    services.bot_grant(actor=alice, bot_id=bot.user.pk, room_id=room.pk, can_post=False)
    create(alice, bot, receiver.url)
    receiver.answers = [Answer(body={"text": "Je ne peux pas écrire ici"})]
    send(alice, room, "@Vigie réponds")

    delivery.deliver_due()

    row = OutgoingDelivery.objects.get()
    assert row.status == "delivered" and row.last_error.startswith("reply refused")
    assert not Message.objects.filter(author=bot.user).exists()


@pytest.mark.parametrize(
    "url",
    [
        "http://10.0.0.8/hook",
        "http://192.168.1.1/hook",
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]:8000/hook",
        "http://[::ffff:10.0.0.1]/hook",
        "http://0.0.0.0/hook",
        "http://127.0.0.2/hook",
        "ftp://ftp.example.org/hook",
        "file:///etc/passwd",
        "http://user:motdepasse@example.org/hook",
        "pas une url",
    ],
)
def test_urls_to_private_networks_or_other_schemes_are_refused(granted, alice, url):
    before = row_counts()

    with pytest.raises(netguard.UnsafeTarget):
        create(alice, granted, url)

    assert row_counts() == before


def test_a_target_that_became_private_is_refused_at_delivery_time(granted, alice, room, receiver):
    create(alice, granted, receiver.url)
    send(alice, room, "@Vigie test")

    with settings_with(OUTGOING_ALLOWED_NETWORKS=[]):
        delivery.deliver_due()

    assert receiver.received == []
    row = OutgoingDelivery.objects.get()
    assert row.status == "failed" and "privé" in row.last_error


def test_rotating_the_secret_signs_the_next_deliveries_with_the_new_one(
    granted, alice, room, receiver
):
    first = create(alice, granted, receiver.url)
    rotated = outgoing.outgoing_secret_rotate(
        actor=alice, bot_id=granted.user.pk, webhook_id=first.webhook.pk
    )
    send(alice, room, "@Vigie nouveau secret")

    delivery.deliver_due()

    [got] = receiver.received
    assert rotated.secret != first.secret
    assert got.signed_with(rotated.secret) and not got.signed_with(first.secret)


def test_only_the_owner_manages_a_bots_outgoing_webhooks(granted, alice, bob, receiver, api_for):
    hook = create(alice, granted, receiver.url).webhook
    base = f"/bots/{granted.user.pk}/outgoing"

    assert api_for(bob).get(base).status_code == 404
    assert api_for(bob).post(base, {"url": receiver.url}).status_code == 404
    assert api_for(bob).delete(f"{base}/{hook.pk}").status_code == 404
    assert api_for(bob).post(f"{base}/{hook.pk}/secret/rotate").status_code == 404
    assert granted.api.get(base).status_code == 404  # a bot does not manage bots
    assert OutgoingWebhook.objects.get().secret == hook.secret


def test_the_rest_endpoints_create_list_rotate_and_delete(granted, alice, room, receiver, api_for):
    api = api_for(alice)
    base = f"/bots/{granted.user.pk}/outgoing"

    created = api.post(base, {"url": receiver.url, "rooms": [room.pk]})
    assert created.status_code == 201, created.json_body
    secret = created.json_body["secret"]
    assert secret.startswith("whsec_") and created.json_body["rooms"] == [room.pk]
    listed = api.get(base).json_body
    assert "secret" not in listed[0] and secret.startswith(listed[0]["secret_prefix"])
    rotated = api.post(f"{base}/{listed[0]['id']}/secret/rotate").json_body
    assert rotated["secret"] != secret
    refused = api.post(base, {"url": "http://169.254.169.254/"})
    assert (refused.status_code, refused.json_body["reason"]) == (400, "private_address")
    assert api.delete(f"{base}/{listed[0]['id']}").status_code == 204
    assert api.get(base).json_body == []


def test_the_cli_creates_lists_and_deletes_outgoing_webhooks(granted, alice, room, receiver):
    from io import StringIO

    out = StringIO()
    call_command(
        "bot", "outgoing", "create", str(granted.user.pk), receiver.url, "--room", str(room.pk),
        stdout=out,
    )  # fmt: skip
    secret = out.getvalue().strip().splitlines()[-1]
    hook = OutgoingWebhook.objects.get()
    assert secret == hook.secret and list(hook.watched_rooms.all()) == [room]
    out = StringIO()
    call_command("bot", "outgoing", "list", str(granted.user.pk), stdout=out)
    assert receiver.url in out.getvalue()
    call_command("bot", "outgoing", "delete", str(granted.user.pk), str(hook.pk), stdout=out)
    assert not OutgoingWebhook.objects.exists()
    with pytest.raises(NotFound):
        outgoing.outgoing_delete(actor=alice, bot_id=granted.user.pk, webhook_id=hook.pk)


@pytest.fixture
def tls_receiver(tmp_path):
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(  # noqa: S603 - fixed arguments
        [
            "/usr/bin/openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
            "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
            "-keyout", str(key), "-out", str(cert),
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    state, server = start_receiver(tls=(str(cert), str(key)))
    state.cert = str(cert)
    yield state
    server.shutdown()
    server.server_close()


def test_an_https_endpoint_must_present_a_trusted_certificate_for_its_host(
    granted, alice, room, tls_receiver, monkeypatch
):
    hook = create(alice, granted, tls_receiver.url)
    send(alice, room, "@Vigie en TLS")
    now = timezone.now()

    delivery.deliver_due(now=now)
    row = OutgoingDelivery.objects.get()
    assert row.status == "pending" and "CERTIFICATE_VERIFY_FAILED" in row.last_error
    assert tls_receiver.received == []

    trusting = ssl.create_default_context(cafile=tls_receiver.cert)
    monkeypatch.setattr(netguard.ssl, "create_default_context", lambda: trusting)
    delivery.deliver_due(now=now + timedelta(minutes=1))

    row.refresh_from_db()
    assert row.status == "delivered"
    assert tls_receiver.received[0].signed_with(hook.secret)
