"""Every kind of response carries the no-indexing and security headers."""

from __future__ import annotations

from urllib.parse import urlsplit

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
        ("/members/", 302),  # the member directory, for agents only
        ("/members/1/", 302),  # a member's profile page
        ("/api/v1/members", 401),  # the directory's API
        ("/cv/987654/", 404),  # a CV that does not exist or is not published
        ("/contacts/", 302),  # one's contacts, for agents only
        ("/contacts/import/", 302),  # the contact import
        ("/api/v1/contacts", 401),  # the contacts' API
        ("/fiches/", 302),  # the knowledge base
        ("/fiches/1/", 302),  # a fiche
        ("/api/v1/fiches", 401),  # the fiches' API
        ("/emplois/", 302),  # the jobs board
        ("/api/v1/jobs", 401),  # the jobs' API
        ("/webinaires/", 302),  # the webinars' agenda
        ("/webinars/feed/not-a-secret.ics", 404),  # a calendar feed with a wrong secret
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


def test_robots_txt_allows_published_cvs_only():
    response = Client().get("/robots.txt")

    assert response.content.decode().split("\n")[:3] == [
        "User-agent: *",
        "Allow: /cv/",
        "Disallow: /",
    ]


def publish_cv(user, cv="## Parcours\n\nGestionnaire des marchés publics."):  # type: ignore[no-untyped-def]
    from backend.community.directory import member_profile_update

    member_profile_update(user=user, cv=cv, cv_public=True, skills=["Marchés publics"])


def test_a_published_cv_is_the_one_page_without_noindex(alice, api_for):
    publish_cv(alice)
    response = Client().get(f"/cv/{alice.pk}/")

    assert response.status_code == 200
    assert "X-Robots-Tag" not in response
    page = response.content.decode()
    assert "noindex" not in page
    assert "Gestionnaire des marchés publics." in page
    assert alice.email not in page
    for name, value in EXPECTED.items():
        if name != "X-Robots-Tag":
            assert response[name] == value
    # Everything else the same member reaches still carries noindex.
    client = Client()
    client.force_login(alice)
    for path in ("/members/", f"/members/{alice.pk}/", "/account/profile/", "/"):
        other = client.get(path)
        assert other["X-Robots-Tag"] == "noindex, nofollow", path
    own = api_for(alice).get(f"/members/{alice.pk}")
    assert own["X-Robots-Tag"] == "noindex, nofollow"


def test_an_unpublished_cv_is_not_found_and_not_indexable(alice):
    publish_cv(alice)
    from backend.community.directory import member_profile_update

    member_profile_update(user=alice, cv_public=False)
    response = Client().get(f"/cv/{alice.pk}/")

    assert response.status_code == 404
    assert_secure_headers(response)
    assert "Gestionnaire" not in response.content.decode()


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


def test_signed_in_pages_file_exports_and_calendar_feeds_carry_the_security_headers(api_for, alice):
    from backend.fiches import services as fiches
    from backend.messaging import services as messaging
    from backend.rooms import services as rooms
    from backend.webinars import services as webinars

    room = rooms.room_create(actor=alice, name="Budget", kind="private", access="invite").room
    root = messaging.message_send(actor=alice, room_id=room.pk, body="Le modèle ?").message
    fiche = fiches.fiche_create(actor=alice, thread=root.pk, title="Modèle", summary="Ici.").fiche
    feed = webinars.feed_token_rotate(actor=alice)
    browser = Client()
    browser.force_login(alice)
    api = api_for(alice)

    responses = [
        browser.get(path)
        for path in ("/", "/fiches/", f"/fiches/{fiche.pk}/", "/emplois/", "/webinaires/")
    ]
    responses.append(api.client.get(f"/api/v1/fiches/{fiche.pk}/export.md", headers=api.headers))
    responses.append(Client().get(urlsplit(feed.url).path))  # no session: the URL is the key

    for response in responses:
        assert response.status_code == 200, (response.request["PATH_INFO"], response.status_code)
        assert_secure_headers(response)
