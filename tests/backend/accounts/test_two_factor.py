"""Two-factor authentication: enrolment, login with a code, the admin when staff must use it."""

from __future__ import annotations

import json
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pyotp
import pytest
import time_machine
from django.test import Client, override_settings
from django.utils import timezone

from backend.accounts import otp
from backend.accounts.models import User
from backend.audit.models import AuditEntry
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def login(user, code: str | None = None, client: Client | None = None):  # type: ignore[no-untyped-def]
    body = {"email": user.email, "password": PASSWORD}
    if code is not None:
        body["otp"] = code
    return (client or Client()).post(
        "/api/v1/session", data=json.dumps(body), content_type="application/json"
    )


def enrol(user) -> pyotp.TOTP:  # type: ignore[no-untyped-def]
    enrolment = otp.otp_enrol_start(user=user)
    totp = pyotp.TOTP(enrolment.secret)
    otp.otp_enrol_confirm(user=user, code=totp.now())
    return totp


def test_enrolment_gives_a_secret_and_takes_effect_once_a_code_is_confirmed(api_for, alice):
    api = api_for(alice)

    started = api.post("/me/2fa")

    assert started.status_code == 201
    uri = started.json_body["otpauth_uri"]
    assert uri.startswith("otpauth://totp/Pr%C3%A9au%3A")
    assert parse_qs(urlsplit(uri).query)["secret"][0].rstrip("=") == started.json_body["secret"]
    assert api.get("/me/2fa").json_body == {"enabled": False, "required": False}
    assert login(alice).status_code == 200  # not active before confirmation

    code = pyotp.TOTP(started.json_body["secret"]).now()
    confirmed = api.post("/me/2fa/confirm", {"code": code})

    assert confirmed.status_code == 200, confirmed.json_body
    assert confirmed.json_body == {"enabled": True, "required": False}
    assert AuditEntry.objects.filter(action="otp.enabled", actor=alice).exists()


def test_a_wrong_confirmation_code_enables_nothing(api_for, alice):
    api = api_for(alice)
    api.post("/me/2fa")

    response = api.post("/me/2fa/confirm", {"code": "000000"})

    assert (response.status_code, response.json_body["reason"]) == (400, "bad_otp")
    assert api.get("/me/2fa").json_body["enabled"] is False


def test_login_then_asks_for_the_code(alice):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        totp = enrol(alice)
        clock.shift(timedelta(seconds=31))  # a code is accepted once

        asked = login(alice)
        wrong = login(alice, "123456")
        clock.shift(timedelta(seconds=2))  # django-otp slows down guessing after a wrong code
        right = login(alice, totp.now())

    assert (asked.status_code, asked.json()["reason"]) == (401, "otp_required")
    assert (wrong.status_code, wrong.json()["reason"]) == (401, "bad_otp")
    assert right.status_code == 200


def test_a_wrong_password_is_refused_before_any_code_is_asked(alice):
    enrol(alice)

    response = Client().post(
        "/api/v1/session",
        data=json.dumps({"email": alice.email, "password": "not-the-password"}),
        content_type="application/json",
    )

    assert response.json()["reason"] == "bad_credentials"


def test_wrong_codes_count_as_failed_logins(alice):
    enrol(alice)
    for _ in range(5):
        login(alice, "000000")

    assert login(alice, "000000").status_code == 429


def test_disabling_needs_the_password(api_for, alice):
    enrol(alice)
    api = api_for(alice)

    refused = api.delete("/me/2fa", body={"password": "nope-nope-nope"})
    done = api.delete("/me/2fa", body={"password": PASSWORD})

    assert (refused.status_code, refused.json_body["reason"]) == (400, "wrong_password")
    assert done.status_code == 204
    assert login(alice).status_code == 200


@override_settings(PREAU_STAFF_2FA="required")
def test_staff_cannot_disable_a_required_second_factor(api_for, make_agent, org):
    staff = make_agent(org, staff=True)
    enrol(staff)

    response = api_for(staff).delete("/me/2fa", body={"password": PASSWORD})

    assert (response.status_code, response.json_body["reason"]) == (403, "otp_required_for_staff")
    assert api_for(staff).get("/me/2fa").json_body == {"enabled": True, "required": True}


def admin_login(client: Client, user: User, code: str = ""):  # type: ignore[no-untyped-def]
    return client.post(
        "/admin/login/?next=/admin/",
        {"username": user.email, "password": PASSWORD, "otp_token": code},
    )


@pytest.fixture
def superuser(db) -> User:  # type: ignore[no-untyped-def]
    return User.objects.create_superuser(
        email="admin@villeurbanne.test", password=PASSWORD, name="Admin"
    )


@override_settings(PREAU_STAFF_2FA="required")
def test_the_admin_refuses_staff_without_a_second_factor_when_required(superuser):
    client = Client()

    response = admin_login(client, superuser)

    assert response.status_code == 200  # the form again, with the error
    assert "obligatoire" in response.content.decode()
    assert client.get("/admin/").status_code == 302


@override_settings(PREAU_STAFF_2FA="required")
def test_the_admin_needs_the_code_of_an_enrolled_staff_member(superuser):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        totp = enrol(superuser)
        clock.shift(timedelta(seconds=31))
        client = Client()

        assert admin_login(client, superuser, "000000").status_code == 200
        assert client.get("/admin/").status_code == 302
        clock.shift(timedelta(seconds=2))
        assert admin_login(client, superuser, totp.now()).status_code == 302

        assert client.get("/admin/").status_code == 200


@override_settings(PREAU_STAFF_2FA="required")
def test_an_api_session_without_the_code_does_not_open_the_admin(superuser):
    client = Client()
    assert login(superuser, client=client).status_code == 200

    assert client.get("/admin/").status_code == 302


def test_the_admin_without_the_requirement_works_as_before(superuser):
    client = Client()

    assert admin_login(client, superuser).status_code == 302
    assert client.get("/admin/").status_code == 200
