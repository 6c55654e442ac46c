"""Organisations, domains, agents and domain requests at the service level and in the admin."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client, override_settings

from backend import settings as production_settings
from backend.accounts import services
from backend.accounts.models import DomainRequest, Organisation, OrganisationDomain, User
from backend.common.errors import BadRequest, Conflict
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "une-phrase-de-passe-solide-42"


def _signup(email: str) -> services.SignupResult:
    return services.signup(email=email, password=NEW_PASSWORD, name="Marie Curie")


def test_a_subdomain_is_accepted_where_the_domain_covers_subdomains(make_org):
    rhone = make_org(name="Département du Rhône", domain="rhone.test", subdomains=True)

    assert _signup("paul@routes.rhone.test").created
    assert services.organisation_for_email("paul@routes.rhone.test") == rhone
    assert services.organisation_for_email("paul@a.b.rhone.test") == rhone


def test_a_subdomain_is_refused_where_the_domain_does_not_cover_subdomains(make_org):
    make_org(name="Ville de Lyon", domain="lyon.test", subdomains=False)

    with pytest.raises(BadRequest) as refused:
        _signup("paul@ecoles.lyon.test")

    assert refused.value.reason == "domain_not_registered"
    assert not User.objects.exists()


def test_the_most_specific_registered_domain_wins(make_org):
    make_org(name="Région", domain="region.test", subdomains=True)
    lycees = make_org(name="Lycées", domain="lycees.region.test")

    assert services.organisation_for_email("prof@lycees.region.test") == lycees


def test_domains_match_case_insensitively(make_org):
    org = make_org(name="Ville", domain="Ville.TEST")

    assert OrganisationDomain.objects.get().domain == "ville.test"
    assert services.organisation_for_email("Agent@VILLE.test") == org


def test_a_domain_cannot_belong_to_two_organisations(make_org):
    make_org(domain="partage.test")

    with pytest.raises(Conflict):
        services.organisation_add(name="Autre", domains=["PARTAGE.test"])
    assert Organisation.objects.count() == 1


def test_user_add_refuses_an_address_differing_only_in_case(alice):
    with pytest.raises(Conflict):
        services.user_add(email=alice.email.upper(), password=NEW_PASSWORD)

    assert User.objects.filter(email__iexact=alice.email).count() == 1


def test_the_database_refuses_a_case_variant_written_around_the_services(alice):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(email=alice.email.upper(), name="Doublon")


def test_passwords_are_hashed_with_argon2_in_production(org):
    with override_settings(PASSWORD_HASHERS=production_settings.PASSWORD_HASHERS):
        user = services.user_add(email="agent@villeurbanne.test", password=NEW_PASSWORD)
        assert user.password.startswith("argon2")
        assert user.check_password(NEW_PASSWORD)
        assert not user.check_password("autre-chose")


def test_signed_up_passwords_are_hashed_with_argon2_in_production(org):
    with override_settings(PASSWORD_HASHERS=production_settings.PASSWORD_HASHERS):
        _signup("marie@villeurbanne.test")

    assert User.objects.get(email="marie@villeurbanne.test").password.startswith("argon2")


def test_an_expired_verification_link_is_refused(org):
    _signup("marie@villeurbanne.test")
    token = services.verification_token(User.objects.get())

    with (
        override_settings(PREAU={**production_settings.PREAU, "VERIFICATION_MAX_AGE": -1}),
        pytest.raises(BadRequest) as refused,
    ):
        services.email_verify(token=token)

    assert refused.value.reason == "expired"
    assert not User.objects.get().is_verified


# --- domain requests in the admin ------------------------------------------------------------


@pytest.fixture
def admin_client(org) -> Client:
    staff = User.objects.create_superuser(
        email="admin@villeurbanne.test", password=PASSWORD, name="Admin"
    )
    client = Client()
    client.force_login(staff)
    return client


def _file_request(email: str = "jean@trifouilly.test") -> DomainRequest:
    return services.domain_request_file(
        email=email, organisation_name="Mairie de Trifouilly", organisation_kind="commune"
    )


def _admin_action(client: Client, action: str, *requests: DomainRequest):
    return client.post(
        "/admin/accounts/domainrequest/",
        {"action": action, "_selected_action": [r.pk for r in requests]},
    )


def test_filing_the_same_request_twice_keeps_one_pending_request(db):
    first = _file_request()

    assert _file_request() == first
    assert DomainRequest.objects.count() == 1


def test_approving_a_domain_request_in_the_admin_adds_the_domain(
    admin_client, django_capture_on_commit_callbacks
):
    req = _file_request()
    with pytest.raises(BadRequest):
        _signup("jean@trifouilly.test")

    with django_capture_on_commit_callbacks(execute=True):
        response = _admin_action(admin_client, "approve", req)

    assert response.status_code == 302
    req.refresh_from_db()
    assert req.status == DomainRequest.Status.APPROVED
    assert req.reviewed_by.email == "admin@villeurbanne.test"
    organisation = Organisation.objects.get(name="Mairie de Trifouilly")
    assert organisation.kind == "commune"
    assert OrganisationDomain.objects.get(domain="trifouilly.test").organisation == organisation
    assert [m.to for m in mail.outbox] == [["jean@trifouilly.test"]]
    assert "trifouilly.test" in mail.outbox[0].body
    # The person can now sign up and joins the new organisation once verified.
    assert _signup("jean@trifouilly.test").created
    user = services.email_verify(
        token=services.verification_token(User.objects.get(email="jean@trifouilly.test"))
    )
    assert user.organisation == organisation


def test_approving_a_request_for_an_existing_organisation_attaches_the_domain_to_it(
    admin_client, org
):
    req = _file_request("jean@mairie-villeurbanne.test")
    req.organisation = org
    req.save()

    _admin_action(admin_client, "approve", req)

    assert OrganisationDomain.objects.get(domain="mairie-villeurbanne.test").organisation == org
    assert not Organisation.objects.filter(name="Mairie de Trifouilly").exists()


def test_rejecting_a_domain_request_in_the_admin_adds_nothing(
    admin_client, django_capture_on_commit_callbacks
):
    req = _file_request()
    organisations = Organisation.objects.count()

    with django_capture_on_commit_callbacks(execute=True):
        response = _admin_action(admin_client, "reject", req)

    assert response.status_code == 302
    req.refresh_from_db()
    assert req.status == DomainRequest.Status.REJECTED
    assert Organisation.objects.count() == organisations
    assert not OrganisationDomain.objects.filter(domain="trifouilly.test").exists()
    assert [m.to for m in mail.outbox] == [["jean@trifouilly.test"]]
    with pytest.raises(BadRequest):
        _signup("jean@trifouilly.test")


def test_a_reviewed_request_cannot_be_reviewed_again(admin_client):
    req = _file_request()
    services.domain_request_reject(request_id=req.pk, reviewer=User.objects.get(is_staff=True))

    _admin_action(admin_client, "approve", req)

    req.refresh_from_db()
    assert req.status == DomainRequest.Status.REJECTED
    assert not OrganisationDomain.objects.filter(domain="trifouilly.test").exists()


def test_the_admin_is_closed_to_agents(alice):
    client = Client()
    client.force_login(alice)

    response = client.get("/admin/accounts/domainrequest/")

    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


# --- tokens ----------------------------------------------------------------------------------


def test_a_token_is_stored_only_as_its_digest(alice):
    result = services.token_create(user=alice)

    record = result.record
    record.refresh_from_db()
    assert record.digest == services.token_digest(result.token)
    assert result.token not in {record.digest, record.prefix, record.name}
    assert services.token_authenticate(result.token) == alice


def test_a_bot_token_authenticates_the_bot(alice):
    result = services.bot_create(name="Robot des astreintes", owner=alice)

    bot = services.token_authenticate(result.token)
    assert bot.is_bot and bot.bot_owner == alice
    assert bot.organisation == alice.organisation
    assert not bot.has_usable_password()


def test_approving_a_request_for_a_domain_added_meanwhile_creates_no_empty_organisation(
    admin_client, make_org
):
    req = _file_request()
    meanwhile = make_org(name="Commune de Trifouilly", domain="trifouilly.test")
    organisations = Organisation.objects.count()

    _admin_action(admin_client, "approve", req)

    req.refresh_from_db()
    assert req.status == DomainRequest.Status.APPROVED
    assert req.organisation == meanwhile
    assert Organisation.objects.count() == organisations
