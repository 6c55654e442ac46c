"""Browser-test fixtures: one real ``preau serve`` per test session (per xdist worker) on a
fresh PostgreSQL database, Debian's Chromium driven by Playwright, and logged-in pages."""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, expect, sync_playwright

from .server import DEMO_PASSWORD, ROOT, Server

CHROMIUM = os.environ.get("PREAU_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PASSWORD = "mot-de-passe-des-tests-2026"
SCREENSHOTS = ROOT / "artifacts" / "screenshots"

# Agents seeded on top of the demo content (see `server`).
ALICE = ("alice.martin@testville.test", "Alice Martin")
BOB = ("bob.durand@testville.test", "Bob Durand")
OLIVIA = ("olivia.exterieure@aude-prefecture.test", "Olivia Extérieure")

_names = itertools.count(1)

expect.set_options(timeout=15_000)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if Path(str(item.fspath)).is_relative_to(here):
            item.add_marker(pytest.mark.browser)
            # In a full run the browser tests share a worker with other modules; a socket
            # another module left to the garbage collector (seen once, fd of a closed socket)
            # must not be blamed on whichever browser test happens to trigger the collection.
            item.add_marker(
                pytest.mark.filterwarnings(
                    "ignore:Exception ignored in. <socket.socket:pytest.PytestUnraisableExceptionWarning"
                )
            )


@pytest.fixture(scope="session", autouse=True)
def _end_stray_connections() -> None:
    """The browser tests use no Django test database (the server has its own): no cleanup."""


@pytest.fixture(scope="session")
def server() -> Iterator[Server]:
    srv = Server()
    srv.create_database()
    try:
        srv.cli("migrate", "--verbosity", "0")
        srv.cli("demo")
        srv.cli(
            "org", "add", "Mairie de Testville", "--domain", "testville.test", "--kind", "commune"
        )
        srv.cli(
            "org",
            "add",
            "Préfecture de l'Aude",
            "--domain",
            "aude-prefecture.test",
            "--kind",
            "etat",
        )
        for email, name in (ALICE, BOB, OLIVIA):
            srv.cli("user", "add", email, "--password", PASSWORD, "--name", name)
        srv.start()
        yield srv
    finally:
        srv.stop()
        srv.drop_database()


@pytest.fixture(scope="session")
def playwright_instance() -> Iterator[Playwright]:
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright_instance: Playwright) -> Iterator[Browser]:
    browser = playwright_instance.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture
def new_context(browser: Browser, server: Server) -> Iterator[Callable[..., BrowserContext]]:
    contexts: list[BrowserContext] = []

    def make(**options: Any) -> BrowserContext:
        options = {
            "base_url": server.url,
            "locale": "fr-FR",
            "timezone_id": "Europe/Paris",
            "viewport": {"width": 1280, "height": 800},
            **options,
        }
        context = browser.new_context(**options)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page_errors() -> list[str]:
    return []


@pytest.fixture
def session(new_context: Callable[..., BrowserContext]) -> Callable[..., BrowserContext]:
    """A browser context logged in through the API (the login form has its own test)."""

    def make(email: str, password: str = PASSWORD, **options: Any) -> BrowserContext:
        context = new_context(**options)
        response = context.request.post(
            "/api/v1/session", data={"email": email, "password": password}
        )
        assert response.status == 200, response.text()
        context.preau_email = email  # type: ignore[attr-defined]
        return context

    return make


@pytest.fixture
def open_app(page_errors: list[str]) -> Callable[..., Page]:
    def make(context: BrowserContext, path: str = "/") -> Page:
        page = context.new_page()
        page.on("pageerror", lambda exc: page_errors.append(str(exc)))
        page.goto(path)
        expect(page.locator("body")).to_have_attribute("data-ready", "true")
        return page

    return make


@pytest.fixture
def login(
    session: Callable[..., BrowserContext], open_app: Callable[..., Page]
) -> Callable[..., Page]:
    """The main screen of a logged-in agent."""

    def make(email: str, password: str = PASSWORD, path: str = "/", **options: Any) -> Page:
        return open_app(session(email, password, **options), path)

    return make


def unique(prefix: str) -> str:
    return f"{prefix} {next(_names)}-{os.getpid()}"


def screenshot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=False)


__all__ = ["ALICE", "BOB", "DEMO_PASSWORD", "OLIVIA", "PASSWORD", "screenshot", "unique"]
