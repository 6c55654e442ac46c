"""Reports reach the room's moderators and staff; the reporter learns the outcome."""

from __future__ import annotations

import pytest

from backend.audit.models import AuditEntry
from backend.moderation import reports
from backend.moderation.models import Report
from tests.backend.conftest import send

pytestmark = pytest.mark.django_db


def _user_frames(published, user) -> list[dict]:
    return [
        payload["frame"]
        for channel, payload in published
        if channel.endswith(f":user:{user.pk}") and payload.get("control") == "frame"
    ]


def test_a_report_reaches_moderators_and_staff_only(
    cast, api_for, published, django_capture_on_commit_callbacks
):
    message = send(cast.target, cast.room, "Propos blessants")
    published.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = api_for(cast.member).post(
            f"/messages/{message.pk}/report", {"reason": "Insulte envers un collègue"}
        )
    assert response.status_code == 201
    body = response.json_body
    assert body["status"] == "open" and body["reporter"] is None  # the reporter's own view
    for moderator in (cast.owner, cast.moderator, cast.staff):
        (frame,) = [f for f in _user_frames(published, moderator) if f["type"] == "report.created"]
        assert frame["report"]["reporter"]["id"] == cast.member.pk
        assert frame["report"]["excerpt"] == "Propos blessants"
    for other in (cast.member, cast.target, cast.outsider):
        assert not [f for f in _user_frames(published, other) if f["type"].startswith("report")]
    entry = AuditEntry.objects.get(action="report.created")
    assert entry.actor == cast.member and entry.target == f"message:{message.pk}"


def test_the_queue_lists_reports_of_moderated_rooms_only(cast, api_for):
    message = send(cast.target, cast.room, "Spam")
    reports.report_create(actor=cast.member, message_id=message.pk, reason="Publicité")
    for user in (cast.owner, cast.moderator, cast.staff):
        queue = api_for(user).get("/reports").json_body
        assert [r["message"] for r in queue] == [message.pk]
        room_queue = api_for(user).get(f"/reports?room={cast.room.pk}").json_body
        assert len(room_queue) == 1
    assert api_for(cast.member).get("/reports").json_body == []
    assert api_for(cast.member).get(f"/reports?room={cast.room.pk}").status_code == 403
    assert api_for(cast.outsider).get(f"/reports?room={cast.room.pk}").status_code == 404


@pytest.mark.parametrize("status", ["resolved", "dismissed"])
def test_handling_a_report_tells_the_reporter(
    cast, api_for, published, status, django_capture_on_commit_callbacks
):
    message = send(cast.target, cast.room, "Spam")
    report = reports.report_create(actor=cast.member, message_id=message.pk, reason="Pub")
    published.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = api_for(cast.moderator).post(
            f"/reports/{report.pk}/handle", {"status": status, "note": "Merci du signalement"}
        )
    assert response.status_code == 200 and response.json_body["status"] == status
    (frame,) = _user_frames(published, cast.member)
    assert frame["type"] == "report.closed"
    assert frame["report"]["status"] == status and frame["report"]["note"] == "Merci du signalement"
    assert "reporter" not in frame["report"]
    assert not _user_frames(published, cast.outsider)
    mine = api_for(cast.member).get("/reports/mine").json_body
    assert mine[0]["status"] == status and mine[0]["note"] == "Merci du signalement"
    assert AuditEntry.objects.filter(action=f"report.{status}", actor=cast.moderator).exists()
    again = api_for(cast.moderator).post(f"/reports/{report.pk}/handle", {"status": "dismissed"})
    assert again.status_code == 409


@pytest.mark.parametrize(
    ("role", "status"),
    [("member", 403), ("outsider", 404), ("target", 403), ("staff", 200), ("owner", 200)],
)
def test_only_moderators_handle_reports(cast, api_for, role, status):
    message = send(cast.target, cast.room, "Spam")
    report = reports.report_create(actor=cast.member, message_id=message.pk, reason="Pub")
    response = api_for(cast.by_role(role)).post(
        f"/reports/{report.pk}/handle", {"status": "resolved"}
    )
    assert response.status_code == status
    if status != 200:
        assert Report.objects.get().status == "open"


def test_reporting_needs_a_reason_membership_and_no_duplicate(cast, api_for):
    message = send(cast.target, cast.room, "Spam")
    api = api_for(cast.member)
    assert api.post(f"/messages/{message.pk}/report", {}).status_code == 400
    assert api.post(f"/messages/{message.pk}/report", {"reason": "  "}).status_code == 400
    assert (
        api_for(cast.outsider)
        .post(f"/messages/{message.pk}/report", {"reason": "Spam"})
        .status_code
        == 404
    )
    assert (
        api_for(cast.target)
        .post(f"/messages/{message.pk}/report", {"reason": "Spam"})
        .json_body["reason"]
        == "own"
    )
    assert api.post(f"/messages/{message.pk}/report", {"reason": "Spam"}).status_code == 201
    again = api.post(f"/messages/{message.pk}/report", {"reason": "Spam"})
    assert again.status_code == 409 and Report.objects.count() == 1


def test_reports_are_rate_limited(cast, api_for):
    api = api_for(cast.member)
    for n in range(reports.REPORTS_PER_HOUR):
        message = send(cast.target, cast.room, f"Message {n}")
        assert api.post(f"/messages/{message.pk}/report", {"reason": "Spam"}).status_code == 201
    message = send(cast.target, cast.room, "Encore")
    response = api.post(f"/messages/{message.pk}/report", {"reason": "Spam"})
    assert response.status_code == 429 and "Retry-After" in response


def test_report_detail_is_for_the_reporter_and_moderators(cast, api_for):
    message = send(cast.target, cast.room, "Spam")
    report = reports.report_create(actor=cast.member, message_id=message.pk, reason="Pub")
    assert api_for(cast.member).get(f"/reports/{report.pk}").json_body["reporter"] is None
    assert api_for(cast.moderator).get(f"/reports/{report.pk}").json_body["reporter"]["id"] == (
        cast.member.pk
    )
    assert api_for(cast.target).get(f"/reports/{report.pk}").status_code == 404
    assert api_for(cast.outsider).get(f"/reports/{report.pk}").status_code == 404


def test_new_members_first_messages_are_marked_for_moderators_only(
    cast, api_for, published, settings, django_capture_on_commit_callbacks
):
    settings.PREAU = {**settings.PREAU, "NEWCOMER_MESSAGES": 2}
    published.clear()
    with django_capture_on_commit_callbacks(execute=True):
        first = send(cast.target, cast.room, "Bonjour à tous")
        second = send(cast.target, cast.room, "Je suis nouveau")
        third = send(cast.target, cast.room, "Troisième")
    marks = [
        f for f in _user_frames(published, cast.moderator) if f["type"] == "moderation.newcomer"
    ]
    assert [f["message"] for f in marks] == [first.pk, second.pk]
    for other in (cast.member, cast.target, cast.outsider):
        assert not [f for f in _user_frames(published, other) if f["type"] == "moderation.newcomer"]
    # Room events carry no mark: everyone receives them.
    state = api_for(cast.moderator).get(f"/rooms/{cast.room.pk}/moderation").json_body
    assert first.pk in state["newcomer_messages"] and second.pk in state["newcomer_messages"]
    assert third.pk not in state["newcomer_messages"]
    assert api_for(cast.member).get(f"/rooms/{cast.room.pk}/moderation").status_code == 403
    assert api_for(cast.outsider).get(f"/rooms/{cast.room.pk}/moderation").status_code == 404
