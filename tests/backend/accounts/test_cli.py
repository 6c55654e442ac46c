"""The ``preau`` command line: org add, user add, token create, bot create."""

from __future__ import annotations

import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from backend.accounts.models import ApiToken, Organisation, OrganisationDomain, User
from backend.accounts.services import token_authenticate, token_digest

ROOT = Path(__file__).resolve().parents[3]
PASSWORD = "une-phrase-de-passe-solide-42"


def run(*args: str) -> list[str]:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue().strip().splitlines()


@pytest.mark.django_db
def test_org_add_prints_the_organisation_id():
    lines = run(
        "org",
        "add",
        "Ville de Grenoble",
        "--domain",
        "grenoble.test",
        "--domain",
        "ville-grenoble.test",
        "--subdomains",
    )

    org = Organisation.objects.get(pk=int(lines[-1]))
    assert org.name == "Ville de Grenoble"
    domains = OrganisationDomain.objects.filter(organisation=org).order_by("domain")
    assert [(d.domain, d.covers_subdomains) for d in domains] == [
        ("grenoble.test", True),
        ("ville-grenoble.test", True),
    ]


@pytest.mark.django_db
def test_org_add_refuses_a_domain_already_taken(org):
    with pytest.raises(CommandError) as refused:
        run("org", "add", "Doublon", "--domain", "villeurbanne.test")

    assert refused.value.returncode == 1
    assert "conflict" in str(refused.value)
    assert Organisation.objects.count() == 1


@pytest.mark.django_db
def test_user_add_creates_a_verified_agent(org):
    lines = run(
        "user",
        "add",
        "Claire.Martin@villeurbanne.test",
        "--password",
        PASSWORD,
        "--name",
        "Claire Martin",
        "--staff",
    )

    user = User.objects.get(pk=int(lines[-1]))
    assert user.email == "claire.martin@villeurbanne.test"
    assert user.is_verified and user.is_staff and user.organisation == org
    assert user.check_password(PASSWORD)


@pytest.mark.django_db
def test_user_add_at_an_unregistered_domain_fails_and_writes_nothing(org):
    with pytest.raises(CommandError) as refused:
        run("user", "add", "jean@inconnu.test", "--password", PASSWORD)

    assert refused.value.returncode == 1
    assert "inconnu.test" in str(refused.value)
    assert not User.objects.exists()


@pytest.mark.django_db
def test_user_add_refuses_a_duplicate_differing_only_in_case(alice):
    with pytest.raises(CommandError) as refused:
        run("user", "add", alice.email.upper(), "--password", PASSWORD)

    assert refused.value.returncode == 1
    assert User.objects.filter(email__iexact=alice.email).count() == 1


@pytest.mark.django_db
def test_token_create_prints_the_token_on_its_last_line_and_stores_only_its_digest(alice):
    lines = run("token", "create", alice.email.upper())

    token = lines[-1]
    record = ApiToken.objects.get(user=alice)
    assert record.digest == token_digest(token)
    stored = ApiToken.objects.filter(pk=record.pk).values().get()
    assert token not in [str(v) for v in stored.values()]
    assert token_authenticate(token) == alice


@pytest.mark.django_db
def test_token_create_for_an_unknown_agent_fails(db):
    with pytest.raises(CommandError) as refused:
        run("token", "create", "personne@nulle-part.test")

    assert refused.value.returncode == 1
    assert not ApiToken.objects.exists()


@pytest.mark.django_db
def test_bot_create_prints_the_bot_token_on_its_last_line(alice):
    lines = run("bot", "create", "Robot des astreintes", "--owner", alice.email)

    bot = token_authenticate(lines[-1])
    assert bot is not None and bot.is_bot
    assert bot.name == "Robot des astreintes"
    assert bot.bot_owner == alice
    assert ApiToken.objects.get(user=bot).digest == token_digest(lines[-1])


def _preau(*args: str) -> subprocess.CompletedProcess[str]:
    """The real console entry point, against the test database."""
    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "backend.settings",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
    }
    return subprocess.run(
        [sys.executable, "-m", "backend.cli", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.django_db(transaction=True)
def test_the_preau_command_exits_non_zero_at_an_unregistered_domain_and_prints_tokens_last(org):
    refused = _preau("user", "add", "jean@inconnu.test", "--password", PASSWORD)
    assert refused.returncode != 0
    assert "domain_not_registered" not in refused.stdout
    assert "inconnu.test" in refused.stderr
    assert not User.objects.exists()

    created = _preau("user", "add", "claire@villeurbanne.test", "--password", PASSWORD)
    assert created.returncode == 0, created.stderr
    issued = _preau("token", "create", "claire@villeurbanne.test")
    assert issued.returncode == 0, issued.stderr
    token = issued.stdout.strip().splitlines()[-1]
    assert token_authenticate(token).email == "claire@villeurbanne.test"
