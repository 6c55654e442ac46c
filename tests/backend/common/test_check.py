"""``preau check``: configuration problems in plain language."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from tests.system.harness import free_port

pytestmark = pytest.mark.django_db


def check(*args: str) -> str:
    out, err = StringIO(), StringIO()
    call_command("check", *args, stdout=out, stderr=err)
    return out.getvalue() + err.getvalue()


def test_check_reports_a_reachable_configuration_without_errors():
    output = check()

    assert "preau.E" not in output
    assert "EMAIL_HOST" in output  # no SMTP server: said, not an error


def test_check_says_when_redis_does_not_answer(settings):
    settings.REDIS_URL = f"redis://127.0.0.1:{free_port()}/0"

    with pytest.raises(SystemCheckError, match=r"preau.E003.*Redis injoignable"):
        check()


def test_check_says_when_the_database_does_not_answer(monkeypatch):
    from django.db import connections

    port = free_port()
    connections["default"].close()
    # setitem, not assignment: DATABASES' dicts are shared with the connection handler.
    monkeypatch.setitem(connections["default"].settings_dict, "PORT", port)
    try:
        with pytest.raises(SystemCheckError, match=rf"preau.E002.*injoignable.*:{port}/"):
            check()
    finally:
        connections["default"].close()


def test_check_without_connecting_stays_on_the_configuration(settings):
    settings.REDIS_URL = f"redis://127.0.0.1:{free_port()}/0"

    output = check("--no-connect")

    assert "Redis" not in output


def test_check_flags_a_half_scaled_configuration_and_an_http_base_url(settings):
    settings.REDIS_URL = ""
    settings.PRODUCTION = True
    settings.PREAU_BASE_URL = "http://preau.example.org"

    output = check("--no-connect")

    assert "preau.W001" in output and "preau.W002" in output


def test_check_warns_when_the_smtp_server_does_not_answer(settings):
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()

    output = check()

    assert "preau.W005" in output and "SMTP injoignable" in output


def test_other_commands_do_not_print_the_configuration_notes():
    """Every command runs the system checks: only `preau check` turns these on."""
    from django.core.checks import run_checks

    assert not [m for m in run_checks() if m.id.startswith("preau.")]


def test_check_does_not_create_a_missing_embedded_database(settings, tmp_path, monkeypatch):
    sqlite = {"ENGINE": "django.db.backends.sqlite3", "NAME": tmp_path / "preau.sqlite3"}
    monkeypatch.setitem(settings.DATABASES, "default", sqlite)
    settings.DATA_DIR = tmp_path
    settings.REDIS_URL = ""

    from backend.common import checks

    checks.CONNECT = True
    try:
        messages = checks._check_database()
    finally:
        checks.CONNECT = False

    assert [m.id for m in messages] == ["preau.I004"]
    assert not (tmp_path / "preau.sqlite3").exists()
