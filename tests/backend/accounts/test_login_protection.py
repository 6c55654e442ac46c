"""Failed logins are limited per address and per IP; answers never reveal whether an account exists."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth.hashers import make_password
from django.core import mail
from django.test import Client, override_settings

from backend.accounts import passwords
from backend.accounts.models import User
from backend.audit.models import AuditEntry
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def login(email: str, password: str, ip: str = "192.0.2.1"):  # type: ignore[no-untyped-def]
    return Client(REMOTE_ADDR=ip).post(
        "/api/v1/session",
        data=json.dumps({"email": email, "password": password}),
        content_type="application/json",
    )


def test_the_sixth_failed_login_for_an_account_is_rate_limited_and_audited(alice):
    for _ in range(5):
        assert login(alice.email, "not-the-password").status_code == 401

    response = login(alice.email, PASSWORD)

    assert response.status_code == 429
    body = response.json()
    assert (body["code"], body["reason"]) == ("rate_limited", "too_many_failures")
    assert "Trop de tentatives" in body["message"]
    entry = AuditEntry.objects.get(action="login.throttled")
    assert (entry.ip, entry.reason) == ("192.0.2.1", "account")
    assert PASSWORD not in str(entry.__dict__)


def test_another_account_from_another_ip_is_unaffected(alice, bob):
    for _ in range(6):
        login(alice.email, "not-the-password", ip="192.0.2.1")

    assert login(bob.email, PASSWORD, ip="198.51.100.7").status_code == 200


@override_settings(PREAU_LOGIN_MAX_FAILURES_PER_IP=8)
def test_many_failures_from_one_ip_limit_that_ip_only(make_agent, org, alice):
    for n in range(8):
        login(f"someone{n}@villeurbanne.test", "not-the-password", ip="203.0.113.9")

    assert login(alice.email, PASSWORD, ip="203.0.113.9").status_code == 429
    assert login(alice.email, PASSWORD, ip="192.0.2.44").status_code == 200


def test_a_success_clears_the_accounts_failures(alice):
    for _ in range(4):
        login(alice.email, "not-the-password")
    assert login(alice.email, PASSWORD).status_code == 200
    for _ in range(4):
        login(alice.email, "not-the-password")

    assert login(alice.email, PASSWORD).status_code == 200


def test_an_unknown_address_and_a_wrong_password_get_the_same_answer(alice):
    unknown = login("personne@villeurbanne.test", "not-the-password")
    wrong = login(alice.email, "not-the-password")

    assert (unknown.status_code, unknown.json()) == (wrong.status_code, wrong.json())


def test_an_unknown_address_is_throttled_like_a_known_one(db):
    for _ in range(5):
        login("personne@villeurbanne.test", "not-the-password")

    assert login("personne@villeurbanne.test", "x").status_code == 429


def test_signup_answers_the_same_for_an_existing_and_a_new_address(api_for, alice):
    body = {"password": "une-phrase-de-passe-solide-42", "name": "X"}
    existing = api_for(None).post("/signup", {**body, "email": alice.email})
    new = api_for(None).post("/signup", {**body, "email": "nouveau@villeurbanne.test"})

    assert (existing.status_code, existing.json_body) == (new.status_code, new.json_body)


def test_password_reset_answers_the_same_for_an_existing_and_an_unknown_address(api_for, alice):
    existing = api_for(None).post("/password-reset", {"email": alice.email})
    unknown = api_for(None).post("/password-reset", {"email": "personne@villeurbanne.test"})

    assert existing.status_code == 202
    assert (existing.status_code, existing.json_body) == (unknown.status_code, unknown.json_body)
    assert [m.to for m in mail.outbox] == [[alice.email]]


def test_reset_emails_are_capped_per_hour_without_changing_the_answer(api_for, alice):
    answers = [api_for(None).post("/password-reset", {"email": alice.email}) for _ in range(5)]

    assert {(r.status_code, r.json_body["status"]) for r in answers} == {(202, "reset_sent")}
    assert len(mail.outbox) == 3


def test_the_reset_link_sets_a_new_password_once(api_for, alice):
    token = passwords.password_reset_token(alice)
    new = "une-autre-phrase-de-passe-7"

    first = api_for(None).post("/password-reset/confirm", {"token": token, "password": new})
    again = api_for(None).post("/password-reset/confirm", {"token": token, "password": new + "x"})

    assert first.status_code == 200, first.json_body
    assert (again.status_code, again.json_body["reason"]) == (400, "bad_token")
    assert login(alice.email, new).status_code == 200
    assert AuditEntry.objects.filter(action="password.reset", actor=alice).exists()


def test_a_reset_refuses_a_weak_password(api_for, alice):
    token = passwords.password_reset_token(alice)

    response = api_for(None).post("/password-reset/confirm", {"token": token, "password": "x"})

    assert (response.status_code, response.json_body["reason"]) == (400, "weak_password")


@pytest.mark.parametrize(
    "password",
    ["azertyuiop", "Azertyuiop2024!", "motdepasse-123456", "123456789012", "Marseille13013!!"],
)
def test_breached_style_passwords_are_refused(api_for, org, password):
    response = api_for(None).post(
        "/signup", {"email": "n@villeurbanne.test", "password": password, "name": "N"}
    )

    assert (response.status_code, response.json_body["reason"]) == (400, "weak_password")


def test_twelve_characters_are_the_minimum_of_a_strong_password(api_for, org):
    def signup(email: str, password: str):  # type: ignore[no-untyped-def]
        return api_for(None).post("/signup", {"email": email, "password": password, "name": "N"})

    eleven = signup("onze@villeurbanne.test", "Vq7#kLz2!pW")
    twelve = signup("douze@villeurbanne.test", "Vq7#kLz2!pWm")

    assert (eleven.status_code, eleven.json_body["reason"]) == (400, "weak_password")
    assert "12" in eleven.json_body["message"]
    assert twelve.status_code == 202, twelve.json_body


def test_a_long_passphrase_up_to_1024_characters_is_accepted(api_for, org):
    response = api_for(None).post(
        "/signup",
        {"email": "n@villeurbanne.test", "password": "mot " * 256, "name": "N"},
    )

    assert response.status_code == 202, response.json_body


@override_settings(
    PASSWORD_HASHERS=[
        "django.contrib.auth.hashers.Argon2PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    ]
)
def test_an_older_pbkdf2_hash_is_upgraded_to_argon2_at_login(alice):
    User.objects.filter(pk=alice.pk).update(
        password=make_password(PASSWORD, hasher="pbkdf2_sha256")
    )

    assert login(alice.email, PASSWORD).status_code == 200

    alice.refresh_from_db()
    assert alice.password.startswith("argon2")
