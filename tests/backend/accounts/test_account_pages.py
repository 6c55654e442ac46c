"""What the account pages need from the API: profile edits, ending one session, the 2FA gate.

The gate: when the operator requires 2FA for staff, a staff member without a confirmed device
gets 403 ``two_factor_required`` everywhere but the few endpoints needed to enrol.
"""

from __future__ import annotations

import json
import re
from urllib.parse import unquote

import pyotp
import pytest
from django.core import mail
from django.test import Client, override_settings

from backend.accounts import otp
from backend.accounts.models import User, UserSession
from backend.audit.models import AuditEntry
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

REQUIRED = override_settings(PREAU_STAFF_2FA="required")


def browser(user: User) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="fr")
    response = client.post(
        "/api/v1/session",
        data=json.dumps({"email": user.email, "password": PASSWORD}),
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    client.get("/account/security/")  # a page view records the session (and sets the CSRF cookie)
    return client


def call(client: Client, method: str, path: str, body: dict | None = None):  # type: ignore[no-untyped-def]
    return client.generic(
        method,
        "/api/v1" + path,
        data=json.dumps(body) if body is not None else "",
        content_type="application/json",
        headers={"X-CSRFToken": client.cookies["csrftoken"].value},
    )


# --- profile ------------------------------------------------------------------------------


def test_an_agent_edits_their_name_and_job_title(api_for, alice):
    response = api_for(alice).patch("/me", {"name": "  Alice Martin-Roux ", "job_title": "DGS"})

    assert response.status_code == 200, response.json_body
    assert response.json_body["name"] == "Alice Martin-Roux"
    assert response.json_body["job_title"] == "DGS"
    assert response.json_body["organisation"]["id"] == alice.organisation_id
    alice.refresh_from_db()
    assert (alice.name, alice.job_title) == ("Alice Martin-Roux", "DGS")


def test_a_field_left_out_stays_as_it_was(api_for, alice):
    api_for(alice).patch("/me", {"job_title": "Secrétaire de mairie"})

    alice.refresh_from_db()
    assert alice.name == "Alice Martin"
    assert alice.job_title == "Secrétaire de mairie"


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"name": "   "}, 400, "name"),
        ({"name": "x" * 151}, 413, "name"),
        ({"job_title": "x" * 151}, 413, "job_title"),
        ({"name": 5}, 400, None),
        ({"email": "autre@testville.test"}, 400, None),
    ],
)
def test_a_bad_profile_edit_names_the_field_and_changes_nothing(
    api_for, alice, body, status, field
):
    before = (alice.name, alice.job_title, alice.email)

    response = api_for(alice).patch("/me", body)

    assert response.status_code == status, response.json_body
    assert response.json_body["message"]
    if field:
        assert response.json_body["field"] == field
    alice.refresh_from_db()
    assert (alice.name, alice.job_title, alice.email) == before


def test_the_profile_page_shows_the_organisation_and_needs_a_login(alice):
    assert Client().get("/account/profile/")["Location"].startswith("/login/?next=")

    page = browser(alice).get("/account/profile/")

    assert page.status_code == 200
    assert alice.organisation.name in page.content.decode()


# --- sessions -----------------------------------------------------------------------------


def test_an_agent_ends_one_of_their_other_sessions(alice):
    laptop, phone = browser(alice), browser(alice)
    sessions = call(laptop, "GET", "/sessions").json()
    other = next(s for s in sessions if not s["current"])

    response = call(laptop, "DELETE", f"/sessions/{other['id']}")

    assert response.status_code == 204
    assert phone.get("/api/v1/me").status_code == 401
    assert laptop.get("/api/v1/me").status_code == 200
    assert not UserSession.objects.filter(pk=other["id"]).exists()
    assert AuditEntry.objects.filter(action="session.revoked", actor=alice).exists()


def test_another_agents_session_is_not_found_and_stays_open(alice, bob):
    bobs = browser(bob)
    bobs_session = UserSession.objects.get(user=bob)

    response = call(browser(alice), "DELETE", f"/sessions/{bobs_session.pk}")

    assert response.status_code == 404
    assert bobs.get("/api/v1/me").status_code == 200


