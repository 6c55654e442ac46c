"""Reads stay a fixed number of queries whatever the size of the page (no query in a loop)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from backend.messaging import services as messaging
from backend.rooms import selectors
from backend.rooms import services as rooms

pytestmark = pytest.mark.django_db


def _queries(call) -> int:  # type: ignore[no-untyped-def]
    with CaptureQueriesContext(connection) as captured:
        call()
    return len(captured)


def _grow(alice, make_agent, org, themes, territories, n: int) -> None:  # type: ignore[no-untyped-def]
    for i in range(n):
        room = rooms.room_create(
            actor=alice, name=f"Salon {i}", kind="geographic", access="open", territory="69"
        ).room
        member = make_agent(org)
        rooms.room_join(actor=member, room_id=room.pk)
        rooms.room_invite(actor=alice, room_id=room.pk, user_id=make_agent(org).pk)
        messaging.message_send(actor=alice, room_id=room.pk, body="Bonjour")


def test_the_directory_costs_the_same_for_3_or_12_rooms(
    alice, bob, make_agent, org, themes, territories
):
    _grow(alice, make_agent, org, themes, territories, 3)
    small = _queries(lambda: selectors.room_list_for(user=bob))
    _grow(alice, make_agent, org, themes, territories, 9)

    assert len(selectors.room_list_for(user=bob)) == 12
    assert _queries(lambda: selectors.room_list_for(user=bob)) == small


def test_members_and_events_cost_the_same_for_few_or_many(alice, make_agent, org, themes):
    room = rooms.room_create(
        actor=alice, name="Salon", kind="thematic", access="open", theme="rh"
    ).room
    rooms.room_join(actor=make_agent(org), room_id=room.pk)
    members_small = _queries(lambda: selectors.member_list_for(user=alice, room_id=room.pk))
    events_small = _queries(lambda: selectors.event_page_for(user=alice, room_id=room.pk))
    for _ in range(10):
        member = make_agent(org)
        rooms.room_join(actor=member, room_id=room.pk)
        messaging.message_send(actor=member, room_id=room.pk, body="Bonjour")

    assert _queries(lambda: selectors.member_list_for(user=alice, room_id=room.pk)) == members_small
    assert _queries(lambda: selectors.event_page_for(user=alice, room_id=room.pk)) == events_small
