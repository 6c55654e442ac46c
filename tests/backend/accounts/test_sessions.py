"""Sessions: idle timeout, absolute lifetime, the list of one's sessions, ending them."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
import time_machine
from django.test import Client, override_settings
from django.utils import timezone

from backend.accounts.models import UserSession
from backend.audit.models import AuditEntry
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def logged_in(user, agent: str = "Firefox") -> Client:  # type: ignore[no-untyped-def]
    client = Client(HTTP_USER_AGENT=agent, enforce_csrf_checks=True)
    response = client.post(
        "/api/v1/session",
        data=json.dumps({"email": user.email, "password": PASSWORD}),
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    return client


def post(client: Client, path: str, body: dict | None = None):  # type: ignore[no-untyped-def]
    client.get("/api/v1/me")  # sets the CSRF cookie
    token = client.cookies["csrftoken"].value if "csrftoken" in client.cookies else ""
    return client.post(
        "/api/v1" + path,
        data=json.dumps(body or {}),
        content_type="application/json",
        headers={"X-CSRFToken": token},
    )


def test_my_sessions_are_listed_without_their_keys(alice, bob):
    laptop = logged_in(alice, "Firefox")
    logged_in(alice, "Chromium")
    logged_in(bob)

    response = laptop.get("/api/v1/sessions")

    assert response.status_code == 200
    rows = response.json()
    assert sorted(r["user_agent"] for r in rows) == ["Chromium", "Firefox"]
    assert [r["current"] for r in rows if r["user_agent"] == "Firefox"] == [True]
    keys = set(UserSession.objects.values_list("session_key", flat=True))
    assert not any(key in response.content.decode() for key in keys)


def test_logout_everywhere_ends_every_session_but_not_tokens(
    alice, api_for, published, django_capture_on_commit_callbacks
):
    laptop = logged_in(alice)
    phone = logged_in(alice)
    bearer = api_for(alice)

    with django_capture_on_commit_callbacks(execute=True):
        response = post(laptop, "/sessions/logout-all")

    assert response.status_code == 200, response.content
    assert response.json() == {"ended": 2}
    assert laptop.get("/api/v1/me").status_code == 401
    assert phone.get("/api/v1/me").status_code == 401
    assert bearer.get("/me").status_code == 200
    assert not UserSession.objects.filter(user=alice).exists()
    assert [p for _, p in published] == [{"control": "session_ended", "session": None}]
    assert AuditEntry.objects.filter(action="sessions.logout_all", actor=alice).exists()


def test_a_password_change_keeps_this_session_and_ends_the_others(
    alice, published, django_capture_on_commit_callbacks
):
    laptop = logged_in(alice)
    phone = logged_in(alice)
    new = "une-nouvelle-phrase-de-passe-9"

    with django_capture_on_commit_callbacks(execute=True):
        response = post(laptop, "/me/password", {"old_password": PASSWORD, "new_password": new})

    assert response.status_code == 200, response.content
    assert laptop.get("/api/v1/me").status_code == 200
    assert phone.get("/api/v1/me").status_code == 401
    assert UserSession.objects.filter(user=alice).count() == 1
    ended = [p for _, p in published if p.get("control") == "session_ended"]
    assert len(ended) == 1 and ended[0]["session"] is not None


def test_a_password_change_with_a_wrong_old_password_changes_nothing(alice, api_for):
    before = alice.password

    response = api_for(alice).post(
        "/me/password", {"old_password": "nope-nope-nope", "new_password": "x" * 20}
    )

    assert (response.status_code, response.json_body["reason"]) == (400, "wrong_password")
    alice.refresh_from_db()
    assert alice.password == before


@override_settings(PREAU_SESSION_IDLE_SECONDS=3600)
def test_an_idle_session_ends(alice):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        client = logged_in(alice)
        clock.shift(timedelta(minutes=50))
        assert client.get("/api/v1/me").status_code == 200  # activity refreshes it
        clock.shift(timedelta(minutes=50))
        assert client.get("/api/v1/me").status_code == 200
        clock.shift(timedelta(minutes=61))

        assert client.get("/api/v1/me").status_code == 401
        assert not UserSession.objects.filter(user=alice).exists()


@override_settings(PREAU_SESSION_IDLE_SECONDS=3600, PREAU_SESSION_MAX_AGE=3 * 3600)
def test_an_active_session_ends_at_its_absolute_lifetime(alice):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        client = logged_in(alice)
        for _ in range(5):
            clock.shift(timedelta(minutes=30))
            assert client.get("/api/v1/me").status_code == 200
        clock.shift(timedelta(minutes=31))

        assert client.get("/api/v1/me").status_code == 401


@override_settings(PREAU_SESSION_IDLE_SECONDS=3600)
def test_the_socket_handshake_refuses_an_idle_session(alice):
    from backend.accounts.services import user_for_session

    with time_machine.travel(timezone.now(), tick=False) as clock:
        client = logged_in(alice)
        key = client.cookies["sessionid"].value
        assert user_for_session(key) == alice
        clock.shift(timedelta(minutes=61))

        assert user_for_session(key) is None
