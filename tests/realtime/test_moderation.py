"""Moderation over the socket: the right people hear of it, outsiders hear nothing."""

from __future__ import annotations

from typing import Any

import pytest
from channels.db import database_sync_to_async

from backend.audit.models import AuditEntry
from backend.messaging import services as messaging
from backend.moderation import reports
from backend.moderation import services as moderation
from backend.rooms import services as rooms

pytestmark = pytest.mark.django_db(transaction=True)


def is_event(kind: str) -> Any:
    return lambda f: f.get("type") == "event" and f.get("event") == kind


def is_type(kind: str) -> Any:
    return lambda f: f.get("type") == kind


@database_sync_to_async
def setup_room(alice, bob, mod, **fields):  # type: ignore[no-untyped-def]
    defaults = {"name": "Salon", "kind": "private", "access": "invite"}
    room = rooms.room_create(actor=alice, **{**defaults, **fields}).room
    for user in (bob, mod):
        if room.access == "invite":
            rooms.room_invite(actor=alice, room_id=room.pk, user_id=user.pk)
        rooms.room_join(actor=user, room_id=room.pk)
    moderation.member_role_set(actor=alice, room_id=room.pk, user_id=mod.pk, role="moderator")
    return room


@database_sync_to_async
def send(user, room, body, **kw):  # type: ignore[no-untyped-def]
    return messaging.message_send(actor=user, room_id=room.pk, body=body, **kw).message


@pytest.fixture
def mod(make_agent, org):  # type: ignore[no-untyped-def]
    return make_agent(org, name="Mona Modératrice")


async def test_a_ban_stops_delivery_to_the_banned_member_at_once(
    connect, alice, bob, mod, outsider
):
    room = await setup_room(alice, bob, mod)
    a, b, o = await connect(alice), await connect(bob), await connect(outsider)
    m = await connect(mod)
    ack = await m.request({"type": "ping", "ref": "p"})
    assert ack["type"] == "pong"
    await database_sync_to_async(moderation.member_remove)(
        actor=mod, room_id=room.pk, user_id=bob.pk, reason="Insultes", ban=True
    )
    left = await b.recv_until(is_event("member.left"))
    assert left["data"]["removed_by"]["id"] == mod.pk
    await b.recv_until(lambda f: f.get("type") == "unsubscribed" and f["room"] == room.pk)
    banned = await a.recv_until(is_event("member.banned"))
    assert banned["data"]["user"]["id"] == bob.pk
    await send(alice, room, "Après l'exclusion")
    await a.recv_until(is_event("message.created"))
    await b.assert_silent()
    await o.assert_silent()
    reply = await b.request({"type": "sync", "since": {str(room.pk): 0}})
    assert reply["not_found"] == [room.pk]


async def test_a_ban_from_an_open_room_stops_a_follower(connect, alice, bob, mod, outsider, themes):
    room = await setup_room(alice, bob, mod, kind="thematic", access="open", theme="finances")
    o = await connect(outsider)
    ack = await o.request({"type": "subscribe", "room": room.pk})
    assert ack["type"] == "ack"
    await send(alice, room, "Avant")
    await o.recv_until(is_event("message.created"))
    await database_sync_to_async(moderation.member_remove)(
        actor=mod, room_id=room.pk, user_id=outsider.pk, ban=True
    )
    await o.recv_until(lambda f: f.get("type") == "unsubscribed")
    await send(alice, room, "Après")
    await o.assert_silent()
    refused = await o.request({"type": "subscribe", "room": room.pk})
    assert refused["type"] == "error" and refused["code"] == "not_found"


async def test_mute_policy_and_removal_frames_reach_members_only(
    connect, alice, bob, mod, outsider
):
    room = await setup_room(alice, bob, mod)
    a, b, m, o = (
        await connect(alice),
        await connect(bob),
        await connect(mod),
        await connect(outsider),
    )

    await database_sync_to_async(moderation.member_mute)(
        actor=mod, room_id=room.pk, user_id=bob.pk, seconds=600, reason="Calme"
    )
    for client in (a, b, m):
        muted = await client.recv_until(is_event("member.muted"))
        assert muted["data"]["user"]["id"] == bob.pk and muted["data"]["until"]
    refused = await b.request({"type": "message.send", "room": room.pk, "body": "Je parle"})
    assert (refused["type"], refused["reason"]) == ("error", "muted")

    await database_sync_to_async(moderation.room_policy_set)(
        actor=mod, room_id=room.pk, posting="read_only", slow_mode_seconds=30
    )
    for client in (a, b, m):
        updated = await client.recv_until(is_event("room.updated"))
        assert updated["data"]["room"] == {
            "id": room.pk,
            "posting": "read_only",
            "slow_mode_seconds": 30,
        }
    await database_sync_to_async(moderation.member_mute)(
        actor=mod, room_id=room.pk, user_id=bob.pk, seconds=0
    )
    for client in (a, b, m):
        lifted = await client.recv_until(is_event("member.muted"))
        assert lifted["data"]["until"] is None
    refused = await b.request({"type": "message.send", "room": room.pk, "body": "Lecture"})
    assert (refused["type"], refused["reason"]) == ("error", "read_only")

    await database_sync_to_async(moderation.member_remove)(
        actor=mod, room_id=room.pk, user_id=bob.pk, reason="Hors charte"
    )
    for client in (a, m):
        left = await client.recv_until(is_event("member.left"))
        assert left["data"]["user"]["id"] == bob.pk
        assert left["data"]["removed_by"]["id"] == mod.pk
    await b.recv_until(lambda f: f.get("type") == "unsubscribed" and f["room"] == room.pk)
    await database_sync_to_async(moderation.room_policy_set)(
        actor=mod, room_id=room.pk, posting="all"
    )
    await a.recv_until(is_event("room.updated"))
    await b.assert_silent()
    await o.assert_silent()


