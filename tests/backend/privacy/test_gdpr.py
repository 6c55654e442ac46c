"""GDPR: the data export, account deletion in both modes, and per-room retention."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client, override_settings
from django.utils import timezone

from backend.accounts.models import ApiToken
from backend.audit.models import AuditEntry
from backend.messaging import services as messaging
from backend.messaging.models import Attachment, Message, MessageRevision, Reaction
from backend.messaging.services import files, reactions
from backend.rooms import services as rooms
from backend.rooms.models import Membership, RoomEvent
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def send(user, room, body: str) -> Message:  # type: ignore[no-untyped-def]
    return messaging.message_send(actor=user, room_id=room.pk, body=body).message


@pytest.fixture
def shared(alice, bob, make_room):  # type: ignore[no-untyped-def]
    room = make_room(alice, name="Cellule RH")
    rooms.room_invite(actor=alice, room_id=room.pk, user_id=bob.pk)
    rooms.room_join(actor=bob, room_id=room.pk)
    return room


PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def upload(user, room, name: str, data: bytes = PDF):  # type: ignore[no-untyped-def]
    return files.attachment_upload(
        actor=user, room_id=room.pk, upload=SimpleUploadedFile(name, data)
    )


def read_zip(response) -> dict:  # type: ignore[no-untyped-def]
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    response.close()
    out = {}
    for name in archive.namelist():
        raw = archive.read(name)
        out[name] = json.loads(raw) if name.endswith(".json") else raw
    return out


def test_the_export_holds_my_messages_with_their_rooms_and_nothing_of_others(
    api_for, alice, bob, shared, make_room
):
    mine = upload(alice, shared, "budget.pdf")
    messaging.message_send(actor=alice, room_id=shared.pk, body="Mon message", files=[mine.pk])
    bobs = send(bob, shared, "Le message de Bob")
    bobs_file = upload(bob, shared, "bob.pdf")
    messaging.message_send(actor=bob, room_id=shared.pk, body="", files=[bobs_file.pk])
    reactions.reaction_add(actor=alice, message_id=bobs.pk, emoji="👍")
    bobs_private = make_room(bob, name="Secret de Bob")
    send(bob, bobs_private, "Confidentiel")

    api = api_for(alice)
    response = api.client.get("/api/v1/me/export", headers=api.headers)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith("attachment;")
    content = read_zip(response)
    assert set(content) >= {"README.txt", "profile.json", "messages.json", "rooms.json"}
    assert content["profile.json"]["email"] == alice.email
    assert [(m["body"], m["room"]["name"]) for m in content["messages.json"]] == [
        ("Mon message", "Cellule RH")
    ]
    assert [(r["message"], r["emoji"]) for r in content["reactions.json"]] == [(bobs.pk, "👍")]
    assert [f["name"] for f in content["files.json"]] == ["budget.pdf"]
    assert content[content["files.json"][0]["path"]] == PDF
    assert not any("bob.pdf" in name for name in content)
    everything = json.dumps(
        {k: v for k, v in content.items() if k.endswith(".json")}, ensure_ascii=False
    )
    assert "Le message de Bob" not in everything
    assert "Secret de Bob" not in everything
    assert "Confidentiel" not in everything
    assert all(
        set(t) == {"name", "kind", "prefix", "created_at", "last_used_at", "revoked_at"}
        for t in content["tokens.json"]
    )


def login(user, password: str = PASSWORD):  # type: ignore[no-untyped-def]
    return Client().post(
        "/api/v1/session",
        data=json.dumps({"email": user.email, "password": password}),
        content_type="application/json",
    )


def test_deleting_my_account_needs_my_password(api_for, alice):
    response = api_for(alice).delete("/me", body={"password": "pas-le-bon-mot-de-passe"})

    assert (response.status_code, response.json_body["reason"]) == (400, "wrong_password")
    assert login(alice).status_code == 200


@override_settings(PREAU_ERASURE="anonymise")
def test_after_deletion_i_cannot_log_in_and_my_messages_show_as_former_member(
    api_for, alice, bob, shared, published, django_capture_on_commit_callbacks
):
    message = send(alice, shared, "Je reste lisible")
    email = alice.email

    with django_capture_on_commit_callbacks(execute=True):
        response = api_for(alice).delete("/me", body={"password": PASSWORD})

    assert response.status_code == 204
    assert login(alice).status_code == 401
    alice.refresh_from_db()
    assert (alice.name, alice.is_active, alice.has_usable_password()) == (
        "Ancien membre",
        False,
        False,
    )
    assert email not in alice.email
    assert not ApiToken.objects.filter(user=alice).exists()
    assert not Membership.objects.filter(user=alice).exists()
    message.refresh_from_db()
    assert (message.body, message.deleted_at) == ("Je reste lisible", None)
    events = api_for(bob).get(f"/rooms/{shared.pk}/events").json_body
    created = next(e for e in events["events"] if e["event"] == "message.created")
    assert created["data"]["author"] == {"id": alice.pk, "name": "Ancien membre"}
    assert "Alice" not in json.dumps(list(RoomEvent.objects.values_list("data", flat=True)))
    assert {"control": "deactivated"} in [p for _, p in published]
    assert AuditEntry.objects.filter(action="account.erased", reason="anonymise").exists()


@override_settings(PREAU_ERASURE="delete")
def test_deletion_in_delete_mode_removes_my_messages_as_deleted_events(
    api_for, alice, bob, shared, django_capture_on_commit_callbacks
):
    attachment = upload(alice, shared, "note.pdf")
    message = messaging.message_send(
        actor=alice, room_id=shared.pk, body="À effacer", files=[attachment.pk]
    ).message
    unposted = upload(alice, shared, "brouillon.pdf")
    stored = [Path(attachment.file.path), Path(unposted.file.path)]
    kept = send(bob, shared, "Reste")
    reactions.reaction_add(actor=alice, message_id=kept.pk, emoji="👍")
    messaging.message_edit(actor=alice, message_id=message.pk, body="À effacer aussi")

    with django_capture_on_commit_callbacks(execute=True):
        response = api_for(alice).delete("/me", body={"password": PASSWORD})

    assert response.status_code == 204
    message.refresh_from_db()
    assert message.deleted_at is not None and message.body == ""
    assert not Attachment.objects.filter(uploader=alice).exists()
    assert not any(path.exists() for path in stored)
    kept.refresh_from_db()
    assert kept.body == "Reste"
    events = api_for(bob).get(f"/rooms/{shared.pk}/events").json_body["events"]
    assert "À effacer" not in json.dumps(events, ensure_ascii=False)
    assert [e["data"]["id"] for e in events if e["event"] == "message.deleted"] == [message.pk]
    assert any(e["event"] == "reaction.removed" for e in events)
    assert not Reaction.objects.filter(user=alice).exists()
    assert not MessageRevision.objects.filter(message=message).exists()
    assert login(alice).status_code == 401


def test_purge_removes_messages_older_than_the_rooms_retention(
    api_for, alice, bob, shared, make_room, django_capture_on_commit_callbacks
):
    keep_forever = make_room(alice, name="Archives")
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        attachment = upload(alice, shared, "vieux.pdf")
        old = messaging.message_send(
            actor=alice, room_id=shared.pk, body="Vieux message introuvable", files=[attachment.pk]
        ).message
        stored = Path(attachment.file.path)
        assert api_for(bob).get("/search?q=introuvable").json_body["results"]
        old_elsewhere = send(alice, keep_forever, "Vieux mais conservé")
        clock.shift(timedelta(days=20))
        recent = send(bob, shared, "Message récent")
        shared.retention_days = 30
        shared.save(update_fields=["retention_days"])
        clock.shift(timedelta(days=11))

        out = io.StringIO()
        with django_capture_on_commit_callbacks(execute=True):
            call_command("purge", stdout=out)

    assert "1 message(s) effacés dans 1 salon(s)" in out.getvalue()
    assert not Attachment.objects.filter(pk=attachment.pk).exists()
    assert not stored.exists()
    assert api_for(bob).get("/search?q=introuvable").json_body["results"] == []
    old.refresh_from_db()
    assert old.deleted_at is not None and old.body == ""
    recent.refresh_from_db()
    assert recent.body == "Message récent"
    old_elsewhere.refresh_from_db()
    assert old_elsewhere.body == "Vieux mais conservé"
    events = api_for(bob).get(f"/rooms/{shared.pk}/events").json_body["events"]
    assert "Vieux message introuvable" not in json.dumps(events, ensure_ascii=False)
    deleted = [e for e in events if e["event"] == "message.deleted"]
    assert [(e["data"]["id"], e["data"]["deleted_by"]) for e in deleted] == [(old.pk, None)]
    assert not Message.objects.filter(body__icontains="introuvable").exists()


def test_purge_dry_run_changes_nothing(alice, shared):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        message = send(alice, shared, "Vieux")
        shared.retention_days = 1
        shared.save(update_fields=["retention_days"])
        clock.shift(timedelta(days=2))
        out = io.StringIO()
        call_command("purge", "--dry-run", stdout=out)

    assert "1 message(s) à effacer" in out.getvalue()
    message.refresh_from_db()
    assert message.body == "Vieux"
