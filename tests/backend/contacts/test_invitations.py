"""Inviting a colleague who has no account: an explicit step, limited, and only for
addresses at a registered domain."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from backend.contacts import services
from backend.contacts.models import ContactInvitation

from .conftest import tables_holding

pytestmark = pytest.mark.django_db

INVITABLE = "nouvelle.collegue@villeurbanne.test"
OUTSIDE = "jean.dehors@exterieur-prive.test"


def test_an_invitation_is_emailed_and_only_a_digest_is_kept(
    alice, api_for, django_capture_on_commit_callbacks
):
    api = api_for(alice)

    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(
            "/contact-invitations", {"email": "Nouvelle.Collegue@Villeurbanne.test"}
        )

    assert response.status_code == 201, response.json_body
    assert response.json_body == {
        "email": INVITABLE,
        "organisation": "Ville de Villeurbanne",
        "status": "sent",
    }
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [INVITABLE]
    assert "Alice Martin" in message.subject
    assert "/signup/?email=nouvelle.collegue%40villeurbanne.test" in message.body
    row = ContactInvitation.objects.get()
    assert (row.inviter_id, row.address_digest) == (alice.pk, services.address_digest(INVITABLE))
    assert tables_holding(INVITABLE) == []


def test_an_address_outside_every_organisation_is_refused_and_leaves_no_trace(
    alice, api_for, every_log, django_capture_on_commit_callbacks
):
    api = api_for(alice)

    with django_capture_on_commit_callbacks(execute=True):
        response = api.post("/contact-invitations", {"email": OUTSIDE})

    assert (response.status_code, response.json_body["reason"]) == (400, "outside")
    assert mail.outbox == []
    assert ContactInvitation.objects.count() == 0
    assert tables_holding("exterieur-prive") == []
    assert "exterieur-prive" not in every_log.text


def test_an_existing_agent_or_oneself_is_not_invited(alice, bob, api_for):
    api = api_for(alice)

    member = api.post("/contact-invitations", {"email": bob.email})
    own = api.post("/contact-invitations", {"email": alice.email.upper()})
    invalid = api.post("/contact-invitations", {"email": "pas une adresse"})

    assert (member.status_code, member.json_body["reason"]) == (409, "already_member")
    assert (own.status_code, own.json_body["reason"]) == (400, "self")
    assert (invalid.status_code, invalid.json_body["reason"]) == (400, "invalid_email")
    assert mail.outbox == [] and ContactInvitation.objects.count() == 0


def test_the_same_person_is_not_invited_twice(alice, api_for, django_capture_on_commit_callbacks):
    api = api_for(alice)
    with django_capture_on_commit_callbacks(execute=True):
        assert api.post("/contact-invitations", {"email": INVITABLE}).status_code == 201
        again = api.post("/contact-invitations", {"email": INVITABLE.upper()})

    assert (again.status_code, again.json_body["reason"]) == (409, "already_invited")
    assert len(mail.outbox) == 1


def test_invitations_are_rate_limited_and_capped(
    alice, api_for, django_capture_on_commit_callbacks
):
    api = api_for(alice)
    with django_capture_on_commit_callbacks(execute=True):
        for i in range(services.INVITATIONS_PER_MINUTE):
            sent = api.post("/contact-invitations", {"email": f"c{i}@villeurbanne.test"})
            assert sent.status_code == 201, sent.json_body
        burst = api.post("/contact-invitations", {"email": "burst@villeurbanne.test"})
    assert (burst.status_code, burst.json_body["code"]) == (429, "rate_limited")
    assert burst["Retry-After"] == "60"

    # An hour later the burst limit is over, but the daily cap still holds.
    ContactInvitation.objects.update(created_at=timezone.now() - timedelta(hours=1))
    for i in range(services.INVITATIONS_PER_DAY - services.INVITATIONS_PER_MINUTE):
        ContactInvitation.objects.create(
            inviter=alice,
            address_digest=services.address_digest(f"d{i}@x.test"),
            created_at=timezone.now() - timedelta(hours=2),
        )
    capped = api.post("/contact-invitations", {"email": "cap@villeurbanne.test"})
    assert (capped.status_code, capped.json_body["code"]) == (429, "rate_limited")
    assert len(mail.outbox) == services.INVITATIONS_PER_MINUTE


def test_one_address_gets_a_bounded_number_of_invitations(
    alice, make_agent, org, api_for, django_capture_on_commit_callbacks
):
    inviters = [make_agent(org) for _ in range(services.INVITATIONS_PER_ADDRESS + 1)]
    with django_capture_on_commit_callbacks(execute=True):
        answers = [
            api_for(u).post("/contact-invitations", {"email": INVITABLE}).status_code
            for u in inviters
        ]

    assert answers == [201] * services.INVITATIONS_PER_ADDRESS + [429]
    assert len(mail.outbox) == services.INVITATIONS_PER_ADDRESS
