"""Sign-up, e-mail verification, domain requests and the session over REST."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.core import mail
from django.test import Client

from backend.accounts.models import DomainRequest, User
from tests.backend.conftest import row_counts
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "une-phrase-de-passe-solide-42"


def _signup(api: Any, email: str, name: str = "Marie Curie") -> Any:
    return api.post("/signup", {"email": email, "password": NEW_PASSWORD, "name": name})


def _login(api: Any, email: str, password: str = NEW_PASSWORD) -> Any:
    return api.post("/session", {"email": email, "password": password})


def _link_in(message: mail.EmailMessage) -> str:
    found = re.search(r"https?://\S+/verify/(\S+)", message.body)
    assert found, message.body
    return found.group(1)


def test_signup_at_a_registered_domain_sends_a_verification_link(api_for, org):
    response = _signup(api_for(None), "marie.curie@villeurbanne.test")

    assert response.status_code == 202
    assert response.json_body["status"] == "verification_sent"
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["marie.curie@villeurbanne.test"]
    assert "/verify/" in mail.outbox[0].body
    user = User.objects.get(email="marie.curie@villeurbanne.test")
    assert not user.is_verified
    assert user.organisation is None


def test_signup_account_cannot_log_in_before_verification(api_for, org):
    api = api_for(None)
    _signup(api, "marie.curie@villeurbanne.test")

    response = _login(api, "marie.curie@villeurbanne.test")

    assert response.status_code == 401
    assert response.json_body["code"] == "unauthorized"
    assert response.json_body["reason"] == "bad_credentials"


def test_verifying_over_rest_activates_the_account_in_its_organisation(api_for, org):
    api = api_for(None)
    _signup(api, "Marie.Curie@Villeurbanne.test")
    token = _link_in(mail.outbox[0])

    response = api.post("/signup/verify", {"token": token})

    assert response.status_code == 200
    assert response.json_body["email"] == "marie.curie@villeurbanne.test"
    assert response.json_body["organisation"]["id"] == org.pk
    user = User.objects.get(email="marie.curie@villeurbanne.test")
    assert user.is_verified and user.organisation_id == org.pk
    login = _login(api, "marie.curie@villeurbanne.test")
    assert login.status_code == 200
    assert login.json_body["organisation"]["name"] == "Ville de Villeurbanne"


def test_the_verification_page_activates_the_account(api_for, org):
    _signup(api_for(None), "marie.curie@villeurbanne.test")
    token = _link_in(mail.outbox[0])

    page = Client().get(f"/verify/{token}")

    assert page.status_code == 200
    assert "Ville de Villeurbanne" in page.content.decode()
    assert User.objects.get(email="marie.curie@villeurbanne.test").is_verified


def test_the_verification_page_refuses_a_forged_token(db):
    page = Client().get("/verify/not-a-real-token")

    assert page.status_code == 400
    assert not User.objects.filter(is_verified=True).exists()


def test_verify_refuses_a_tampered_token(api_for, org):
    api = api_for(None)
    _signup(api, "marie.curie@villeurbanne.test")
    token = _link_in(mail.outbox[0])

    response = api.post("/signup/verify", {"token": token[:-2] + "xx"})

    assert response.status_code == 400
    assert response.json_body["code"] == "bad_request"
    assert response.json_body["reason"] == "bad_token"
    assert not User.objects.get(email="marie.curie@villeurbanne.test").is_verified


def test_signup_at_an_unregistered_domain_is_refused_and_writes_nothing(api_for, org):
    api = api_for(None)
    before = row_counts()

    response = _signup(api, "jean@inconnu.test")

    assert response.status_code == 400
    body = response.json_body
    assert body["code"] == "bad_request"
    assert body["reason"] == "domain_not_registered"
    assert body["domain"] == "inconnu.test"
    assert "inconnu.test" in body["message"]
    assert row_counts() == before
    assert mail.outbox == []


def test_a_refused_person_can_file_a_domain_request(api_for, db):
    response = api_for(None).post(
        "/domain-requests",
        {
            "email": "jean@mairie-trifouilly.test",
            "organisation_name": "Mairie de Trifouilly",
            "organisation_kind": "commune",
            "message": "Nous sommes 40 agents.",
        },
    )

    assert response.status_code == 201
    assert response.json_body["domain"] == "mairie-trifouilly.test"
    assert response.json_body["status"] == "pending"
    req = DomainRequest.objects.get(pk=response.json_body["id"])
    assert req.email == "jean@mairie-trifouilly.test"
    assert req.organisation_name == "Mairie de Trifouilly"


def test_a_domain_request_for_an_accepted_domain_is_a_conflict(api_for, org):
    response = api_for(None).post(
        "/domain-requests",
        {"email": "jean@villeurbanne.test", "organisation_name": "Villeurbanne"},
    )

    assert response.status_code == 409
    assert response.json_body["code"] == "conflict"
    assert not DomainRequest.objects.exists()


def test_signup_with_an_address_differing_only_in_case_creates_no_second_account(api_for, alice):
    before = row_counts()

    response = _signup(api_for(None), alice.email.upper(), name="Imposteur")

    # Same answer as for a new address (no account enumeration)…
    assert response.status_code == 202
    assert response.json_body["status"] == "verification_sent"
    # …but nothing is created and the owner is told by e-mail instead of receiving a link.
    assert row_counts() == before
    assert User.objects.filter(email__iexact=alice.email).count() == 1
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [alice.email]
    assert "/verify/" not in mail.outbox[0].body
    alice.refresh_from_db()
    assert alice.name == "Alice Martin"
    assert alice.check_password(PASSWORD)


def test_signing_up_again_before_verifying_sends_a_new_link_to_the_same_account(api_for, org):
    api = api_for(None)
    _signup(api, "marie.curie@villeurbanne.test")

    response = _signup(api, "MARIE.CURIE@villeurbanne.test", name="Marie S. Curie")

    assert response.status_code == 202
    assert User.objects.filter(email__iexact="marie.curie@villeurbanne.test").count() == 1
    assert len(mail.outbox) == 2
    assert "/verify/" in mail.outbox[1].body


def test_signup_refuses_a_weak_password(api_for, org):
    response = api_for(None).post(
        "/signup", {"email": "marie@villeurbanne.test", "password": "123", "name": "Marie"}
    )

    assert response.status_code == 400
    assert response.json_body["reason"] == "weak_password"
    assert not User.objects.filter(email="marie@villeurbanne.test").exists()


# --- session ---------------------------------------------------------------------------------


def test_login_sets_the_session_and_logout_ends_it(alice):
    client = Client()
    login = client.post(
        "/api/v1/session",
        {"email": alice.email.upper(), "password": PASSWORD},
        content_type="application/json",
    )
    assert login.status_code == 200
    assert json.loads(login.content)["id"] == alice.pk
    assert client.get("/api/v1/me").status_code == 200

    logout = client.delete("/api/v1/session")

    assert logout.status_code == 204
    me = client.get("/api/v1/me")
    assert me.status_code == 401
    assert json.loads(me.content)["code"] == "unauthorized"


def test_login_with_a_wrong_password_is_unauthorized(api_for, alice):
    response = _login(api_for(None), alice.email, "pas-le-bon-mot-de-passe")

    assert response.status_code == 401
    assert response.json_body["code"] == "unauthorized"


def test_a_bot_cannot_log_in_with_a_session(api_for, alice):
    from backend.accounts import services

    bot = services.bot_create(name="Robot", owner=alice).record.user

    response = _login(api_for(None), bot.email, "")

    assert response.status_code == 401


def _csrf_client(alice: User) -> tuple[Client, str]:
    client = Client(enforce_csrf_checks=True)
    login = client.post(
        "/api/v1/session",
        {"email": alice.email, "password": PASSWORD},
        content_type="application/json",
    )
    assert login.status_code == 200
    return client, client.cookies["csrftoken"].value


def test_a_session_call_that_changes_state_needs_the_csrf_token(alice):
    client, _csrf = _csrf_client(alice)

    response = client.post(
        "/api/v1/rooms",
        {"name": "Sans jeton", "kind": "private", "access": "invite"},
        content_type="application/json",
    )

    assert response.status_code == 403
    assert json.loads(response.content)["code"] == "forbidden"
    assert not alice.memberships.exists()


def test_a_session_call_with_the_csrf_token_succeeds(alice):
    client, csrf = _csrf_client(alice)

    response = client.post(
        "/api/v1/rooms",
        {"name": "Avec jeton", "kind": "private", "access": "invite"},
        content_type="application/json",
        headers={"X-CSRFToken": csrf},
    )

    assert response.status_code == 201
    assert json.loads(response.content)["role"] == "owner"


def test_logout_with_the_session_needs_the_csrf_token(alice):
    client, csrf = _csrf_client(alice)

    refused = client.delete("/api/v1/session")
    assert refused.status_code == 403
    assert client.get("/api/v1/me").status_code == 200

    done = client.delete("/api/v1/session", headers={"X-CSRFToken": csrf})
    assert done.status_code == 204
    assert client.get("/api/v1/me").status_code == 401


def test_a_session_read_needs_no_csrf_token(alice):
    client, _csrf = _csrf_client(alice)

    assert client.get("/api/v1/rooms").status_code == 200


def test_a_bearer_call_needs_no_csrf_token(alice):
    from backend.accounts import services

    token = services.token_create(user=alice).token
    client = Client(enforce_csrf_checks=True)

    response = client.post(
        "/api/v1/rooms",
        {"name": "Par jeton", "kind": "private", "access": "invite"},
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )

    assert response.status_code == 201


def test_an_unknown_bearer_token_on_a_write_is_unauthorized_not_a_csrf_error(db):
    client = Client(enforce_csrf_checks=True)

    response = client.post(
        "/api/v1/rooms",
        {"name": "x", "kind": "private", "access": "invite"},
        content_type="application/json",
        headers={"Authorization": "Bearer preau_revoked-or-unknown"},
    )

    assert response.status_code == 401
    assert json.loads(response.content)["code"] == "unauthorized"


def test_a_revoked_token_stops_working_at_once(api_for, alice):
    api = api_for(alice)
    token_id = api.get("/tokens").json_body[0]["id"]

    assert api.delete(f"/tokens/{token_id}").status_code == 204

    response = api.get("/me")
    assert response.status_code == 401
    assert response.json_body["code"] == "unauthorized"


def test_logout_ends_that_sessions_sockets_after_the_response(alice, published):
    from realtime.groups import user_channel
    from realtime.publish import session_tag

    client = Client()
    client.post(
        "/api/v1/session",
        {"email": alice.email, "password": PASSWORD},
        content_type="application/json",
    )
    key = client.session.session_key

    client.delete("/api/v1/session")

    assert published == [
        (user_channel(alice.pk), {"control": "session_ended", "session": session_tag(key)})
    ]


def test_revoking_a_token_tells_open_sockets_once_committed(
    api_for, alice, published, django_capture_on_commit_callbacks
):
    from realtime.groups import user_channel

    api = api_for(alice)
    token_id = api.get("/tokens").json_body[0]["id"]

    with django_capture_on_commit_callbacks(execute=True):
        api.delete(f"/tokens/{token_id}")
        api_for(alice).delete(f"/tokens/{token_id}")  # already revoked: nothing more

    assert published == [(user_channel(alice.pk), {"control": "token_revoked", "token": token_id})]


def test_an_agent_cannot_revoke_someone_elses_token(api_for, alice, bob):
    from backend.accounts.models import ApiToken

    api_for(bob)
    bobs = ApiToken.objects.get(user=bob)

    response = api_for(alice).delete(f"/tokens/{bobs.pk}")

    assert response.status_code == 404
    bobs.refresh_from_db()
    assert bobs.revoked_at is None


def test_signing_up_again_invalidates_the_links_sent_before(api_for, org):
    """Whoever re-submits the form for a pending address cannot have an older link activate it."""
    api = api_for(None)
    _signup(api, "marie.curie@villeurbanne.test")
    first_link = _link_in(mail.outbox[0])
    api.post(
        "/signup",
        {
            "email": "marie.curie@villeurbanne.test",
            "password": "mot-de-passe-d-un-autre-99",
            "name": "Quelqu'un d'autre",
        },
    )
    second_link = _link_in(mail.outbox[1])

    stale = api.post("/signup/verify", {"token": first_link})

    assert stale.status_code == 400
    assert stale.json_body["reason"] == "bad_token"
    assert not User.objects.get(email="marie.curie@villeurbanne.test").is_verified
    assert api.post("/signup/verify", {"token": second_link}).status_code == 200


def test_a_deactivated_agent_loses_token_and_session_at_once(api_for, alice):
    api = api_for(alice)
    client = Client()
    client.force_login(alice)
    assert api.get("/me").status_code == 200
    assert client.get("/api/v1/me").status_code == 200

    User.objects.filter(pk=alice.pk).update(is_active=False)

    assert api.get("/me").status_code == 401
    assert client.get("/api/v1/me").status_code == 401
    assert _login(api_for(None), alice.email, PASSWORD).status_code == 401
