"""Every kind of response carries the no-indexing and security headers."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

EXPECTED = {
    "X-Robots-Tag": "noindex, nofollow",
    "Referrer-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
}


def assert_secure_headers(response) -> None:  # type: ignore[no-untyped-def]
    for name, value in EXPECTED.items():
        assert response.get(name) == value, (name, response.get(name))
    csp = response["Content-Security-Policy"]
    directives = {d.strip().split(" ")[0]: d.strip() for d in csp.split(";")}
    assert directives["frame-ancestors"] == "frame-ancestors 'none'"
    assert "'unsafe-inline'" not in directives["script-src"]
    assert directives["object-src"] == "object-src 'none'"


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/verify/not-a-token", 400),  # a page
        ("/api/v1/rooms", 401),  # an API error
        ("/api/v1/nothing-here", 404),  # an API 404
        ("/nothing-here", 404),  # a 404 page
        ("/robots.txt", 200),
        ("/static/admin/css/base.css", 200),  # a static file, served by WhiteNoise
        ("/admin/login/", 200),  # a login page
        ("/login/", 200),  # the web client's login page (its own CSP, same guarantees)
        ("/", 302),  # the web client, sending an anonymous visitor to log in
        ("/api/v1/openapi.json", 200),  # API JSON
        ("/api/v1/docs", 200),  # the API's docs page
    ],
)
def test_every_kind_of_response_carries_the_security_headers(path, status):
    response = Client().get(path)
    response.close()  # a static file is streamed from an open file

    assert response.status_code == status
    assert_secure_headers(response)


def test_a_failed_login_carries_the_security_headers(alice):
    response = Client().post(
        "/api/v1/session",
        data={"email": alice.email, "password": "wrong-password-indeed"},
        content_type="application/json",
    )

    assert response.status_code == 401
    assert_secure_headers(response)


def test_robots_txt_disallows_everything():
    response = Client().get("/robots.txt")

    assert response.content.decode().split("\n")[:2] == ["User-agent: *", "Disallow: /"]


def test_a_page_that_sets_its_own_policy_keeps_it(rf):
    from django.http import HttpResponse

    from backend.common.middleware import SecurityHeadersMiddleware

    def view(request):  # type: ignore[no-untyped-def]
        response = HttpResponse("ok")
        response["Content-Security-Policy"] = "default-src 'none'"
        return response

    response = SecurityHeadersMiddleware(view)(rf.get("/"))

    assert response["Content-Security-Policy"] == "default-src 'none'"
    assert response["X-Robots-Tag"] == "noindex, nofollow"


def test_the_session_cookie_is_http_only_and_same_site_lax(alice):
    client = Client()
    response = client.post(
        "/api/v1/session",
        data={"email": alice.email, "password": "correct-horse-battery-staple"},
        content_type="application/json",
    )

    assert response.status_code == 200
    cookie = response.cookies["sessionid"]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"


def test_a_file_download_carries_the_security_headers(api_for, alice):
    api = api_for(alice)

    response = api.client.get("/api/v1/me/export", headers=api.headers)
    response.close()

    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Cache-Control"] == "no-store"
    assert_secure_headers(response)


def test_a_rate_limited_login_is_explained_in_english_too(alice):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    for _ in range(6):
        response = client.post(
            "/api/v1/session",
            data={"email": alice.email, "password": "wrong-password-indeed"},
            content_type="application/json",
        )

    assert response.status_code == 429
    assert response.json()["message"].startswith("Too many failed login attempts.")
    assert_secure_headers(response)
