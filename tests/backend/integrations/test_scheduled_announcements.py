"""Scheduled announcements: sent once when due (frozen clock), cancellable before."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command

from backend.integrations import announcements
from backend.integrations.models import Announcement
from backend.messaging.models import Message
from tests.backend.integrations.test_announcements import geo, places, staff  # noqa: F401

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)
DEPT_69 = {"territory": "69", "territory_level": "departement"}


def schedule(api, when, **extra):
    return api.post(
        "/announcements",
        {"body": "Coupure d'eau demain", **DEPT_69, "send_at": when, **extra},
    )


def test_a_scheduled_announcement_is_sent_once_when_due(api_for, staff, geo):  # noqa: F811
    with time_machine.travel(NOW, tick=False):
        response = schedule(api_for(staff), "2026-11-24T18:00:00+01:00")
        assert response.status_code == 201, response.json_body
        body = response.json_body
        assert (body["status"], body["send_at"]) == ("scheduled", "2026-11-24T17:00:00Z")
        assert sorted(body["rooms"]) == sorted([geo["villeurbanne"].pk, geo["lyon"].pk])
        assert not Message.objects.filter(body="Coupure d'eau demain").exists()
        assert announcements.announcements_send_due() == 0

    with time_machine.travel(NOW + timedelta(hours=8, minutes=59), tick=False):
        assert announcements.announcements_send_due() == 0
    with time_machine.travel(NOW + timedelta(hours=9), tick=False):
        assert announcements.announcements_send_due() == 1
        assert announcements.announcements_send_due() == 0
        detail = api_for(staff).get(f"/announcements/{body['id']}").json_body
        pinned = api_for(staff).get(f"/rooms/{geo['lyon'].pk}/announcements").json_body

    got = Message.objects.filter(body="Coupure d'eau demain").values_list("room_id", flat=True)
    assert sorted(got) == sorted([geo["villeurbanne"].pk, geo["lyon"].pk])
    assert (detail["status"], detail["sent_at"]) == ("sent", "2026-11-24T17:00:00Z")
    assert detail["pinned_until"] == "2026-12-01T17:00:00Z"
    assert [p["id"] for p in pinned] == [body["id"]]


def test_the_cron_command_sends_due_announcements(api_for, staff, geo):  # noqa: F811
    with time_machine.travel(NOW, tick=False):
        sent = schedule(api_for(staff), "2026-11-24T09:00:00Z").json_body
    with time_machine.travel(NOW + timedelta(hours=2), tick=False):
        out = StringIO()
        call_command("announcements", "send-due", stdout=out)
        call_command("announcements", "send-due", stdout=out)

    assert Message.objects.filter(body="Coupure d'eau demain").count() == 2
    assert Announcement.objects.get(pk=sent["id"]).status == "sent"
    assert "1 annonce" in out.getvalue() and "0 annonce" in out.getvalue()


def test_a_cancelled_announcement_is_never_sent(api_for, staff, geo, bob):  # noqa: F811
    with time_machine.travel(NOW, tick=False):
        sent = schedule(api_for(staff), "2026-11-24T09:00:00Z").json_body
        assert api_for(bob).post(f"/announcements/{sent['id']}/cancel").status_code == 404
        cancelled = api_for(staff).post(f"/announcements/{sent['id']}/cancel")
        assert (cancelled.status_code, cancelled.json_body["status"]) == (200, "cancelled")
        again = api_for(staff).post(f"/announcements/{sent['id']}/cancel")
        assert (again.status_code, again.json_body["reason"]) == (409, "not_scheduled")
    with time_machine.travel(NOW + timedelta(days=1), tick=False):
        assert announcements.announcements_send_due() == 0

    assert not Message.objects.filter(body="Coupure d'eau demain").exists()


def test_an_announcement_already_sent_cannot_be_cancelled(api_for, staff, geo):  # noqa: F811
    sent = api_for(staff).post("/announcements", {"body": "Tout de suite", **DEPT_69}).json_body
    assert sent["status"] == "sent"

    response = api_for(staff).post(f"/announcements/{sent['id']}/cancel")

    assert (response.status_code, response.json_body["reason"]) == (409, "not_scheduled")


@pytest.mark.parametrize(
    ("when", "reason"),
    [
        ("2026-11-24T07:59:00Z", "send_at_past"),
        ("2026-11-24T10:00:00", "naive_send_at"),
        ("demain matin", "bad_send_at"),
        ("2028-01-01T00:00:00Z", "send_at_too_far"),
    ],
)
def test_a_bad_send_time_is_refused_and_nothing_is_scheduled(api_for, staff, geo, when, reason):  # noqa: F811
    with time_machine.travel(NOW, tick=False):
        response = schedule(api_for(staff), when)

    assert (response.status_code, response.json_body["reason"]) == (400, reason)
    assert not Announcement.objects.exists()


def test_an_author_who_lost_the_right_meanwhile_gets_a_failed_announcement(
    api_for, alice, bob, make_room
):
    room = make_room(alice, name="Astreinte")
    with time_machine.travel(NOW, tick=False):
        sent = api_for(alice).post(
            "/announcements",
            {"body": "Plus tard", "rooms": [room.pk], "send_at": "2026-11-24T09:00:00Z"},
        )
        assert sent.status_code == 201, sent.json_body
    alice.is_active = False
    alice.save(update_fields=["is_active"])
    with time_machine.travel(NOW + timedelta(hours=1), tick=False):
        assert announcements.announcements_send_due() == 1

    found = Announcement.objects.get()
    assert found.status == "failed" and found.failure
    assert not Message.objects.filter(body="Plus tard").exists()


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_senders_send_it_exactly_once(api_for, staff, geo):  # noqa: F811
    with time_machine.travel(NOW, tick=False):
        schedule(api_for(staff), "2026-11-24T09:00:00Z")
    due = NOW + timedelta(hours=1)
    barrier = threading.Barrier(2)
    results = []

    def sender():
        from django.db import connection

        barrier.wait()
        try:
            results.append(announcements.announcements_send_due(now=due))
        finally:
            connection.close()

    threads = [threading.Thread(target=sender) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)

    assert sorted(results) == [0, 1]
    assert Message.objects.filter(body="Coupure d'eau demain").count() == 2
