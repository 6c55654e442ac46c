"""Bad input at every REST endpoint gets the contract's error shape and writes nothing.

The table below names every operation of the API; a test checks that it stays complete, so a
new endpoint cannot be added without its bad-input cases.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pyotp
import pytest
from django.conf import settings
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from backend.accounts import otp, passwords
from backend.accounts import services as accounts
from backend.accounts.models import ApiToken, DomainRequest, User, UserSession
from backend.api import api as ninja_api
from backend.contacts import services as contacts
from backend.contacts.models import Contact, ContactInvitation
from backend.direct import services as direct
from backend.direct.models import Block
from backend.fiches import services as fiches
from backend.fiches.models import Fiche
from backend.home.models import HomeSeen
from backend.integrations import announcements, outgoing
from backend.integrations import services as integrations
from backend.integrations.models import (
    Announcement,
    BotAvatar,
    BotGrant,
    IncomingWebhook,
    OutgoingWebhook,
)
from backend.jobs import services as jobs
from backend.jobs.models import JobOffer
from backend.messaging import services as messaging
from backend.messaging.models import Message, ThreadFollow
from backend.moderation import reports
from backend.moderation import services as moderation
from backend.rooms import services as rooms
from backend.rooms.models import Membership, Room
from backend.webinars import services as webinars
from backend.webinars.models import Question, Webinar
from tests.backend.conftest import row_counts

LONG = "x" * 10_001
PNG = (  # a 1×1 PNG
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00"
    b"\x00\x1f\x15\xc4\x89\x00\x00\x00\x0bIDATx\x9cc\xf8\x0f\x04\x00\t\xfb\x03\xfd\xfb^k+"
    b"\x00\x00\x00\x00IEND\xaeB`\x82"
)
UNKNOWN_ID = 987_654_321


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str  # {room_id}, {message_id}, {token_id} are filled in from the world fixture
    body: dict[str, Any] | None = None  # a valid body; None: the endpoint reads no body
    auth: bool = True
    long_fields: tuple[str, ...] = ()  # string fields where 10,001 characters is too_large
    query: dict[str, str] = field(default_factory=dict)  # bad query parameters -> 400
    params: str = ""  # query string of the valid request (required parameters)
    upload: bool | str = False  # the valid request uploads a small PDF ("image": a PNG)
    values: dict[str, str] = field(default_factory=dict)  # path id -> another world value

    @property
    def key(self) -> str:
        return f"{self.method} {self.path}"

    @property
    def ids(self) -> list[str]:
        names = (
            "room_id",
            "message_id",
            "token_id",
            "file_id",
            "bot_id",
            "announcement_id",
            "user_id",
            "report_id",
            "webhook_id",
            "session_id",
            "webinar_id",
            "question_id",
            "user_id",
            "job_id",
            "fiche_id",
        )
        return [p for p in names if "{" + p + "}" in self.path]


NEW_PASSWORD = "une-phrase-de-passe-solide-42"
DOC = {"url": "https://www.collectivites-locales.gouv.fr/", "title": "DGCL"}

ENDPOINTS = [
    Endpoint(
        "POST",
        "/session",
        {"email": "{alice}", "password": "{password}"},
        auth=False,
        long_fields=("email", "password"),
    ),
    Endpoint("DELETE", "/session"),
    Endpoint("GET", "/me"),
    Endpoint(
        "PATCH", "/me", {"name": "Alice M.", "job_title": "DGS"}, long_fields=("name", "job_title")
    ),
    Endpoint("DELETE", "/me", {"password": "{password}"}, long_fields=("password",)),
    Endpoint("GET", "/me/export"),
    Endpoint(
        "POST",
        "/signup",
        {
            "email": "nouvelle@villeurbanne.test",
            "password": NEW_PASSWORD,
            "name": "Nouvelle",
            "job_title": "DGS",
        },
        auth=False,
        long_fields=("email", "password", "name", "job_title"),
    ),
    Endpoint(
        "POST", "/signup/verify", {"token": "{verify_token}"}, auth=False, long_fields=("token",)
    ),
    Endpoint(
        "POST",
        "/domain-requests",
        {
            "email": "jean@trifouilly.test",
            "organisation_name": "Mairie",
            "organisation_kind": "commune",
            "message": "Bonjour",
        },
        auth=False,
        long_fields=("email", "organisation_name", "message"),
    ),
    Endpoint("POST", "/password-reset", {"email": "{alice}"}, auth=False, long_fields=("email",)),
    Endpoint(
        "POST",
        "/password-reset/confirm",
        {"token": "{reset_token}", "password": NEW_PASSWORD},
        auth=False,
        long_fields=("token", "password"),
    ),
    Endpoint(
        "POST",
        "/me/password",
        {"old_password": "{password}", "new_password": NEW_PASSWORD},
        long_fields=("old_password", "new_password"),
    ),
    Endpoint("GET", "/sessions"),
    Endpoint("GET", "/me/2fa"),
    Endpoint("POST", "/me/2fa"),
    Endpoint("POST", "/me/2fa/confirm", {"code": "{otp_code}"}, long_fields=("code",)),
    Endpoint("DELETE", "/me/2fa", {"password": "{password}"}, long_fields=("password",)),
    Endpoint("POST", "/sessions/logout-all"),
    Endpoint("DELETE", "/sessions/{session_id}"),
    Endpoint("POST", "/tokens", {"name": "script"}, long_fields=("name",)),
    Endpoint("GET", "/tokens"),
    Endpoint("DELETE", "/tokens/{token_id}"),
    Endpoint(
        "POST",
        "/rooms",
        {"name": "Nouveau", "kind": "private", "access": "invite", "description": "d"},
        long_fields=("name", "description"),
    ),
    Endpoint(
        "GET",
        "/rooms",
        query={
            "limit": "abc",
            "kind": "secret",
            "mine": "peut-être",
            "offset": "-1",
            "q": "x" * 201,
        },
    ),
    Endpoint("GET", "/rooms/{room_id}"),
    Endpoint("POST", "/rooms/{room_id}/join"),
    Endpoint("POST", "/rooms/{room_id}/leave"),
    Endpoint("POST", "/rooms/{room_id}/invite", {"email": "{carol}"}, long_fields=("email",)),
    Endpoint("GET", "/rooms/{room_id}/members"),
    Endpoint("GET", "/rooms/{room_id}/presence"),
    Endpoint(
        "GET", "/rooms/{room_id}/events", query={"after": "abc", "before": "0", "limit": "1000"}
    ),
    Endpoint("GET", "/themes"),
    Endpoint("GET", "/territories", query={"level": "canton", "limit": "abc"}),
    Endpoint(
        "POST",
        "/rooms/{room_id}/messages",
        {"body": "Bonjour", "client_id": "k", "documents": [DOC]},
        long_fields=("body", "client_id"),
    ),
    Endpoint(
        "PATCH",
        "/messages/{message_id}",
        {"body": "Corrigé", "documents": [DOC]},
        long_fields=("body",),
    ),
    Endpoint("DELETE", "/messages/{message_id}"),
    Endpoint("GET", "/messages/{message_id}"),
    Endpoint("GET", "/messages/{message_id}/history"),
    Endpoint("POST", "/messages/{message_id}/reactions", {"emoji": "👍"}, long_fields=("emoji",)),
    Endpoint("DELETE", "/messages/{message_id}/reactions", {"emoji": "👍"}, long_fields=("emoji",)),
    Endpoint("GET", "/messages/{message_id}/thread"),
    Endpoint("POST", "/messages/{message_id}/follow"),
    Endpoint("DELETE", "/messages/{message_id}/follow"),
    Endpoint("POST", "/messages/{message_id}/thread/read", {"seq": 1}),
    Endpoint("POST", "/rooms/{room_id}/read", {"seq": 1}),
    Endpoint("GET", "/mentions", query={"limit": "abc", "before": "-1"}),
    Endpoint("POST", "/rooms/{room_id}/files", upload=True),
    Endpoint("GET", "/files/{file_id}"),
    Endpoint(
        "GET",
        "/rooms/{room_id}/documents",
        query={"type": "video", "limit": "0", "thread": "abc", "q": "x" * 201},
    ),
    Endpoint(
        "GET",
        "/search",
        params="q=Original",
        query={
            "q": "x" * 201,
            "limit": "abc",
            "room": "-1",
            "author": "abc",
            "after": "hier",
            "has_document": "peut-être",
        },
    ),
]
ENDPOINTS += [
    Endpoint(
        "POST",
        "/bots",
        {"name": "Vigie", "description": "Alertes"},
        long_fields=("name", "description"),
    ),
    Endpoint("GET", "/bots"),
    Endpoint("POST", "/bots/{bot_id}/grants", {"room": "{room_id}"}),
    Endpoint("DELETE", "/bots/{bot_id}/grants/{room_id}"),
    Endpoint("POST", "/bots/{bot_id}/token/rotate"),
    Endpoint("GET", "/bots/{bot_id}/tokens"),
    Endpoint(
        "PATCH",
        "/bots/{bot_id}",
        {"name": "Vigie 2", "description": "Alertes"},
        long_fields=("name", "description"),
    ),
    Endpoint("POST", "/bots/{bot_id}/avatar", upload="image"),
    Endpoint("DELETE", "/bots/{bot_id}/avatar"),
    Endpoint("GET", "/bots/{bot_id}/avatar"),
    Endpoint("DELETE", "/bots/{bot_id}"),
    Endpoint("POST", "/bots/{bot_id}/hooks", {"room": "{room_id}"}),
    Endpoint(
        "POST", "/bots/{bot_id}/outgoing", {"url": "http://127.0.0.1:9/n"}, long_fields=("url",)
    ),
    Endpoint("GET", "/bots/{bot_id}/outgoing"),
    Endpoint("DELETE", "/bots/{bot_id}/outgoing/{webhook_id}"),
    Endpoint("POST", "/bots/{bot_id}/outgoing/{webhook_id}/secret/rotate"),
    Endpoint("GET", "/bots/{bot_id}/outgoing/{webhook_id}/deliveries"),
    Endpoint(
        "POST", "/announcements", {"body": "Annonce", "rooms": ["{room_id}"]}, long_fields=("body",)
    ),
    Endpoint("GET", "/announcements"),
    Endpoint("GET", "/announcements/{announcement_id}"),
    Endpoint("POST", "/announcements/{announcement_id}/cancel"),
    Endpoint("GET", "/rooms/{room_id}/announcements"),
]
ENDPOINTS += [  # moderation
    Endpoint("POST", "/messages/{message_id}/hide", {"reason": "Charte"}, long_fields=("reason",)),
    Endpoint("POST", "/messages/{message_id}/pin"),
    Endpoint("DELETE", "/messages/{message_id}/pin"),
    Endpoint("GET", "/rooms/{room_id}/pins"),
    Endpoint(
        "POST",
        "/messages/{message_id}/move",
        {"room": "{other_room_id}", "scope": "message", "reason": "Mieux rangé"},
        long_fields=("reason",),
    ),
    Endpoint("GET", "/rooms/{room_id}/moderation"),
    Endpoint("PATCH", "/rooms/{room_id}/policy", {"slow_mode_seconds": 5, "posting": "all"}),
    Endpoint(
        "POST",
        "/rooms/{room_id}/mutes",
        {"user": "{bob_id}", "seconds": 60, "reason": "Calme"},
        long_fields=("reason",),
    ),
    Endpoint(
        "POST",
        "/rooms/{room_id}/removals",
        {"user": "{bob_id}", "reason": "Hors sujet"},
        long_fields=("reason",),
    ),
    Endpoint(
        "POST",
        "/rooms/{room_id}/bans",
        {"user": "{bob_id}", "reason": "Insultes"},
        long_fields=("reason",),
    ),
    Endpoint("DELETE", "/rooms/{room_id}/bans/{user_id}", values={"user_id": "banned_id"}),
    Endpoint(
        "PUT",
        "/rooms/{room_id}/members/{user_id}/role",
        {"role": "moderator"},
        values={"user_id": "bob_id"},
    ),
    Endpoint(
        "POST",
        "/messages/{message_id}/report",
        {"reason": "Propos blessants"},
        long_fields=("reason",),
        values={"message_id": "bob_message_id"},
    ),
    Endpoint(
        "GET",
        "/reports",
        query={"status": "secret", "room": "abc"},
    ),
    Endpoint("GET", "/reports/mine"),
    Endpoint("GET", "/reports/{report_id}"),
    Endpoint(
        "POST",
        "/reports/{report_id}/handle",
        {"status": "resolved", "note": "Message masqué"},
        long_fields=("note",),
    ),
    Endpoint(
        "GET",
        "/audit",
        params="room={room_id}",
        query={
            "room": "abc",
            "limit": "0",
            "before": "-1",
            "action": "x" * 65,
            "actor": "abc",
            "since": "hier",
            "until": "2026-13-40",
        },
    ),
]
ENDPOINTS += [
    Endpoint("GET", "/webinars", query={"ended": "peut-être"}),
    Endpoint(
        "POST",
        "/webinars",
        {
            "room": "{room_id}",
            "title": "Retour d'expérience",
            "starts_at": "2031-03-01T10:00:00+01:00",
            "ends_at": "2031-03-01T11:00:00+01:00",
        },
        long_fields=("title",),
    ),
    Endpoint("GET", "/webinars/{webinar_id}"),
    Endpoint("PATCH", "/webinars/{webinar_id}", {"title": "Nouveau titre"}, long_fields=("title",)),
    Endpoint("POST", "/webinars/{webinar_id}/state", {"state": "live"}),
    Endpoint("POST", "/webinars/{webinar_id}/hosts", {"user": "{carol_id}", "role": "speaker"}),
    Endpoint("DELETE", "/webinars/{webinar_id}/hosts/{user_id}"),
    Endpoint("POST", "/webinars/{webinar_id}/registration"),
    Endpoint("DELETE", "/webinars/{webinar_id}/registration"),
    Endpoint("POST", "/webinars/{webinar_id}/highlight", {"question": "{question_id}"}),
    Endpoint("DELETE", "/webinars/{webinar_id}/highlight"),
    Endpoint(
        "GET",
        "/webinars/{webinar_id}/questions",
        query={"sort": "hasard", "moderation": "secret"},
    ),
    Endpoint(
        "POST",
        "/webinars/{webinar_id}/questions",
        {"body": "Quel calendrier ?"},
        long_fields=("body",),
    ),
    Endpoint("POST", "/webinars/{webinar_id}/promote", {"from_message": "{message_id}"}),
    Endpoint("GET", "/webinars/{webinar_id}/actions"),
    Endpoint("GET", "/webinars/{webinar_id}/export", query={"format": "pdf"}),
    Endpoint("GET", "/me/webinars.ics"),
    Endpoint("GET", "/rooms/{room_id}/webinars.ics"),
    Endpoint("GET", "/me/webinars/feed"),
    Endpoint("POST", "/me/webinars/feed"),
    Endpoint("DELETE", "/me/webinars/feed"),
    Endpoint("GET", "/questions/{question_id}"),
    Endpoint("POST", "/questions/{question_id}/vote"),
    Endpoint("DELETE", "/questions/{question_id}/vote"),
    Endpoint("POST", "/questions/{question_id}/moderation", {"action": "dismiss"}),
    Endpoint("POST", "/questions/{question_id}/answer-state", {"state": "open"}),
    Endpoint(
        "POST", "/questions/{question_id}/answer", {"answer": "Oui."}, long_fields=("answer",)
    ),
    Endpoint("PATCH", "/questions/{question_id}", {"body": "Reformulée"}, long_fields=("body",)),
    Endpoint("POST", "/questions/{question_id}/flags", {"labels": ["RH"]}),
    Endpoint("POST", "/questions/{question_id}/merge", {"into": "{other_question_id}"}),
    Endpoint("POST", "/questions/{question_id}/to-chat"),
]
ENDPOINTS += [  # community: levels, useful answers, the member directory
    Endpoint("PUT", "/messages/{message_id}/useful", values={"message_id": "bob_reply_id"}),
    Endpoint("DELETE", "/messages/{message_id}/useful", values={"message_id": "bob_reply_id"}),
    Endpoint("GET", "/account/level"),
    Endpoint(
        "GET",
        "/members",
        params="q=Bob&territory=69266",
        query={"q": "x" * 201, "territory": "123456", "job": "x" * 201},
    ),
    Endpoint("GET", "/members/territories"),
    Endpoint("GET", "/members/{user_id}", values={"user_id": "bob_id"}),
    Endpoint(
        "PATCH",
        "/account/directory-profile",
        {"skills": ["Marchés publics"], "cv": "## Parcours", "territory": ""},
    ),
]
ENDPOINTS += [  # jobs: the jobs board
    Endpoint(
        "GET",
        "/jobs",
        params="territory=69266",
        query={
            "limit": "abc",
            "offset": "-1",
            "territory": "123456",
            "territory_level": "canton",
            "category": "D",
            "field": "x" * 33,
            "mine": "peut-être",
        },
    ),
    Endpoint(
        "POST",
        "/jobs",
        {
            "title": "Secrétaire de mairie",
            "commune": "69266",
            "category": "B",
            "field": "administrative",
            "closes_on": "{closes_on}",
            "link": "https://www.emploi-territorial.fr/offre/1",
            "description": "## Missions",
        },
        long_fields=("title", "description", "link"),
    ),
    Endpoint("GET", "/jobs/{job_id}"),
    Endpoint(
        "PATCH",
        "/jobs/{job_id}",
        {"title": "Secrétaire général", "description": "Temps plein"},
        long_fields=("title", "description"),
    ),
    Endpoint("DELETE", "/jobs/{job_id}"),
]
ENDPOINTS += [  # contacts, contact import, invitations
    Endpoint("GET", "/contacts", params="q=Bob", query={"q": "x" * 201}),
    Endpoint("PUT", "/contacts/{user_id}", values={"user_id": "bob_id"}),
    Endpoint("DELETE", "/contacts/{user_id}", values={"user_id": "contact_id"}),
    Endpoint("POST", "/contact-import", {"text": "{carol}, Bob <{bob}>"}, query={"add": "x"}),
    Endpoint("POST", "/contact-import/file", upload="csv", query={"add": "x"}),
    Endpoint(
        "POST",
        "/contact-invitations",
        {"email": "invitee@villeurbanne.test"},
        long_fields=("email",),
    ),
]
ENDPOINTS += [  # direct messages and blocks
    Endpoint("POST", "/direct", {"user_ids": ["{carol_id}"]}),
    Endpoint("GET", "/direct"),
    Endpoint("GET", "/blocks"),
    Endpoint("POST", "/blocks", {"user_id": "{bob_id}"}),
    Endpoint("DELETE", "/blocks/{user_id}", values={"user_id": "blocked_id"}),
]
ENDPOINTS += [  # fiches pratiques
    Endpoint(
        "GET",
        "/fiches",
        query={"q": "x" * 201, "theme": "x" * 65, "territory": "123456", "limit": "0"},
    ),
    Endpoint(
        "POST",
        "/fiches",
        {"thread": "{message_id}", "title": "Fiche", "summary": "Synthèse"},
        long_fields=("title",),
    ),
    Endpoint("GET", "/fiches/{fiche_id}"),
    Endpoint("PATCH", "/fiches/{fiche_id}", {"title": "Titre revu"}, long_fields=("title",)),
    Endpoint("GET", "/fiches/{fiche_id}/history"),
    Endpoint("PUT", "/fiches/{fiche_id}/validation"),
    Endpoint("DELETE", "/fiches/{fiche_id}/validation"),
    Endpoint("PUT", "/fiches/{fiche_id}/publication"),
    Endpoint("DELETE", "/fiches/{fiche_id}/publication"),
    Endpoint("GET", "/fiches/{fiche_id}/export.md"),
    Endpoint("GET", "/fiches/{fiche_id}/files/{file_id}"),
]
ENDPOINTS += [  # the personal home feed
    Endpoint("GET", "/home", query={"before": "hier", "limit": "0"}),
    Endpoint("POST", "/home/seen", {"until": "2026-01-01T00:00:00+00:00"}, long_fields=("until",)),
]
WITH_BODY = [e for e in ENDPOINTS if e.body is not None]
WITH_IDS = [e for e in ENDPOINTS if e.ids]
WITH_AUTH = [e for e in ENDPOINTS if e.auth]


def _param(endpoints: list[Endpoint]) -> Any:
    return pytest.mark.parametrize("endpoint", endpoints, ids=[e.key for e in endpoints])


def test_the_table_names_every_operation_of_the_api():
    schema = ninja_api.get_openapi_schema()
    operations = {
        f"{method.upper()} {path.removeprefix('/api/v1')}"
        for path, ops in schema["paths"].items()
        for method in ops
        # /hooks/{secret} is outside the REST API: its bad input is in integrations/test_hooks.
        if path.startswith("/api/v1/")
    }
    assert {e.key for e in ENDPOINTS} == operations


# --- the world every case runs in ------------------------------------------------------------


@dataclass
class World:
    values: dict[str, Any]
    api: Any

    def path(self, endpoint: Endpoint, **ids: Any) -> str:
        values = {p: self.values[endpoint.values.get(p, p)] for p in endpoint.ids} | ids
        return endpoint.path.format(**values)

    def body(self, endpoint: Endpoint) -> dict[str, Any]:
        def fill(value: Any) -> Any:
            if isinstance(value, str) and value.startswith("{") and value.endswith("}"):
                return self.values[value[1:-1]]
            if isinstance(value, list):
                return [fill(v) for v in value]
            if isinstance(value, dict):
                return {k: fill(v) for k, v in value.items()}
            return value

        return fill(endpoint.body)

    def call(self, endpoint: Endpoint, path: str | None = None, **kw: Any) -> Any:
        if endpoint.upload and kw.get("body") is None and kw.get("raw") is None:
            response = self.api.client.post(
                "/api/v1" + (path or self.path(endpoint)),
                {
                    "file": SimpleUploadedFile("logo.png", PNG)
                    if endpoint.upload == "image"
                    else SimpleUploadedFile("carnet.csv", b"email\nx@villeurbanne.test\n")
                    if endpoint.upload == "csv"
                    else SimpleUploadedFile("note.pdf", b"%PDF-1.4\n%%EOF\n")
                },
                headers=self.api.headers,
            )
            response.json_body = json.loads(response.content) if response.content else None
            return response
        if path is None:
            params = endpoint.params.format(**self.values)
            path = self.path(endpoint) + (f"?{params}" if params else "")
        return self.api.call(endpoint.method, path, **kw)


@pytest.fixture
def world(api_for, make_agent, org, alice, bob, themes, territories) -> World:
    carol = make_agent(org, name="Carole")
    room = rooms.room_create(actor=alice, name="Cellule", kind="private", access="invite").room
    rooms.room_invite(actor=alice, room_id=room.pk, user_id=bob.pk)
    rooms.room_join(actor=bob, room_id=room.pk)
    message = messaging.message_send(actor=alice, room_id=room.pk, body="Original").message
    messaging.thread_follow(actor=alice, root_id=message.pk, follow=True)
    attachment = messaging.attachment_upload(
        actor=alice,
        room_id=room.pk,
        upload=SimpleUploadedFile("rbf.pdf", b"%PDF-1.4\n%%EOF\n"),
    )
    messaging.message_send(actor=alice, room_id=room.pk, body="Pièce", files=[attachment.pk])
    spare_token = accounts.token_create(user=alice, name="spare").record
    bot = integrations.bot_create(actor=alice, name="Vigie").record.user
    integrations.bot_grant(actor=alice, bot_id=bot.pk, room_id=room.pk)
    webhook = outgoing.outgoing_create(
        actor=alice, bot_id=bot.pk, url="http://127.0.0.1:9/n", rooms=[room.pk]
    ).webhook
    announcement = announcements.announcement_send(
        actor=alice,
        body="Annonce",
        audience=announcements.audience_resolve(rooms=[room.pk]),
        send_at=timezone.now() + timedelta(days=1),  # scheduled: it can be cancelled
    ).announcement
    other_room = rooms.room_create(
        actor=alice, name="Rangement", kind="private", access="invite"
    ).room
    bob_message = messaging.message_send(actor=bob, room_id=room.pk, body="Réponse").message
    report = reports.report_create(actor=bob, message_id=message.pk, reason="Doublon")
    moderation.member_remove(actor=alice, room_id=room.pk, user_id=carol.pk, ban=True)
    webinar = webinars.webinar_create(
        actor=alice,
        room_id=room.pk,
        title="Webinaire",
        starts_at="2031-03-01T10:00:00+01:00",
        ends_at="2031-03-01T11:00:00+01:00",
        premoderation=False,
    ).webinar
    webinars.host_set(actor=alice, webinar_id=webinar.pk, user_id=bob.pk, role="speaker")
    question = webinars.question_ask(actor=bob, webinar_id=webinar.pk, body="Quand ?").question
    webinars.question_answer(actor=alice, question_id=question.pk, answer="Demain.")
    other = webinars.question_ask(actor=bob, webinar_id=webinar.pk, body="Quand donc ?").question
    asked = messaging.message_send(actor=alice, room_id=room.pk, body="Question").message
    bob_reply = messaging.message_send(
        actor=bob, room_id=room.pk, body="Voici", thread=asked.pk
    ).message
    attachment.refresh_from_db()
    fiche = fiches.fiche_create(  # made of the message carrying the file
        actor=alice, messages=[attachment.message_id], title="Fiche", summary="Synthèse"
    ).fiche
    pending = User.objects.create_user(
        email="pending@villeurbanne.test", password=NEW_PASSWORD, name="En attente"
    )
    pending_agent = make_agent(org, name="Bloqué")
    closes_on = (timezone.localdate() + timedelta(days=30)).isoformat()
    job = jobs.job_create(
        actor=alice,
        title="Agent d'accueil",
        commune="69266",
        category="C",
        field="administrative",
        closes_on=closes_on,
        link="https://www.emploi-territorial.fr/offre/2",
    ).offer
    values = {
        "room_id": room.pk,
        "message_id": message.pk,
        "token_id": spare_token.pk,
        "file_id": attachment.pk,
        "bot_id": bot.pk,
        "announcement_id": announcement.pk,
        "other_room_id": other_room.pk,
        "bob_id": bob.pk,
        "banned_id": carol.pk,
        "bob_message_id": bob_message.pk,
        "report_id": report.pk,
        "webhook_id": webhook.pk,
        "session_id": UserSession.objects.create(user=alice, session_key="s" * 32).pk,
        "webinar_id": webinar.pk,
        "question_id": question.pk,
        "other_question_id": other.pk,
        "user_id": bob.pk,
        "carol_id": carol.pk,
        "bob_reply_id": bob_reply.pk,
        "job_id": job.pk,
        "closes_on": closes_on,
        "fiche_id": fiche.pk,
        "alice": alice.email,
        "carol": carol.email,
        "bob": bob.email,
        "contact_id": contacts.contact_add(actor=alice, user_id=carol.pk).contact.pk,
        "blocked_id": direct.block_add(actor=alice, user_id=pending_agent.pk).blocked.pk,
        "password": "correct-horse-battery-staple",
        "verify_token": accounts.verification_token(pending),
        "reset_token": passwords.password_reset_token(alice),
        "otp_code": pyotp.TOTP(otp.otp_enrol_start(user=alice).secret).now(),
    }
    return World(values=values, api=api_for(alice))


def state() -> dict[str, Any]:
    """Everything a request could change: row counts and the mutable columns."""
    return {
        **row_counts(),
        "messages": list(
            Message.objects.order_by("pk").values_list(
                "pk", "body", "documents", "edited_at", "deleted_at"
            )
        ),
        "roles": list(Membership.objects.order_by("pk").values_list("pk", "role", "last_read_seq")),
        "follows": list(ThreadFollow.objects.order_by("pk").values_list("pk", "last_read_seq")),
        "rooms": list(Room.objects.order_by("pk").values_list("pk", "name", "last_seq")),
        "users": list(
            User.objects.order_by("pk").values_list(
                "pk", "is_verified", "organisation_id", "password", "name", "job_title"
            )
        ),
        "tokens": list(ApiToken.objects.order_by("pk").values_list("pk", "revoked_at")),
        "requests": list(DomainRequest.objects.order_by("pk").values_list("pk", "status")),
        "grants": list(BotGrant.objects.order_by("pk").values_list("pk", "can_post", "can_read")),
        "hooks": list(IncomingWebhook.objects.order_by("pk").values_list("pk", "revoked_at")),
        "announcements": list(Announcement.objects.order_by("pk").values_list("pk", "status")),
        "avatars": list(BotAvatar.objects.order_by("pk").values_list("pk", "digest")),
        "bots": list(User.objects.filter(is_bot=True).values_list("pk", "name", "job_title")),
        "outgoing": list(OutgoingWebhook.objects.order_by("pk").values_list("pk", "secret")),
        "expiries": list(ApiToken.objects.order_by("pk").values_list("pk", "expires_at")),
        "webinars": list(
            Webinar.objects.order_by("pk").values_list(
                "pk", "title", "state", "highlighted", "intake_open"
            )
        ),
        "questions": list(
            Question.objects.order_by("pk").values_list(
                "pk", "body", "moderation", "answer_state", "answer", "votes", "labels", "pinned"
            )
        ),
        "fiches": list(
            Fiche.objects.order_by("pk").values_list(
                "pk", "title", "summary", "validated_at", "published_at", "revision_count"
            )
        ),
        "mail": len(mail.outbox),
        "jobs": list(
            JobOffer.objects.order_by("pk").values_list(
                "pk", "title", "description", "closes_on", "withdrawn_at"
            )
        ),
        "contacts": list(Contact.objects.order_by("pk").values_list("owner_id", "contact_id")),
        "invitations": ContactInvitation.objects.count(),
        "home_seen": list(HomeSeen.objects.order_by("pk").values_list("pk", "seen_until")),
        "blocks": list(Block.objects.order_by("pk").values_list("blocker_id", "blocked_id")),
    }


def assert_refused(response: Any, status: int, code: str) -> None:
    body = response.json_body
    assert (response.status_code, body.get("code") if isinstance(body, dict) else body) == (
        status,
        code,
    ), body
    assert isinstance(body["message"], str) and body["message"].strip()
    assert response["Content-Type"].startswith("application/json")


# --- the cases -------------------------------------------------------------------------------


@pytest.mark.django_db
@_param(WITH_BODY)
@pytest.mark.parametrize(
    "raw",
    ['{"body": ', "{'body': 'x'}", "nan", "\xff\xfe", "{}}"],
    ids=["truncated", "single-quotes", "nan", "binary", "trailing"],
)
def test_malformed_json_is_refused(world, endpoint, raw):
    before = state()

    response = world.call(endpoint, raw=raw.encode("latin-1"))

    assert_refused(response, 400, "bad_request")
    assert state() == before


@pytest.mark.django_db
@_param(WITH_BODY)
@pytest.mark.parametrize("raw", ["5", "[]", '"texte"', "null", "true"])
def test_a_body_that_is_not_an_object_is_refused(world, endpoint, raw):
    before = state()

    response = world.call(endpoint, raw=raw)

    assert_refused(response, 400, "bad_request")
    assert state() == before


def _wrong_types(value: Any) -> list[Any]:
    if isinstance(value, str):
        return [5, True, ["x"], {"x": 1}]
    if isinstance(value, list) and value and isinstance(value[0], int):
        return ["x", 5, ["5"], [True], [{"url": 5}]]  # a list of ids
    if isinstance(value, list):
        return ["x", 5, [5], [{"url": 5}]]
    if isinstance(value, int) and not isinstance(value, bool):
        return ["1", True, 1.5, [1], {"x": 1}, None]
    raise AssertionError(value)


@pytest.mark.django_db
@_param(WITH_BODY)
def test_each_field_of_the_wrong_type_is_refused(world, endpoint):
    valid = world.body(endpoint)
    for name, value in valid.items():
        for wrong in _wrong_types(value):
            before = state()

            response = world.call(endpoint, body={**valid, name: wrong})

            assert_refused(response, 400, "bad_request")
            assert state() == before, (name, wrong)


@pytest.mark.django_db
@_param(
    [
        e
        for e in WITH_BODY
        if e.key
        not in {
            "POST /tokens",
            "POST /rooms/{room_id}/invite",
            # Every field optional, or only "reason" (checked in tests/backend/moderation):
            "POST /messages/{message_id}/hide",
            "PATCH /rooms/{room_id}/policy",
            "POST /messages/{message_id}/report",
            # Every field optional: profile fields, a bot's name and description.
            "PATCH /me",
            "PATCH /bots/{bot_id}",
            "PATCH /account/directory-profile",
            "PATCH /jobs/{job_id}",
            # "until" is optional: now by default.
            "POST /home/seen",
        }
    ]
)
def test_missing_required_fields_are_refused(world, endpoint):
    valid = world.body(endpoint)
    required = [
        n
        for n in valid
        if n
        not in {
            "job_title",
            "organisation_kind",
            "message",
            "description",
            "client_id",
            "documents",
            "reason",
            "note",
            "scope",
        }
    ]
    assert required
    for name in required:
        before = state()

        response = world.call(endpoint, body={k: v for k, v in valid.items() if k != name})

        assert_refused(response, 400, "bad_request")
        assert state() == before, name
    assert_refused(world.call(endpoint, body={}), 400, "bad_request")


@pytest.mark.django_db
@_param([e for e in WITH_BODY if e.long_fields])
def test_a_string_of_10001_characters_is_too_large(world, endpoint):
    valid = world.body(endpoint)
    for name in endpoint.long_fields:
        before = state()

        response = world.call(endpoint, body={**valid, name: LONG})

        assert_refused(response, 413, "too_large")
        assert state() == before, name


@pytest.mark.django_db
@_param(WITH_BODY)
def test_a_request_over_the_upload_limit_is_too_large(world, endpoint):
    before = state()
    padding = "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)

    response = world.call(endpoint, raw=json.dumps({**world.body(endpoint), "padding": padding}))

    assert_refused(response, 413, "too_large")
    assert state() == before


@pytest.mark.django_db
@_param([e for e in WITH_BODY if "documents" in (e.body or {})])
@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(document.cookie)",
        "JAVASCRIPT:alert(1)",
        "\tjavascript:alert(1)",
        "data:text/html;base64,PHNjcmlwdD4=",
    ],
)
def test_a_javascript_document_url_is_refused(world, endpoint, url):
    before = state()

    response = world.call(
        endpoint, body={**world.body(endpoint), "documents": [{"url": url, "title": "Clique"}]}
    )

    assert_refused(response, 400, "bad_request")
    assert response.json_body["reason"] == "bad_document_url"
    assert state() == before


@pytest.mark.django_db
@_param(WITH_IDS)
def test_an_unknown_id_is_not_found(world, endpoint):
    ids = {name: UNKNOWN_ID for name in endpoint.ids}
    before = state()

    response = world.call(
        endpoint,
        path=world.path(endpoint, **ids),
        body=world.body(endpoint) if endpoint.body else None,
    )

    assert_refused(response, 404, "not_found")
    assert state() == before


@pytest.mark.django_db
@_param(WITH_IDS)
@pytest.mark.parametrize("bad_id", ["abc", "1.5", "0", "-3", "99999999999999999999999999"])
def test_an_id_that_is_not_a_positive_integer_is_refused(world, endpoint, bad_id):
    ids = {name: bad_id for name in endpoint.ids}
    before = state()

    response = world.call(
        endpoint,
        path=world.path(endpoint, **ids),
        body=world.body(endpoint) if endpoint.body else None,
    )

    assert_refused(response, 400, "bad_request")
    assert state() == before


@pytest.mark.django_db
@_param([e for e in ENDPOINTS if e.query])
def test_bad_query_parameters_are_refused(world, endpoint):
    for name, value in endpoint.query.items():
        params = f"{endpoint.params}&" if endpoint.params else ""
        response = world.call(endpoint, path=f"{world.path(endpoint)}?{params}{name}={value}")

        assert_refused(response, 400, "bad_request")


@pytest.mark.django_db
@_param(WITH_AUTH)
def test_a_call_without_credentials_is_unauthorized(world, api_for, endpoint):
    anonymous = api_for(None)
    before = state()

    response = anonymous.call(
        endpoint.method, world.path(endpoint), body=world.body(endpoint) if endpoint.body else None
    )

    assert_refused(response, 401, "unauthorized")
    assert state() == before


@pytest.mark.django_db
@_param(ENDPOINTS)
def test_the_valid_request_of_the_table_succeeds(world, endpoint):
    """Keeps the table honest: each refusal above is about the bad part, not the rest."""
    response = world.call(endpoint, body=world.body(endpoint) if endpoint.body else None)

    assert response.status_code in (200, 201, 202, 204), response.json_body