async def test_pin_and_hide_frames_reach_members_only(connect, alice, bob, mod, outsider):
    room = await setup_room(alice, bob, mod)
    message = await send(bob, room, "À épingler")
    a, b, m, o = (
        await connect(alice),
        await connect(bob),
        await connect(mod),
        await connect(outsider),
    )
    refused = await b.request({"type": "message.pin", "message": message.pk})
    assert refused["type"] == "error" and refused["code"] == "forbidden"
    refused = await o.request({"type": "message.pin", "message": message.pk})
    assert refused["code"] == "not_found"
    ack = await m.request({"type": "message.pin", "message": message.pk})
    assert ack == {"type": "ack", "ref": ack["ref"], "message": message.pk, "changed": True}
    for client in (a, b, m):
        frame = await client.recv_until(is_event("message.pinned"))
        assert frame["data"]["message"] == message.pk
    ack = await m.request({"type": "message.hide", "message": message.pk, "reason": "Charte"})
    assert ack["type"] == "ack"
    entry = await database_sync_to_async(
        lambda: AuditEntry.objects.get(action="message.hidden", actor=mod)
    )()
    assert entry.reason == "Charte" and entry.room_id == room.pk
    for client in (a, b):
        frame = await client.recv_until(is_event("message.deleted"))
        assert frame["data"]["deleted_by"]["id"] == mod.pk
    await o.assert_silent()


async def test_a_report_reaches_moderators_and_its_outcome_the_reporter(
    connect, alice, bob, mod, outsider, make_agent, org
):
    room = await setup_room(alice, bob, mod)
    author = await database_sync_to_async(make_agent)(org, name="Auteur")
    await database_sync_to_async(rooms.room_invite)(actor=alice, room_id=room.pk, user_id=author.pk)
    await database_sync_to_async(rooms.room_join)(actor=author, room_id=room.pk)
    message = await send(author, room, "Propos blessants")
    a, b, m = await connect(alice), await connect(bob), await connect(mod)
    w, o = await connect(author), await connect(outsider)
    ack = await b.request({"type": "message.report", "message": message.pk, "reason": "Insulte"})
    assert ack["type"] == "ack"
    for moderator in (a, m):
        frame = await moderator.recv_until(is_type("report.created"))
        assert frame["report"]["message"] == message.pk
        assert frame["report"]["reporter"]["id"] == bob.pk
    report_id = ack["report"]
    await database_sync_to_async(reports.report_handle)(
        actor=mod, report_id=report_id, status="resolved", note="Message masqué"
    )
    closed = await b.recv_until(is_type("report.closed"))
    assert closed["report"]["status"] == "resolved" and closed["report"]["note"] == "Message masqué"
    await m.recv_until(is_type("report.updated"))
    not_for_them = lambda f: f.get("type", "").startswith("report")  # noqa: E731
    for client in (w, o):
        await client.assert_silent(allow=lambda f: not not_for_them(f))
    await o.assert_silent()


async def test_a_move_over_the_socket_reaches_each_room_with_what_it_may_read(
    connect, alice, bob, mod, outsider, make_agent, org, themes
):
    accueil = await setup_room(alice, bob, mod, kind="thematic", access="open", theme="finances")
    private = await database_sync_to_async(
        lambda: rooms.room_create(actor=alice, name="Privé", kind="private", access="invite").room
    )()
    carole = await database_sync_to_async(make_agent)(org, name="Carole")
    await database_sync_to_async(rooms.room_invite)(
        actor=alice, room_id=private.pk, user_id=carole.pk
    )
    await database_sync_to_async(rooms.room_join)(actor=carole, room_id=private.pk)
    message = await send(bob, accueil, "Question sensible")
    a, b, c, o = (
        await connect(alice),
        await connect(bob),
        await connect(carole),
        await connect(outsider),
    )
    ack = await a.request(
        {"type": "message.move", "message": message.pk, "room": private.pk, "reason": "Sensible"}
    )
    assert ack["type"] == "ack" and ack["messages"] == [message.pk]
    moved = await b.recv_until(is_event("message.moved"))
    assert moved["room"] == accueil.pk and moved["data"]["to_room"] is None
    notice = await b.recv_until(is_type("message.moved"))
    assert notice["to_room"] is None and notice["reason"] == "Sensible"
    created = await c.recv_until(is_event("message.created"))
    assert created["room"] == private.pk and created["data"]["body"] == "Question sensible"
    await b.assert_silent()
    await o.assert_silent()


def test_socket_actions_are_audited_with_the_peer_address(settings):
    from realtime.consumers import _client_ip

    scope = {"client": ("192.0.2.7", 51000), "headers": [(b"x-forwarded-for", b"203.0.113.5")]}
    settings.PREAU_TRUST_X_FORWARDED_FOR = False
    assert _client_ip(scope) == "192.0.2.7"
    settings.PREAU_TRUST_X_FORWARDED_FOR = True
    assert _client_ip(scope) == "203.0.113.5"
    assert _client_ip({"headers": []}) is None
