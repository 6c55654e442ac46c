"""The audit trail: what is recorded, who reads it, how long it is kept."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.db import IntegrityError, transaction
from django.utils import timezone

from backend.accounts import services as accounts
from backend.audit.models import AuditEntry
from backend.audit.services import audit_purge, audit_record
from backend.moderation import services as moderation
from backend.rooms import services as rooms
from tests.backend.conftest import send

pytestmark = pytest.mark.django_db


def test_membership_role_token_and_account_actions_are_recorded(cast, api_for, make_agent, org):
    newcomer = make_agent(org, name="Nina Nouvelle")
    rooms.room_invite(actor=cast.owner, room_id=cast.room.pk, user_id=newcomer.pk)
    rooms.room_join(actor=newcomer, room_id=cast.room.pk)
    rooms.room_leave(actor=newcomer, room_id=cast.room.pk)
    moderation.member_role_set(
        actor=cast.owner, room_id=cast.room.pk, user_id=cast.member.pk, role="moderator"
    )
    response = api_for(cast.member).post("/tokens", {"name": "script"})
    token_id = response.json_body["id"]
    api_for(cast.member).delete(f"/tokens/{token_id}")
    accounts.user_deactivate(actor=cast.staff, user_id=newcomer.pk)
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {
        "room.created",
        "member.invited",
        "member.joined",
        "member.left",
        "member.role_changed",
        "token.created",
        "token.revoked",
        "account.created",
        "account.deactivated",
    } <= actions
    revoked = AuditEntry.objects.get(action="token.revoked")
    assert revoked.actor == cast.member and revoked.ip == "127.0.0.1"  # from the request
    joined = AuditEntry.objects.filter(action="member.joined", actor=newcomer).get()
    assert joined.room_id == cast.room.pk


def test_staff_read_the_whole_trail_with_addresses(cast, api_for):
    audit_record(action="otp.enabled", actor=cast.member, target="user:1", ip="203.0.113.9")
    entries = api_for(cast.staff).get("/audit").json_body
    assert any(e["action"] == "otp.enabled" and e["ip"] == "203.0.113.9" for e in entries)
    assert [e["id"] for e in entries] == sorted((e["id"] for e in entries), reverse=True)
    page = api_for(cast.staff).get(f"/audit?before={entries[0]['id']}&limit=1").json_body
    assert [e["id"] for e in page] == [entries[1]["id"]]


def test_room_moderators_read_their_room_only_without_addresses(cast, api_for, make_agent, org):
    message = send(cast.target, cast.room, "Texte secret du message")
    moderation.message_hide(actor=cast.moderator, message_id=message.pk, reason="Charte")
    elsewhere = rooms.room_create(
        actor=cast.member, name="Ailleurs", kind="private", access="invite"
    ).room
    entries = api_for(cast.moderator).get(f"/audit?room={cast.room.pk}").json_body
    hidden = [e for e in entries if e["action"] == "message.hidden"]
    assert hidden[0]["actor"]["id"] == cast.moderator.pk and hidden[0]["reason"] == "Charte"
    assert all(e["room"] == cast.room.pk and e["ip"] is None for e in entries)
    assert "Texte secret" not in str(entries)
    assert api_for(cast.moderator).get("/audit").status_code == 400
    assert api_for(cast.moderator).get(f"/audit?room={elsewhere.pk}").status_code == 404
    assert api_for(cast.member).get(f"/audit?room={cast.room.pk}").status_code == 403
    assert api_for(cast.outsider).get(f"/audit?room={cast.room.pk}").status_code == 404
    assert api_for(cast.staff).get(f"/audit?room={cast.room.pk}&action=message.hidden").json_body


def test_entries_older_than_the_retention_are_purged(cast, settings):
    settings.PREAU = {**settings.PREAU, "AUDIT_RETENTION_DAYS": 183}
    old = AuditEntry.objects.create(
        action="member.joined", actor=cast.member, created_at=timezone.now() - timedelta(days=184)
    )
    recent = audit_record(action="member.left", actor=cast.member)
    assert audit_purge(dry_run=True) == 1
    assert audit_purge() == 1
    assert not AuditEntry.objects.filter(pk=old.pk).exists()
    assert AuditEntry.objects.filter(pk=recent.pk).exists()


def test_the_retention_must_be_six_to_twelve_months():
    import subprocess
    import sys

    for value, ok in (("90", False), ("400", False), ("200", True)):
        result = subprocess.run(
            [
                sys.executable,
                "-c",
                "import django; from django.conf import settings; import backend.settings",
            ],
            env={**__import__("os").environ, "PREAU_AUDIT_RETENTION_DAYS": value},
            capture_output=True,
            text=True,
            check=False,
        )
        assert (result.returncode == 0) == ok, result.stderr[-300:]


def test_moderators_filter_their_rooms_trail_by_action_actor_and_day(cast, api_for):
    first = send(cast.target, cast.room, "Premier")
    second = send(cast.target, cast.room, "Second")
    moderation.message_hide(actor=cast.moderator, message_id=first.pk, reason="Hors sujet")
    with time_machine.travel(timezone.now() - timedelta(days=3)):
        moderation.message_hide(actor=cast.owner, message_id=second.pk, reason="Doublon")
    api = api_for(cast.moderator)
    base = f"/audit?room={cast.room.pk}&action=message.hidden"

    by_actor = api.get(f"{base}&actor={cast.moderator.pk}").json_body
    today = timezone.localdate().isoformat()
    three_days_ago = (timezone.localdate() - timedelta(days=3)).isoformat()
    recent = api.get(f"{base}&since={today}").json_body
    older = api.get(f"{base}&until={three_days_ago}").json_body

    assert [e["reason"] for e in by_actor] == ["Hors sujet"]
    assert [e["reason"] for e in recent] == ["Hors sujet"]
    assert [e["reason"] for e in older] == ["Doublon"]
    assert by_actor[0]["target_ref"] == {"kind": "message", "id": first.pk, "user": None}
    reversed_period = api.get(f"{base}&since={today}&until={three_days_ago}")
    assert (reversed_period.status_code, reversed_period.json_body["code"]) == (400, "bad_request")


def test_an_entry_about_a_member_names_that_member(cast, api_for):
    moderation.member_mute(
        actor=cast.moderator, room_id=cast.room.pk, user_id=cast.target.pk, seconds=600
    )
    [entry] = (
        api_for(cast.moderator).get(f"/audit?room={cast.room.pk}&action=member.muted").json_body
    )
    assert entry["target_ref"] == {
        "kind": "user",
        "id": cast.target.pk,
        "user": {"id": cast.target.pk, "name": cast.target.name},
    }


def test_pages_follow_each_other_without_gaps_or_repeats(cast, api_for):
    for n in range(5):
        audit_record(
            action="member.joined", actor=cast.member, room_id=cast.room.pk, target=f"user:{n}"
        )
    api = api_for(cast.moderator)
    seen: list[int] = []
    before = ""
    while True:
        page = api.get(f"/audit?room={cast.room.pk}&action=member.joined&limit=2{before}").json_body
        if not page:
            break
        seen += [e["id"] for e in page]
        before = f"&before={page[-1]['id']}"
    assert (
        len(seen)
        == len(set(seen))
        == AuditEntry.objects.filter(room_id=cast.room.pk, action="member.joined").count()
    )
    assert seen == sorted(seen, reverse=True)


def test_days_out_of_range_are_refused_clearly(cast, api_for):
    api = api_for(cast.moderator)
    for query in ("until=9999-12-31", "since=0001-01-01"):
        response = api.get(f"/audit?room={cast.room.pk}&{query}")
        assert (response.status_code, response.json_body["reason"]) == (400, "bad_period")


@pytest.mark.parametrize(
    "change",
    [
        {"action": "message.deleted"},
        {"reason": "Autre motif"},
        {"target": "user:1"},
        {"ip": "10.0.0.1"},
        {"created_at": timezone.now() - timedelta(days=400)},
    ],
)
def test_the_database_refuses_to_change_an_entry(cast, change):
    entry = audit_record(action="member.joined", actor=cast.member, target="user:2", reason="x")

    with pytest.raises(IntegrityError), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).update(**change)

    entry.refresh_from_db()
    assert (entry.action, entry.reason, entry.target) == ("member.joined", "x", "user:2")


def test_the_database_refuses_to_give_an_entry_another_actor(cast):
    entry = audit_record(action="member.joined", actor=cast.member)

    with pytest.raises(IntegrityError), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).update(actor=cast.owner)

    entry.refresh_from_db()
    assert entry.actor_id == cast.member.pk


def test_deleting_a_user_keeps_their_entries_without_the_actor(cast, make_agent, org):
    leaver = make_agent(org)
    entry = audit_record(action="member.joined", actor=leaver, target="room:1")

    leaver.delete()

    entry.refresh_from_db()
    assert (entry.actor_id, entry.action, entry.target) == (None, "member.joined", "room:1")
