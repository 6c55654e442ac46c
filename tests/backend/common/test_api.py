"""The API as a whole: its OpenAPI document, its docs page and the language of its errors."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from openapi_spec_validator import OpenAPIV31SpecValidator, validate

pytestmark = pytest.mark.django_db


def test_the_openapi_document_is_served_and_valid_openapi_3_1():
    response = Client().get("/api/v1/openapi.json")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    spec = json.loads(response.content)
    assert spec["openapi"].startswith("3.1")
    validate(spec, cls=OpenAPIV31SpecValidator)
    paths = spec["paths"]
    for path in (
        "/api/v1/session",
        "/api/v1/rooms",
        "/api/v1/rooms/{room_id}/join",
        "/api/v1/rooms/{room_id}/leave",
        "/api/v1/rooms/{room_id}/invite",
        "/api/v1/rooms/{room_id}/members",
        "/api/v1/rooms/{room_id}/events",
        "/api/v1/rooms/{room_id}/messages",
    ):
        assert path in paths, path
    errors = paths["/api/v1/rooms/{room_id}/messages"]["post"]["responses"]
    assert {"201", "400", "401", "403", "404", "409", "413"} <= set(errors)


def test_the_openapi_document_describes_the_slack_compatible_incoming_webhook():
    spec = json.loads(Client().get("/api/v1/openapi.json").content)

    operation = spec["paths"]["/hooks/{secret}"]["post"]

    assert operation["security"] == []
    assert set(operation["requestBody"]["content"]) == {
        "application/json",
        "application/x-www-form-urlencoded",
    }
    payload = operation["requestBody"]["content"]["application/json"]["schema"]["properties"]
    assert {"text", "attachments", "blocks", "channel", "username", "icon_url"} <= set(payload)
    assert set(operation["responses"]["200"]["content"]) == {"text/plain"}
    assert {"400", "403", "404", "413", "429"} <= set(operation["responses"])
    assert "Retry-After" in operation["responses"]["429"]["headers"]


def test_the_interactive_docs_render():
    response = Client().get("/api/v1/docs")

    assert response.status_code == 200
    assert "openapi.json" in response.content.decode()


def test_errors_are_in_french_by_default(api_for, alice):
    response = Client().get("/api/v1/me")

    assert response.status_code == 401
    assert response.json() == {"code": "unauthorized", "message": "Authentification requise."}


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("fr", "Le domaine inconnu.test n'est rattaché à aucune organisation inscrite sur Préau."),
        ("fr-FR,fr;q=0.9,en;q=0.5", "Le domaine inconnu.test n'est rattaché à aucune organisation"),
        ("en", "The domain inconnu.test does not belong to any organisation registered on Préau."),
        ("en-GB,en;q=0.9", "The domain inconnu.test does not belong to any organisation"),
    ],
)
def test_error_messages_follow_accept_language(api_for, org, language, message):
    response = api_for(None).post(
        "/signup",
        {"email": "jean@inconnu.test", "password": "une-phrase-solide-42", "name": "Jean"},
        **{"Accept-Language": language},
    )

    assert response.status_code == 400
    assert response.json_body["code"] == "bad_request"
    assert response.json_body["reason"] == "domain_not_registered"
    assert response.json_body["message"].startswith(message)


@pytest.mark.parametrize(
    ("language", "not_found", "bad_json", "too_large"),
    [
        (
            "fr",
            "Introuvable.",
            "Le corps de la requête n'est pas un JSON valide.",
            "Le message dépasse",
        ),
        ("en", "Not found.", "The request body is not valid JSON.", "The message is longer than"),
    ],
)
def test_common_errors_are_translated(
    api_for, make_room, alice, language, not_found, bad_json, too_large
):
    api = api_for(alice)
    room = make_room(alice)
    lang = {"Accept-Language": language}

    missing = api.get("/rooms/987654321/events", **lang)
    malformed = api.post(f"/rooms/{room.pk}/messages", raw='{"body": ', **lang)
    long = api.post(f"/rooms/{room.pk}/messages", {"body": "x" * 10_001}, **lang)

    assert missing.json_body == {"code": "not_found", "message": not_found}
    assert malformed.json_body == {"code": "bad_request", "message": bad_json}
    assert long.json_body["code"] == "too_large"
    assert long.json_body["message"].startswith(too_large)


def test_an_unknown_api_path_answers_in_the_contract_shape(db):
    response = Client().get("/api/v1/nothing-here")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
