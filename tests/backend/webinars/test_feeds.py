"""Secret calendar feed URLs: reachable without a session, digest-only, rotatable, never leaking."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from django.test import Client
from icalendar import Calendar

from backend.accounts.services import token_digest
from backend.rooms import services as rooms
from backend.webinars import services
from backend.webinars.models import FeedToken

from .conftest import make_webinar

pytestmark = pytest.mark.django_db


def _path(url: str) -> str:
    return urlsplit(url).path


def _summaries(response) -> list[str]:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/calendar")
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    calendar = Calendar.from_ical(response.content)
    return sorted(str(e["summary"]) for e in calendar.walk("VEVENT"))


def _issue(api_for, user) -> dict:  # type: ignore[no-untyped-def]
    response = api_for(user).post("/me/webinars/feed")
    assert response.status_code == 201, response.json_body
    return response.json_body


def test_the_feed_url_is_shown_once_and_only_its_digest_is_stored(api_for, bob):
    body = _issue(api_for, bob)

    secret = _path(body["url"]).removeprefix("/webinars/feed/").removesuffix(".ics")
    record = FeedToken.objects.get(user=bob)
    assert record.digest == token_digest(secret) and secret not in record.digest
    assert body["prefix"] == secret[:6] and body["exists"] is True
    status = api_for(bob).get("/me/webinars/feed").json_body
    assert status == {"exists": True, "prefix": secret[:6], "created_at": body["created_at"]}
    assert secret not in str(status)


def test_a_calendar_client_without_a_session_gets_the_users_webinars_only(
    api_for, alice, bob, webinar, webinar_room
):
    other = make_webinar(alice, webinar_room)
    other.title = "Pas inscrit"
    other.save()
    hosted_elsewhere = services.webinar_create(
        actor=bob, new_room={"access": "invite"}, title="Animé par Bob", **_times(webinar)
    ).webinar
    services.registration_set(actor=bob, webinar_id=webinar.pk, registered=True)
    url = _issue(api_for, bob)["url"]

    summaries = _summaries(Client().get(_path(url)))

    assert summaries == sorted([webinar.title, hosted_elsewhere.title])


def _times(webinar) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {"starts_at": webinar.starts_at.isoformat(), "ends_at": webinar.ends_at.isoformat()}


def test_the_room_feed_lists_the_rooms_webinars_for_a_reader_and_404s_otherwise(
    api_for, bob, outsider, webinar, webinar_room
):
    bob_url = _issue(api_for, bob)["room_url"].replace("{room_id}", str(webinar_room.pk))
    outsider_url = _issue(api_for, outsider)["room_url"].replace("{room_id}", str(webinar_room.pk))

    assert _summaries(Client().get(_path(bob_url))) == [webinar.title]
    refused = Client().get(_path(outsider_url))
    assert refused.status_code == 404
    assert webinar.title.encode() not in refused.content
    assert webinar_room.name.encode() not in refused.content


def test_a_member_who_leaves_the_room_loses_it_from_the_feed(api_for, bob, webinar, webinar_room):
    services.registration_set(actor=bob, webinar_id=webinar.pk, registered=True)
    url = _issue(api_for, bob)["url"]
    assert _summaries(Client().get(_path(url))) == [webinar.title]

    rooms.room_leave(actor=bob, room_id=webinar_room.pk)

    assert _summaries(Client().get(_path(url))) == []


def test_rotating_invalidates_the_old_url_at_once(api_for, bob, webinar):
    services.registration_set(actor=bob, webinar_id=webinar.pk, registered=True)
    old = _issue(api_for, bob)["url"]
    new = _issue(api_for, bob)["url"]

    assert old != new
    assert Client().get(_path(old)).status_code == 404
    assert _summaries(Client().get(_path(new))) == [webinar.title]
    assert FeedToken.objects.filter(user=bob).count() == 1


def test_a_revoked_or_unknown_secret_is_a_bare_404(api_for, bob, webinar):
    url = _issue(api_for, bob)["url"]
    assert api_for(bob).delete("/me/webinars/feed").json_body["exists"] is False

    for path in (
        _path(url),
        "/webinars/feed/inconnu.ics",
        "/webinars/feed/" + "x" * 300 + ".ics",
        "/webinars/feed/inconnu/rooms/1.ics",
    ):
        response = Client().get(path)
        assert response.status_code == 404, path
        assert b"VCALENDAR" not in response.content and b"Bob" not in response.content


def test_a_deactivated_agents_feed_stops(api_for, bob, webinar):
    services.registration_set(actor=bob, webinar_id=webinar.pk, registered=True)
    url = _issue(api_for, bob)["url"]
    bob.is_active = False
    bob.save()

    assert Client().get(_path(url)).status_code == 404


def test_the_feed_is_read_only(api_for, bob):
    url = _issue(api_for, bob)["url"]

    assert Client().post(_path(url)).status_code == 405
    assert FeedToken.objects.filter(user=bob).exists()
