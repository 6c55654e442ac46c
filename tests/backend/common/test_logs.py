"""Log lines: JSON or text, the request id, and only the fields Préau chose to write."""

from __future__ import annotations

import json
import logging

import pytest
from django.test import Client

from backend.common.logs import JsonFormatter, TextFormatter

pytestmark = pytest.mark.django_db


def record(**fields: object) -> logging.LogRecord:
    rec = logging.LogRecord("preau.http", logging.INFO, __file__, 1, "GET %s", ("/x",), None)
    rec.fields = fields
    rec.request = object()  # what django.request attaches: never written
    return rec


def test_json_lines_hold_the_message_and_the_chosen_fields_only():
    line = json.loads(JsonFormatter().format(record(status=200, user_id=7)))

    assert line["msg"] == "GET /x" and line["level"] == "INFO" and line["logger"] == "preau.http"
    assert line["status"] == 200 and line["user_id"] == 7
    assert "request" not in line
    assert line["ts"].endswith("+00:00")


def test_text_lines_read_as_key_values():
    text = TextFormatter().format(record(status=404, user_id=None))

    assert text.endswith("INFO    preau.http GET /x status=404")


def test_request_id_is_returned_and_logged(caplog):
    caplog.set_level(logging.INFO, logger="preau.http")

    given = Client().get("/api/v1/me", headers={"X-Request-ID": "lb-42.a"})
    made = Client().get("/api/v1/me?token=pas-dans-les-journaux")
    forged = Client().get("/api/v1/me", headers={"X-Request-ID": "x" * 200})

    assert given["X-Request-ID"] == "lb-42.a"
    assert len(made["X-Request-ID"]) == 32
    assert forged["X-Request-ID"] != "x" * 200
    logged = [r.fields for r in caplog.records if r.name == "preau.http"]
    assert [f["request_id"] for f in logged] == [
        "lb-42.a",
        made["X-Request-ID"],
        forged["X-Request-ID"],
    ]
    assert all(f["path"] == "/api/v1/me" and f["status"] == 401 for f in logged)
    assert "pas-dans-les-journaux" not in caplog.text


def test_request_log_names_the_user_without_an_extra_query(
    alice, api_for, caplog, django_assert_num_queries
):
    caplog.set_level(logging.INFO, logger="preau.http")
    api = api_for(alice)

    api.get("/me")

    assert [r.fields["user_id"] for r in caplog.records if r.name == "preau.http"] == [alice.pk]