# --- two-factor: the QR code --------------------------------------------------------------


def test_the_enrolment_gives_a_qr_code_of_the_otpauth_uri_drawn_as_svg(api_for, alice):
    enrolment = api_for(alice).post("/me/2fa").json_body

    prefix = "data:image/svg+xml;charset=utf-8,"
    assert enrolment["qr_svg"].startswith(prefix)
    svg = unquote(enrolment["qr_svg"][len(prefix) :])
    assert svg.startswith("<svg") and "<path" in svg
    assert "http" not in svg.replace("http://www.w3.org/2000/svg", "")  # nothing fetched


# --- two-factor: the gate for staff -------------------------------------------------------


@pytest.fixture
def staff(make_agent, org) -> User:  # type: ignore[no-untyped-def]
    return make_agent(org, "Sam Équipe", staff=True)


def test_staff_without_2fa_is_refused_everywhere_but_enrolment_when_required(api_for, staff):
    api = api_for(staff)
    with REQUIRED:
        refused = [api.get("/rooms"), api.get("/sessions"), api.get("/me/export")]
        allowed = [api.get("/me"), api.get("/me/2fa")]

    for response in refused:
        assert response.status_code == 403
        assert response.json_body["code"] == "forbidden"
        assert response.json_body["reason"] == "two_factor_required"
        assert "double authentification" in response.json_body["message"]
    assert [r.status_code for r in allowed] == [200, 200]


def test_staff_enrols_through_the_gate_then_uses_the_api(staff):
    client = browser(staff)
    with REQUIRED:
        assert call(client, "GET", "/rooms").status_code == 403
        secret = call(client, "POST", "/me/2fa").json()["secret"]
        confirmed = call(client, "POST", "/me/2fa/confirm", {"code": pyotp.TOTP(secret).now()})
        after = call(client, "GET", "/rooms")

    assert confirmed.status_code == 200, confirmed.content
    assert after.status_code == 200, after.content


def test_the_gate_leaves_agents_and_optional_platforms_alone(api_for, alice, staff):
    with REQUIRED:
        assert api_for(alice).get("/rooms").status_code == 200
    assert api_for(staff).get("/rooms").status_code == 200  # PREAU_STAFF_2FA=optional


def test_the_main_screen_sends_staff_to_the_enrolment_page(staff):
    client = browser(staff)
    with REQUIRED:
        main = client.get("/")
        profile = client.get("/account/profile/")
        security = client.get("/account/security/")

    assert main.status_code == 302
    assert main["Location"] == "/account/security/#two-factor"
    assert profile["Location"] == "/account/security/#two-factor"
    assert security.status_code == 200
    assert 'id="must-enrol"' in security.content.decode()


def test_staff_logs_out_through_the_gate(staff):
    client = browser(staff)
    with REQUIRED:
        response = call(client, "DELETE", "/session")
    assert response.status_code == 204


def test_a_staff_member_with_a_device_is_not_gated(api_for, staff):
    enrolment = otp.otp_enrol_start(user=staff)
    otp.otp_enrol_confirm(user=staff, code=pyotp.TOTP(enrolment.secret).now())

    with REQUIRED:
        assert api_for(staff).get("/rooms").status_code == 200


# --- password reset: the emailed link and the page agree ----------------------------------


def test_the_reset_email_links_to_the_page_that_sets_the_new_password(alice):
    Client().post(
        "/api/v1/password-reset",
        data=json.dumps({"email": alice.email}),
        content_type="application/json",
    )
    link = re.search(r"https?://\S+(/reset/\S+)", mail.outbox[-1].body)
    assert link, mail.outbox[-1].body

    page = Client().get(link.group(1))

    assert page.status_code == 200
    assert page["Referrer-Policy"] == "no-referrer"
    body = page.content.decode()
    token = link.group(1).removeprefix("/reset/")
    assert f'data-token="{token}"' in body
    assert "12 caractères" in body  # the password rules are shown beside the field


def test_the_login_page_links_to_the_reset_page():
    body = Client().get("/login/").content.decode()
    assert 'href="/password-reset/"' in body
    assert Client().get("/password-reset/").status_code == 200
