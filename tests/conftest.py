"""Shared fixtures. The suite needs real PostgreSQL and Redis: it stops, never skips, without them."""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from backend.accounts import services as accounts
from backend.accounts.models import Organisation, User
from backend.rooms.models import Territory, Theme

PASSWORD = "correct-horse-battery-staple"
_counter = itertools.count(1)


def pytest_sessionstart(session: pytest.Session) -> None:
    """Fail the whole run at once when PostgreSQL or Redis is missing (never skip)."""
    import psycopg
    import redis

    engine = settings.DATABASES["default"]["ENGINE"]
    if "postgresql" not in engine:
        pytest.exit(f"the test suite needs PostgreSQL (DATABASE_URL); got {engine}", returncode=3)
    db = settings.DATABASES["default"]
    try:
        psycopg.connect(
            host=db["HOST"] or None,
            port=db["PORT"] or None,
            user=db["USER"] or None,
            password=db["PASSWORD"] or None,
            dbname="postgres",
            connect_timeout=5,
        ).close()
    except Exception as exc:  # noqa: BLE001
        pytest.exit(f"PostgreSQL unreachable at {db['HOST']}:{db['PORT']}: {exc}", returncode=3)
    try:
        redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=5).ping()
    except Exception as exc:  # noqa: BLE001
        pytest.exit(f"Redis unreachable at {settings.REDIS_URL}: {exc}", returncode=3)


@pytest.fixture(scope="session", autouse=True)
def _end_stray_connections(django_db_setup: Any, django_db_blocker: Any) -> Any:
    """Before the test database is dropped, end connections left in worker threads.

    asgiref keeps its sync threads across async tests; a connection one of them opened would
    otherwise make ``DROP DATABASE`` fail with "being accessed by other users".
    """
    yield
    from django.db import connection

    if not str(connection.settings_dict["NAME"]).startswith("test_"):
        return
    with django_db_blocker.unblock():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )


@pytest.fixture(autouse=True)
def _fresh_bus() -> Any:
    from realtime import bus

    bus.reset_bus()
    yield
    bus.reset_bus()


@pytest.fixture
def make_org(db: Any) -> Callable[..., Organisation]:
    def make(
        name: str | None = None,
        domain: str | None = None,
        subdomains: bool = False,
        kind: str = "commune",
    ) -> Organisation:
        n = next(_counter)
        return accounts.organisation_add(
            name=name or f"Commune {n}",
            domains=[domain or f"commune{n}.test"],
            covers_subdomains=subdomains,
            kind=kind,
        ).organisation

    return make


@pytest.fixture
def org(make_org: Callable[..., Organisation]) -> Organisation:
    return make_org(name="Ville de Villeurbanne", domain="villeurbanne.test")


@pytest.fixture
def other_org(make_org: Callable[..., Organisation]) -> Organisation:
    return make_org(name="Département de l'Aude", domain="aude.test", kind="departement")


@pytest.fixture
def make_agent(db: Any) -> Callable[..., User]:
    def make(organisation: Organisation, name: str | None = None, staff: bool = False) -> User:
        n = next(_counter)
        domain = organisation.domains.first().domain
        return accounts.user_add(
            email=f"agent{n}@{domain}",
            password=PASSWORD,
            name=name or f"Agent {n}",
            staff=staff,
            validate=False,
        )

    return make


@pytest.fixture
def alice(make_agent: Callable[..., User], org: Organisation) -> User:
    return make_agent(org, name="Alice Martin")


@pytest.fixture
def bob(make_agent: Callable[..., User], org: Organisation) -> User:
    return make_agent(org, name="Bob Durand")


@pytest.fixture
def outsider(make_agent: Callable[..., User], other_org: Organisation) -> User:
    return make_agent(other_org, name="Olivia Extérieure")


@pytest.fixture
def themes(db: Any) -> list[Theme]:
    return [
        Theme.objects.create(slug="finances", name="Finances locales"),
        Theme.objects.create(slug="rh", name="Ressources humaines"),
    ]


@pytest.fixture
def territories(db: Any) -> dict[str, Territory]:
    region = Territory.objects.create(level="region", insee_code="84", name="Auvergne-Rhône-Alpes")
    dep = Territory.objects.create(
        level="departement", insee_code="69", name="Rhône", parent=region
    )
    commune = Territory.objects.create(
        level="commune", insee_code="69266", name="Villeurbanne", parent=dep
    )
    idf = Territory.objects.create(level="region", insee_code="11", name="Île-de-France")
    aude = Territory.objects.create(level="departement", insee_code="11", name="Aude")
    return {"84": region, "69": dep, "69266": commune, "idf": idf, "aude": aude}


class Api:
    """A JSON client for /api/v1/ authenticated with a bearer token."""

    def __init__(self, user: User | None) -> None:
        self.client = Client(HTTP_ACCEPT_LANGUAGE="fr")
        self.headers: dict[str, str] = {}
        if user is not None:
            self.headers["Authorization"] = f"Bearer {accounts.token_create(user=user).token}"

    def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        raw: bytes | str | None = None,
        **headers: str,
    ) -> Any:
        data = raw if raw is not None else (json.dumps(body) if body is not None else None)
        response = self.client.generic(
            method,
            "/api/v1" + path,
            data=data or "",
            content_type="application/json",
            headers={**self.headers, **headers},
        )
        if response.streaming:  # a file download: the body is not JSON
            response.json_body = None
            response.close()
        else:
            is_json = response.get("Content-Type", "").startswith("application/json")
            # Other bodies (the data export's zip) are read by the test itself.
            response.json_body = (
                json.loads(response.content) if response.content and is_json else None
            )
        return response

    def get(self, path: str, **kw: Any) -> Any:
        return self.call("GET", path, **kw)

    def post(self, path: str, body: Any = None, **kw: Any) -> Any:
        return self.call("POST", path, body, **kw)

    def patch(self, path: str, body: Any = None, **kw: Any) -> Any:
        return self.call("PATCH", path, body, **kw)

    def delete(self, path: str, **kw: Any) -> Any:
        return self.call("DELETE", path, **kw)


@pytest.fixture
def api_for(db: Any) -> Callable[[User | None], Api]:
    return Api


@pytest.fixture(autouse=True)
def _site_language() -> None:
    """Each test starts in the site's language: a request served in English by an earlier test
    leaves its language active on the worker's thread, and code called directly (services,
    admin actions, workers) would otherwise answer in it."""
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
