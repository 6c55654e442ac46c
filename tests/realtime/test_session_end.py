"""Ending sessions (log out everywhere, password change) closes their sockets with 4401."""

from __future__ import annotations

import json

import pytest
from channels.db import database_sync_to_async
from django.test import Client

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


@database_sync_to_async
def browser_login(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    response = client.post(
        "/api/v1/session",
        data=json.dumps({"email": user.email, "password": PASSWORD}),
        content_type="application/json",
    )
    assert response.status_code == 200
    return client


def cookie_headers(client: Client) -> list[tuple[bytes, bytes]]:
    return [
        (b"cookie", f"sessionid={client.cookies['sessionid'].value}".encode()),
        (b"host", b"testserver"),
        (b"origin", b"http://testserver"),
    ]


@database_sync_to_async
def api_post(client: Client, path: str, body: dict):  # type: ignore[no-untyped-def]
    return client.post("/api/v1" + path, data=json.dumps(body), content_type="application/json")


async def test_logout_everywhere_closes_every_session_socket_with_4401(connect, alice, bob):
    laptop, phone = await browser_login(alice), await browser_login(alice)
    laptop_socket = await connect(headers=cookie_headers(laptop))
    phone_socket = await connect(headers=cookie_headers(phone))
    token_socket = await connect(alice)
    bobs_socket = await connect(headers=cookie_headers(await browser_login(bob)))

    response = await api_post(laptop, "/sessions/logout-all", {})

    assert response.status_code == 200, response.content
    for socket in (laptop_socket, phone_socket):
        closed = await socket.recv_until(lambda f: f["type"] == "__closed__", timeout=5)
        assert closed["code"] == 4401
    assert (await token_socket.request({"type": "ping"}))["type"] == "pong"
    assert (await bobs_socket.request({"type": "ping"}))["type"] == "pong"


async def test_a_password_change_closes_the_other_sessions_sockets_with_4401(connect, alice):
    laptop, phone = await browser_login(alice), await browser_login(alice)
    laptop_socket = await connect(headers=cookie_headers(laptop))
    phone_socket = await connect(headers=cookie_headers(phone))

    response = await api_post(
        laptop,
        "/me/password",
        {"old_password": PASSWORD, "new_password": "une-nouvelle-phrase-de-passe-9"},
    )

    assert response.status_code == 200, response.content
    closed = await phone_socket.recv_until(lambda f: f["type"] == "__closed__", timeout=5)
    assert closed["code"] == 4401
    assert (await laptop_socket.request({"type": "ping"}))["type"] == "pong"
