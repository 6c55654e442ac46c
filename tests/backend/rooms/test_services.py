"""Room services: the events each one appends (count, schema) and whom they are published to."""

from __future__ import annotations

from typing import Any

import pytest

from backend.rooms import events, services
from backend.rooms.eventlog import room_lock
from backend.rooms.models import RoomEvent
from realtime.groups import room_channel, user_channel
from tests.backend.schema import check_payload

pytestmark = pytest.mark.django_db


def _events(room) -> list[RoomEvent]:
    return list(RoomEvent.objects.filter(room=room).order_by("seq"))


def _check_schema(schema: type, data: dict[str, Any]) -> None:
    check_payload(schema, data)


def test_room_create_appends_exactly_one_member_joined(
    alice, published, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        room = services.room_create(
            actor=alice, name="Cellule", kind="private", access="invite"
        ).room

    [event] = _events(room)
    assert (event.seq, event.kind) == (1, "member.joined")
    _check_schema(events.MemberJoined, event.data)
    assert event.data == {"user": {"id": alice.pk, "name": "Alice Martin"}, "role": "owner"}
    room.refresh_from_db()
    assert room.last_seq == 1
    assert published == [
        (room_channel(room.pk), event.as_frame()),
        (user_channel(alice.pk), {"control": "membership", "room": room.pk, "joined": True}),
    ]


def test_nothing_is_published_before_commit(alice, published, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.room_create(actor=alice, name="Cellule", kind="private", access="invite")

    assert published == []
    assert len(callbacks) == 2


def test_room_join_appends_one_member_joined_and_a_second_join_none(
    make_room, alice, bob, themes, published, django_capture_on_commit_callbacks
):
    room = make_room(alice, kind="thematic", access="open", theme="rh")

    with django_capture_on_commit_callbacks(execute=True):
        services.room_join(actor=bob, room_id=room.pk)
        services.room_join(actor=bob, room_id=room.pk)

    joined = _events(room)[1:]
    assert [(e.seq, e.kind) for e in joined] == [(2, "member.joined")]
    _check_schema(events.MemberJoined, joined[0].data)
    assert joined[0].data["user"]["id"] == bob.pk
    assert joined[0].data["role"] == "member"
    assert [channel for channel, _ in published] == [room_channel(room.pk), user_channel(bob.pk)]


def test_room_leave_appends_one_member_left(
    make_room, alice, bob, themes, published, django_capture_on_commit_callbacks
):
    room = make_room(alice, kind="thematic", access="open", theme="rh")
    services.room_join(actor=bob, room_id=room.pk)

    with django_capture_on_commit_callbacks(execute=True):
        services.room_leave(actor=bob, room_id=room.pk)

    last = _events(room)[2:]
    assert [(e.seq, e.kind) for e in last] == [(3, "member.left")]
    _check_schema(events.MemberLeft, last[0].data)
    assert last[0].data == {"user": {"id": bob.pk, "name": "Bob Durand"}, "removed_by": None}
    assert published[-1] == (
        user_channel(bob.pk),
        {"control": "membership", "room": room.pk, "joined": False},
    )


def test_the_owner_leaving_appends_role_changed_then_member_left(make_room, alice, bob, themes):
    room = make_room(alice, kind="thematic", access="open", theme="rh")
    services.room_join(actor=bob, room_id=room.pk)

    services.room_leave(actor=alice, room_id=room.pk)

    changed, left = _events(room)[2:]
    _check_schema(events.MemberRoleChanged, changed.data)
    _check_schema(events.MemberLeft, left.data)
    assert (changed.seq, changed.kind, changed.data) == (
        3,
        "member.role_changed",
        {"user": {"id": bob.pk, "name": "Bob Durand"}, "role": "owner"},
    )
    assert (left.seq, left.kind) == (4, "member.left")


def test_room_invite_appends_one_member_invited_and_tells_the_invitee(
    make_room, alice, bob, published, django_capture_on_commit_callbacks
):
    room = make_room(alice, name="Cellule de crise")

    with django_capture_on_commit_callbacks(execute=True):
        services.room_invite(actor=alice, room_id=room.pk, user_id=bob.pk)
        services.room_invite(actor=alice, room_id=room.pk, email=bob.email)

    invited = _events(room)[1:]
    assert [(e.seq, e.kind) for e in invited] == [(2, "member.invited")]
    _check_schema(events.MemberInvited, invited[0].data)
    assert invited[0].data == {
        "user": {"id": bob.pk, "name": "Bob Durand"},
        "by": {"id": alice.pk, "name": "Alice Martin"},
    }
    assert published == [
        (room_channel(room.pk), invited[0].as_frame()),
        (
            user_channel(bob.pk),
            {
                "control": "frame",
                "frame": {
                    "type": "invitation",
                    "room": {"id": room.pk, "name": "Cellule de crise", "kind": "private"},
                    "by": {"id": alice.pk, "name": "Alice Martin"},
                },
            },
        ),
    ]


def test_a_refused_service_call_appends_no_event(
    make_room, alice, outsider, themes, published, django_capture_on_commit_callbacks
):
    from backend.common.errors import Forbidden

    room = make_room(alice, kind="thematic", access="organisation", theme="rh")

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(Forbidden):
        services.room_join(actor=outsider, room_id=room.pk)

    assert len(_events(room)) == 1
    assert published == []


def test_room_lock_refuses_to_run_outside_a_transaction(make_room, alice, transactional_db):
    room = make_room(alice)

    with pytest.raises(RuntimeError):
        room_lock(room.pk)
