"""/healthz, /readyz and /metrics as a load balancer, a container runtime and Prometheus see them."""

from __future__ import annotations

import pytest
from django.test import Client
from prometheus_client.parser import text_string_to_metric_families

from backend.common import probes
from tests.system.harness import free_port

pytestmark = pytest.mark.django_db

TOKEN = "metrics-token-0123456789abcdef"


@pytest.fixture(autouse=True)
def _fresh_probes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(probes, "_redis", None)
    monkeypatch.setattr(probes, "_migrations_ok_until", 0.0)


def samples(text: str) -> dict[tuple[str, tuple], float]:
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def test_healthz_answers_without_touching_the_database(django_assert_num_queries):
    with django_assert_num_queries(0):
        response = Client().get("/healthz")

    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert response["Cache-Control"] == "no-store"


def test_probes_answer_a_replica_address_over_plain_http_in_production(settings):
    """Container runtimes call the replica by its address: no ALLOWED_HOSTS, no HTTPS redirect."""
    settings.ALLOWED_HOSTS = ["preau.example.org"]
    settings.SECURE_SSL_REDIRECT = True
    client = Client(HTTP_HOST="10.0.0.7:8000")

    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").status_code == 200
    assert client.get("/api/v1/me").status_code in (301, 400)  # the rest is still guarded


def test_readyz_reports_each_check_when_everything_answers():
    response = Client().get("/readyz")

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "ok"
    assert {"database", "migrations", "redis"} == set(body["checks"])
    assert all(check["ok"] for check in body["checks"].values())


def test_readyz_reuses_a_migrations_applied_answer_for_a_few_seconds(django_assert_num_queries):
    Client().get("/readyz")

    with django_assert_num_queries(1):  # SELECT 1 only
        response = Client().get("/readyz")

    assert response.json()["checks"]["migrations"] == {"ok": True, "cached": True}


def test_readyz_is_unavailable_while_redis_does_not_answer(settings):
    settings.REDIS_URL = f"redis://127.0.0.1:{free_port()}/0"

    response = Client().get("/readyz")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["redis"]["ok"] is False
    assert body["checks"]["database"]["ok"] is True


def test_readyz_is_unavailable_while_a_migration_is_pending(monkeypatch):
    nodes = probes._nodes_on_disk() | {("rooms", "9999_not_applied_yet")}
    monkeypatch.setattr(probes, "_nodes_on_disk", lambda: nodes)

    response = Client().get("/readyz")

    assert response.status_code == 503
    assert response.json()["checks"]["migrations"] == {"ok": False, "pending": 1}


def test_readyz_has_no_redis_check_in_embedded_mode(settings):
    settings.REDIS_URL = ""

    response = Client().get("/readyz")

    assert response.status_code == 200
    assert "redis" not in response.json()["checks"]


def test_metrics_parse_and_count_api_errors(settings):
    settings.PREAU_METRICS_TOKEN = ""
    settings.PREAU_METRICS_ALLOW = ["127.0.0.1"]
    client = Client(REMOTE_ADDR="127.0.0.1")
    before = samples(client.get("/metrics").content.decode())
    key = ("preau_errors_total", (("code", "unauthorized"), ("transport", "http")))

    assert Client().get("/api/v1/me").status_code == 401
    response = client.get("/metrics")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    after = samples(response.content.decode())
    assert after[key] == before.get(key, 0) + 1
    names = {name for name, _ in after}
    for expected in (
        "preau_ws_connections",
        "preau_ws_frames_received_total",
        "preau_ws_frames_sent_total",
        "preau_room_events_published_total",
        "preau_deliveries_total",
        "preau_fanout_seconds_count",
        "preau_message_send_seconds_count",
        "preau_ws_syncs_total",
        "preau_ws_sync_limited_rooms_total",
        "preau_redis_reconnects_total",
        "preau_db_query_seconds_count",
        "preau_http_requests_total",
    ):
        assert expected in names, expected


def test_metrics_are_refused_to_other_addresses_by_default(settings):
    settings.PREAU_METRICS_TOKEN = ""
    settings.PREAU_METRICS_ALLOW = ["127.0.0.1", "::1"]

    response = Client(REMOTE_ADDR="203.0.113.9").get("/metrics")

    assert response.status_code == 403
    assert b"preau_" not in response.content


def test_metrics_never_trust_a_forwarded_address(settings):
    """Behind a proxy REMOTE_ADDR comes from X-Forwarded-For, which a client writes itself."""
    settings.PREAU_METRICS_TOKEN = ""
    settings.PREAU_METRICS_ALLOW = ["127.0.0.1"]

    response = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="127.0.0.1").get("/metrics")

    assert response.status_code == 403


def test_metrics_need_the_bearer_token_when_one_is_set(settings):
    settings.PREAU_METRICS_TOKEN = TOKEN
    settings.PREAU_METRICS_ALLOW = []
    client = Client(REMOTE_ADDR="127.0.0.1")

    missing = client.get("/metrics")
    wrong = client.get("/metrics", headers={"Authorization": "Bearer not-the-token"})
    right = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})

    assert missing.status_code == wrong.status_code == 401
    assert missing["WWW-Authenticate"].startswith("Bearer")
    assert right.status_code == 200
    assert list(text_string_to_metric_families(right.content.decode()))
