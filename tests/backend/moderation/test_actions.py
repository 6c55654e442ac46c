"""Moderation in a room: each action by each role, its audit entry and its events."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from backend.audit.models import AuditEntry
from backend.messaging import services as messaging
from backend.messaging.models import Message
from backend.moderation import services as moderation
from backend.moderation.models import Ban, HiddenMessage, Mute, Pin, RoomPolicy
from backend.rooms import services as rooms
from backend.rooms.models import Membership, RoomEvent
from tests.backend.conftest import send

pytestmark = pytest.mark.django_db

ROLES_EXPECTED = [
    ("owner", 200),
    ("moderator", 200),
    ("staff", 200),
    ("member", 403),
    ("outsider", 404),
]


def _call(api: Any, action: str, cast: Any, message: Message) -> Any:
    room, target = cast.room.pk, cast.target.pk
    if action == "hide":
        return api.post(f"/messages/{message.pk}/hide", {"reason": "Hors charte"})
    if action == "pin":
        return api.post(f"/messages/{message.pk}/pin")
    if action == "mute":
        return api.post(f"/rooms/{room}/mutes", {"user": target, "seconds": 600, "reason": "Calme"})
    if action == "remove":
        return api.post(f"/rooms/{room}/removals", {"user": target, "reason": "Hors sujet"})
    if action == "ban":
        return api.post(f"/rooms/{room}/bans", {"user": target, "reason": "Insultes"})
    if action == "policy":
        return api.patch(f"/rooms/{room}/policy", {"posting": "read_only"})
    if action == "slow":
        return api.patch(f"/rooms/{room}/policy", {"slow_mode_seconds": 30})
    if action == "unmute":
        return api.post(f"/rooms/{room}/mutes", {"user": target, "seconds": 0})
    if action == "unpin":
        return api.delete(f"/messages/{message.pk}/pin")
    if action == "unban":
        return api.delete(f"/rooms/{room}/bans/{target}")
    raise AssertionError(action)


AUDITED = {
    "hide": "message.hidden",
    "pin": "message.pinned",
    "mute": "member.muted",
    "remove": "member.removed",
    "ban": "member.banned",
    "policy": "room.policy",
    "slow": "room.policy",
    "unmute": "member.unmuted",
    "unpin": "message.unpinned",
    "unban": "member.unbanned",
}
EVENTS = {
    "hide": "message.deleted",
    "pin": "message.pinned",
    "mute": "member.muted",
    "remove": "member.left",
    "ban": "member.banned",
    "policy": "room.updated",
    "slow": "room.updated",
    "unmute": "member.muted",
    "unpin": "message.unpinned",
    "unban": "member.banned",
}


@pytest.mark.parametrize("action", list(AUDITED))
@pytest.mark.parametrize(("role", "status"), ROLES_EXPECTED)
def test_each_action_is_allowed_for_owners_moderators_and_staff_only(
    cast, api_for, action, role, status, published
):
    message = send(cast.target, cast.room, "Un message à modérer")
    if action == "unpin":
        moderation.message_pin(actor=cast.owner, message_id=message.pk, pin=True)
    if action == "unmute":
        moderation.member_mute(
            actor=cast.owner, room_id=cast.room.pk, user_id=cast.target.pk, seconds=600
        )
    if action == "unban":
        moderation.member_remove(
            actor=cast.owner, room_id=cast.room.pk, user_id=cast.target.pk, ban=True
        )
    seq_before = cast.room.__class__.objects.get(pk=cast.room.pk).last_seq
    published.clear()

    response = _call(api_for(cast.by_role(role)), action, cast, message)

    expected = {"member": "forbidden", "outsider": "not_found"}
    if status in (200,):
        assert response.status_code in (200, 204), response.json_body
        entry = AuditEntry.objects.get(action=AUDITED[action])
        assert entry.actor == cast.by_role(role)
        assert entry.room_id == cast.room.pk
        assert "Un message à modérer" not in f"{entry.reason} {entry.target}"
        kinds = list(
            RoomEvent.objects.filter(room=cast.room, seq__gt=seq_before).values_list(
                "kind", flat=True
            )
        )
        assert EVENTS[action] in kinds
        channels = {channel for channel, _payload in published}
        # Room events go to the room's channel; nothing is addressed to the outsider.
        assert not any(channel.endswith(f":user:{cast.outsider.pk}") for channel in channels)
    else:
        assert response.status_code == status
        assert response.json_body["code"] == expected[role]
        assert not AuditEntry.objects.filter(action=AUDITED[action]).exists()
        assert cast.room.__class__.objects.get(pk=cast.room.pk).last_seq == seq_before


def test_hidden_message_becomes_a_tombstone_but_keeps_its_content_for_the_audit(cast):
    message = send(cast.target, cast.room, "Propos déplacés")
    moderation.message_hide(actor=cast.moderator, message_id=message.pk, reason="Charte")
    message.refresh_from_db()
    assert message.deleted_at is not None and message.body == "Propos déplacés"
    created = RoomEvent.objects.get(message=message, kind="message.created")
    assert created.data["body"] == "" and created.data["deleted"] is True
    deleted = RoomEvent.objects.get(message=message, kind="message.deleted")
    assert deleted.data["deleted_by"]["id"] == cast.moderator.pk
    assert HiddenMessage.objects.filter(message=message).exists()


def test_purge_erases_hidden_content_and_audit_entries_after_the_retention(cast, settings):
    from backend.moderation.purge import moderation_purge

    message = send(cast.target, cast.room, "Propos déplacés")
    moderation.message_hide(actor=cast.moderator, message_id=message.pk, reason="Charte")
    assert moderation_purge().hidden_messages == 0
    message.refresh_from_db()
    assert message.body == "Propos déplacés"
    later = timezone.now() + timedelta(days=settings.PREAU["AUDIT_RETENTION_DAYS"] + 1)
    result = moderation_purge(now=later)
    message.refresh_from_db()
    assert result.hidden_messages == 1 and message.body == ""
    assert result.entries >= 1 and not AuditEntry.objects.filter(action="message.hidden").exists()


def test_purge_command_reports_the_audit_retention(cast, capsys):
    from django.core.management import call_command

    call_command("purge")
    assert "journal d'audit" in capsys.readouterr().out


def test_a_moderator_deleting_someone_elses_message_is_audited(cast):
    message = send(cast.target, cast.room, "Hors sujet")
    messaging.message_delete(actor=cast.moderator, message_id=message.pk)
    assert AuditEntry.objects.filter(action="message.hidden", actor=cast.moderator).count() == 1


def test_pins_are_listed_in_room_data_and_unpinned(cast, api_for):
    message = send(cast.target, cast.room, "Ordre du jour")
    moderation.message_pin(actor=cast.moderator, message_id=message.pk, pin=True)
    card = api_for(cast.member).get(f"/rooms/{cast.room.pk}").json_body
    assert [p["message"] for p in card["pinned"]] == [message.pk]
    assert api_for(cast.member).get(f"/rooms/{cast.room.pk}/pins").json_body[0]["excerpt"] == (
        "Ordre du jour"
    )
    response = api_for(cast.moderator).delete(f"/messages/{message.pk}/pin")
    assert response.json_body == {"message": message.pk, "changed": True}
    assert not Pin.objects.exists()
    assert RoomEvent.objects.filter(kind="message.unpinned").count() == 1
    assert api_for(cast.outsider).get(f"/rooms/{cast.room.pk}/pins").status_code == 404


def test_a_muted_member_cannot_post_until_the_mute_ends(cast, api_for):
    moderation.member_mute(
        actor=cast.moderator, room_id=cast.room.pk, user_id=cast.target.pk, seconds=600
    )
    response = api_for(cast.target).post(f"/rooms/{cast.room.pk}/messages", {"body": "Coucou"})
    assert response.status_code == 403 and response.json_body["reason"] == "muted"
    Mute.objects.update(until=timezone.now() - timedelta(seconds=1))
    response = api_for(cast.target).post(f"/rooms/{cast.room.pk}/messages", {"body": "Coucou"})
    assert response.status_code == 201


def test_mute_zero_lifts_it_and_moderators_cannot_mute_their_equals(cast, api_for):
    moderation.member_mute(
        actor=cast.owner, room_id=cast.room.pk, user_id=cast.target.pk, seconds=600
    )
    moderation.member_mute(
        actor=cast.owner, room_id=cast.room.pk, user_id=cast.target.pk, seconds=0
    )
    assert not Mute.objects.exists()
    response = api_for(cast.moderator).post(
        f"/rooms/{cast.room.pk}/mutes", {"user": cast.owner.pk, "seconds": 60}
    )
    assert response.status_code == 403 and response.json_body["reason"] == "rank"
    response = api_for(cast.moderator).post(
        f"/rooms/{cast.room.pk}/mutes", {"user": cast.target.pk, "seconds": 31 * 24 * 3600}
    )
    assert response.status_code == 400


def test_a_banned_member_cannot_rejoin_nor_read(cast, api_for):
    moderation.member_remove(
        actor=cast.moderator, room_id=cast.room.pk, user_id=cast.target.pk, ban=True
    )
    assert not Membership.objects.filter(room=cast.room, user=cast.target).exists()
    rooms.room_invite(actor=cast.owner, room_id=cast.room.pk, user_id=cast.target.pk)
    response = api_for(cast.target).post(f"/rooms/{cast.room.pk}/join")
    assert response.status_code == 403 and response.json_body["reason"] == "banned"
    assert api_for(cast.target).get(f"/rooms/{cast.room.pk}/events").status_code == 404
    moderation.member_unban(actor=cast.moderator, room_id=cast.room.pk, user_id=cast.target.pk)
    assert not Ban.objects.exists()
    assert api_for(cast.target).post(f"/rooms/{cast.room.pk}/join").status_code == 200


def test_a_ban_from_an_open_room_stops_following_it_and_searching_it(api_for, alice, bob, themes):
    room = rooms.room_create(
        actor=alice, name="Finances", kind="thematic", access="open", theme="finances"
    ).room
    send(alice, room, "Budget primitif voté")
    assert api_for(bob).get(f"/rooms/{room.pk}/events").status_code == 200
    assert api_for(bob).get("/search?q=budget").json_body["total"] == 1
    moderation.member_remove(actor=alice, room_id=room.pk, user_id=bob.pk, ban=True)
    assert api_for(bob).get(f"/rooms/{room.pk}/events").status_code == 404
    assert api_for(bob).get("/search?q=budget").json_body["total"] == 0
    assert api_for(bob).post(f"/rooms/{room.pk}/join").status_code == 403


def test_removed_member_may_come_back_when_invited_again(cast):
    moderation.member_remove(actor=cast.moderator, room_id=cast.room.pk, user_id=cast.target.pk)
    left = RoomEvent.objects.filter(kind="member.left").last()
    assert left.data["removed_by"]["id"] == cast.moderator.pk
    rooms.room_invite(actor=cast.owner, room_id=cast.room.pk, user_id=cast.target.pk)
    rooms.room_join(actor=cast.target, room_id=cast.room.pk)


@pytest.mark.parametrize(
    ("posting", "reason"), [("read_only", "read_only"), ("announcement", "announcement_only")]
)
def test_read_only_and_announcement_rooms_refuse_members_posts(cast, api_for, posting, reason):
    moderation.room_policy_set(actor=cast.owner, room_id=cast.room.pk, posting=posting)
    response = api_for(cast.member).post(f"/rooms/{cast.room.pk}/messages", {"body": "Salut"})
    assert response.status_code == 403 and response.json_body["reason"] == reason
    response = api_for(cast.moderator).post(f"/rooms/{cast.room.pk}/messages", {"body": "Info"})
    assert response.status_code == 201
    assert api_for(cast.member).get(f"/rooms/{cast.room.pk}").json_body["posting"] == posting


def test_slow_mode_refuses_a_second_message_with_retry_after(cast, api_for):
    moderation.room_policy_set(actor=cast.owner, room_id=cast.room.pk, slow_mode_seconds=60)
    api = api_for(cast.member)
    assert api.post(f"/rooms/{cast.room.pk}/messages", {"body": "Un"}).status_code == 201
    response = api.post(f"/rooms/{cast.room.pk}/messages", {"body": "Deux"})
    assert response.status_code == 429
    assert response.json_body["reason"] == "slow_mode"
    assert 1 <= int(response["Retry-After"]) <= 60
    assert "60" in response.json_body["message"]
    Message.objects.filter(author=cast.member).update(
        created_at=timezone.now() - timedelta(seconds=61)
    )
    assert api.post(f"/rooms/{cast.room.pk}/messages", {"body": "Deux"}).status_code == 201
    # Moderators are not slowed down.
    for body in ("a", "b"):
        assert (
            api_for(cast.moderator)
            .post(f"/rooms/{cast.room.pk}/messages", {"body": body})
            .status_code
            == 201
        )


def test_policy_changes_are_room_events_with_the_new_rules(cast):
    seq = cast.room.__class__.objects.get(pk=cast.room.pk).last_seq
    moderation.room_policy_set(actor=cast.owner, room_id=cast.room.pk, slow_mode_seconds=10)
    event = RoomEvent.objects.get(room=cast.room, seq=seq + 1)
    assert event.kind == "room.updated"
    assert event.data == {"room": {"id": cast.room.pk, "posting": "all", "slow_mode_seconds": 10}}
    assert RoomPolicy.objects.get().slow_mode_seconds == 10


def test_only_owners_appoint_moderators(cast, api_for):
    path = f"/rooms/{cast.room.pk}/members/{cast.member.pk}/role"
    assert api_for(cast.moderator).call("PUT", path, {"role": "moderator"}).status_code == 403
    assert api_for(cast.outsider).call("PUT", path, {"role": "moderator"}).status_code == 404
    response = api_for(cast.owner).call("PUT", path, {"role": "moderator"})
    assert response.json_body == {"user": cast.member.pk, "role": "moderator"}
    assert AuditEntry.objects.filter(action="member.role_changed", reason="moderator").exists()
