"""Small helpers shared by the browser tests."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import BrowserContext, Locator, Page


def api(who: Page | BrowserContext, method: str, path: str, data: Any = None) -> Any:
    """Call /api/v1/ with the session cookie and CSRF token of a page or context."""
    context = who.context if isinstance(who, Page) else who
    cookies = {c["name"]: c["value"] for c in context.cookies()}
    headers = {"X-CSRFToken": cookies.get("csrftoken", "")}
    return context.request.fetch("/api/v1" + path, method=method, data=data, headers=headers)


def api_ok(who: Page | BrowserContext, method: str, path: str, data: Any = None) -> Any:
    response = api(who, method, path, data)
    assert response.ok, f"{method} {path}: {response.status} {response.text()}"
    return response.json() if response.body() else None


def private_room(
    owner: Page | BrowserContext, name: str, *guests: tuple[Page | BrowserContext, str]
) -> int:
    """A private room of `owner` that each guest (with its email) has joined."""
    room = api_ok(owner, "POST", "/rooms", {"name": name, "kind": "private", "access": "invite"})
    for guest, email in guests:
        api_ok(owner, "POST", f"/rooms/{room['id']}/invite", {"email": email})
        api_ok(guest, "POST", f"/rooms/{room['id']}/join")
    return room["id"]


def open_room(page: Page, room_id: int) -> None:
    page.goto(f"/#/room/{room_id}")


def messages(page: Page, text: str) -> Locator:
    return page.locator("#message-list li.message").filter(has_text=text)


def send(page: Page, text: str) -> None:
    composer = page.get_by_role("textbox", name="Message dans")
    composer.fill(text)
    composer.press("Enter")
