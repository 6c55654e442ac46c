"""GDPR beyond messages: webinars, fiches, job offers, contacts and calendar links, in the data
export and at account erasure (both modes)."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from backend.contacts.models import Contact, ContactInvitation
from backend.fiches import services as fiches
from backend.fiches.models import FicheContributor, FicheRevision
from backend.jobs.models import JobOffer
from backend.messaging import services as messaging
from backend.privacy import services as privacy
from backend.rooms import services as rooms
from backend.rooms.models import RoomEvent
from backend.webinars import services as webinars
from backend.webinars.models import FeedToken, Host, Question, Registration, Vote
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

LINK = {"url": "https://www.collectivites-locales.gouv.fr/", "title": "Portail DGCL"}


@pytest.fixture
def shared(alice, bob):  # type: ignore[no-untyped-def]
    room = rooms.room_create(actor=alice, name="Cellule RH", kind="private", access="invite").room
    rooms.room_invite(actor=alice, room_id=room.pk, user_id=bob.pk)
    rooms.room_join(actor=bob, room_id=room.pk)
    return room


@pytest.fixture
def webinar(alice, shared):  # type: ignore[no-untyped-def]
    """Alice moderates; no pre-moderation, so questions are published at once."""
    start = timezone.now() + timedelta(days=1)
    return webinars.webinar_create(
        actor=alice,
        room_id=shared.pk,
        title="Le télétravail dans la fonction publique",
        starts_at=start.isoformat(),
        ends_at=(start + timedelta(hours=1)).isoformat(),
        premoderation=False,
    ).webinar


def ask(user, webinar, body: str):  # type: ignore[no-untyped-def]
    return webinars.question_ask(actor=user, webinar_id=webinar.pk, body=body).question


def export_of(user) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    out = io.BytesIO()
    privacy.user_export(user=user, out=out)
    archive = zipfile.ZipFile(out)
    return {
        name: json.loads(archive.read(name)) if name.endswith(".json") else archive.read(name)
        for name in archive.namelist()
    }


def everything(content: dict[str, Any]) -> str:
    return json.dumps({k: v for k, v in content.items() if k.endswith(".json")}, ensure_ascii=False)


def room_events_text(room) -> str:  # type: ignore[no-untyped-def]
    data = list(RoomEvent.objects.filter(room=room).values_list("data", flat=True))
    return json.dumps(data, ensure_ascii=False)


# --- export ----------------------------------------------------------------------------------


def test_the_export_holds_my_webinar_registrations_questions_votes_and_nothing_of_others(
    alice, bob, webinar
):
    webinars.registration_set(actor=bob, webinar_id=webinar.pk, registered=True)
    mine = ask(bob, webinar, "Quel matériel est fourni ?")
    hers = ask(alice, webinar, "Combien de jours par semaine ?")
    webinars.question_vote(actor=bob, question_id=hers.pk, vote=True)
    webinars.question_edit(actor=alice, question_id=mine.pk, body="Quel équipement est fourni ?")
    feed = webinars.feed_token_rotate(actor=bob)

    content = export_of(bob)

    data = content["webinars.json"]
    assert [r["webinar"]["id"] for r in data["registrations"]] == [webinar.pk]
    assert [(q["id"], q["body"], q["edited_by_host"]) for q in data["questions"]] == [
        (mine.pk, "Quel matériel est fourni ?", True)
    ]
    assert [v["question"] for v in data["votes"]] == [hers.pk]
    assert data["calendar_feed"]["prefix"] == feed.secret[:6]
    assert data["hosted"] == []
    text = everything(content)
    assert feed.secret not in text
    assert "Combien de jours" not in text
    assert "webinars.json" in content["README.txt"].decode()
    hosts_view = export_of(alice)["webinars.json"]
    assert [(h["webinar"]["id"], h["role"]) for h in hosts_view["hosted"]] == [
        (webinar.pk, Host.Role.MODERATOR)
    ]
    assert "Quel matériel" not in everything(export_of(alice))


def make_fiche_of_thread(alice, bob, room):  # type: ignore[no-untyped-def]
    """Alice asks, Bob answers with a link; Alice makes the fiche, Bob edits it."""
    root = messaging.message_send(
        actor=alice, room_id=room.pk, body="Comment organiser les astreintes ?"
    ).message
    messaging.message_send(
        actor=bob,
        room_id=room.pk,
        body="Voici la délibération type.",
        thread=root.pk,
        documents=[LINK],
    )
    fiche = fiches.fiche_create(
        actor=alice,
        thread=root.pk,
        title="Organiser les astreintes",
        summary="Une délibération fixe les astreintes.",
    ).fiche
    fiches.fiche_update(
        actor=bob,
        fiche_id=fiche.pk,
        summary="Une délibération du conseil fixe les astreintes et leur indemnisation.",
        note="Précision sur l'indemnisation",
    )
    return fiche


def test_the_export_holds_my_fiches_my_revisions_and_my_credits(alice, bob, shared):
    fiche = make_fiche_of_thread(alice, bob, shared)

    bobs = export_of(bob)["fiches.json"]
    alices = export_of(alice)["fiches.json"]

    assert bobs["created"] == []
    assert [(r["fiche"], r["number"], r["note"]) for r in bobs["revisions"]] == [
        (fiche.pk, 2, "Précision sur l'indemnisation")
    ]
    assert "indemnisation" in bobs["revisions"][0]["summary"]
    assert [(c["fiche"], c["source_author"], c["editor"]) for c in bobs["credits"]] == [
        (fiche.pk, True, True)
    ]
    assert [f["id"] for f in alices["created"]] == [fiche.pk]
    assert [r["number"] for r in alices["revisions"]] == [1]


def test_the_export_of_someone_with_no_webinar_or_fiche_is_empty_not_missing(outsider):
    content = export_of(outsider)

    assert content["webinars.json"] == {
        "registrations": [],
        "hosted": [],
        "questions": [],
        "votes": [],
        "calendar_feed": None,
    }
    assert content["fiches.json"] == {"created": [], "revisions": [], "credits": []}


# --- erasure, delete mode ----------------------------------------------------------------------


def test_delete_mode_erases_my_webinar_questions_and_takes_back_my_votes(
    alice, bob, webinar, shared, django_capture_on_commit_callbacks, published, api_for
):
    webinars.registration_set(actor=bob, webinar_id=webinar.pk, registered=True)
    mine = ask(bob, webinar, "Faut-il un avenant au contrat ?")
    webinars.question_edit(actor=alice, question_id=mine.pk, body="Un avenant est-il requis ?")
    webinars.question_highlight(actor=alice, webinar_id=webinar.pk, question_id=mine.pk)
    webinars.question_answer(actor=alice, question_id=mine.pk, answer="Oui, c'est nécessaire.")
    qa = webinars.question_to_chat(actor=alice, question_id=mine.pk)
    assert "Bob Durand" in qa.body and "requis" in qa.body
    hers = ask(alice, webinar, "Et pour les contractuels ?")
    webinars.question_vote(actor=bob, question_id=hers.pk, vote=True)
    webinars.feed_token_rotate(actor=bob)
    assert "avenant" in room_events_text(shared)

    with django_capture_on_commit_callbacks(execute=True):
        privacy.account_erase(user=bob, password=PASSWORD, mode="delete")

    mine.refresh_from_db()
    assert (mine.body, mine.original_body, mine.moderation) == ("", "", "dismissed")
    assert "avenant" not in room_events_text(shared)
    kinds = [
        (e.kind, e.data.get("id")) for e in RoomEvent.objects.filter(room=shared).order_by("seq")
    ]
    assert ("question.removed", mine.pk) in kinds
    webinar.refresh_from_db()
    assert webinar.highlighted_id is None
    hers.refresh_from_db()
    assert hers.votes == 0
    assert not Vote.objects.filter(user=bob).exists()
    assert not Registration.objects.filter(user=bob).exists()
    assert not FeedToken.objects.filter(user=bob).exists()
    # Her question and its author are untouched.
    assert (hers.body, hers.moderation) == ("Et pour les contractuels ?", "published")
    # The room sees the question go; nobody sees its words in any frame.
    assert "avenant" not in json.dumps([p for _, p in published], ensure_ascii=False)
    # Alice's Q&A message no longer quotes or names Bob, nor do its events or the search.
    qa.refresh_from_db()
    assert "requis" not in qa.body and "Bob" not in qa.body
    assert "question effacée" in qa.body and "c'est nécessaire" in qa.body
    assert "requis" not in room_events_text(shared)
    assert api_for(alice).get("/search?q=requis").json_body["results"] == []


def test_delete_mode_removes_me_from_the_fiches_and_their_documents_from_my_messages(
    alice, bob, shared, api_for
):
    fiche = make_fiche_of_thread(alice, bob, shared)

    privacy.account_erase(user=bob, password=PASSWORD, mode="delete")

    assert not FicheContributor.objects.filter(user=bob).exists()
    revision = FicheRevision.objects.get(fiche=fiche, number=2)
    assert (revision.author_id, revision.note) == (None, "")
    detail = api_for(alice).get(f"/fiches/{fiche.pk}").json_body
    assert [c["id"] for c in detail["contributors"]] == [alice.pk]
    assert detail["documents"] == []
    assert "indemnisation" in detail["summary"]  # the shared knowledge stays
    history = api_for(alice).get(f"/fiches/{fiche.pk}/history").json_body
    assert [h["author"] for h in history] == [{"id": alice.pk, "name": alice.name}, None]
    fiche.refresh_from_db()
    assert "Portail DGCL" not in fiche.search_text


def test_delete_mode_withdraws_my_job_offers_from_the_board(alice, bob, api_for, territories):
    body = {
        "title": "Chargé de mission RGPD",
        "commune": "69266",
        "category": "A",
        "field": "administrative",
        "closes_on": (timezone.localdate() + timedelta(days=30)).isoformat(),
        "link": "https://www.emploi-territorial.fr/offre/7",
    }
    bobs = api_for(bob).post("/jobs", body).json_body["id"]
    alices = api_for(alice).post("/jobs", {**body, "title": "Juriste"}).json_body["id"]

    privacy.account_erase(user=bob, password=PASSWORD, mode="delete")

    board = api_for(alice).get("/jobs").json_body
    ids = [o["id"] for o in board["jobs"]]
    assert bobs not in ids
    assert alices in ids
    assert api_for(alice).get(f"/jobs/{bobs}").status_code == 404
    assert JobOffer.objects.get(pk=bobs).withdrawn_at is not None


@pytest.mark.parametrize("mode", ["anonymise", "delete"])
def test_both_modes_remove_contacts_both_ways_invitations_and_the_calendar_link(
    alice, bob, outsider, webinar, mode
):
    Contact.objects.create(owner=alice, contact=bob)
    Contact.objects.create(owner=bob, contact=outsider)
    Contact.objects.create(owner=alice, contact=outsider)
    ContactInvitation.objects.create(inviter=bob, address_digest="0" * 64)
    webinars.feed_token_rotate(actor=bob)
    webinars.registration_set(actor=bob, webinar_id=webinar.pk, registered=True)
    webinars.host_set(actor=alice, webinar_id=webinar.pk, user_id=bob.pk, role="speaker")

    privacy.account_erase(user=bob, password=PASSWORD, mode=mode)

    assert list(Contact.objects.values_list("owner_id", "contact_id")) == [(alice.pk, outsider.pk)]
    assert not ContactInvitation.objects.filter(inviter=bob).exists()
    assert not FeedToken.objects.filter(user=bob).exists()
    assert not Registration.objects.filter(user=bob).exists()
    assert not Host.objects.filter(user=bob).exists()


# --- erasure, anonymise mode -------------------------------------------------------------------


def test_anonymise_mode_keeps_my_questions_under_former_member_and_my_offers(
    alice, bob, webinar, shared, api_for, territories
):
    mine = ask(bob, webinar, "Quelle charte informatique ?")
    webinars.question_answer(actor=alice, question_id=mine.pk, answer="Celle de 2024.")
    qa = webinars.question_to_chat(actor=alice, question_id=mine.pk)
    offer = (
        api_for(bob)
        .post(
            "/jobs",
            {
                "title": "Archiviste",
                "commune": "69266",
                "category": "B",
                "field": "culturelle",
                "closes_on": (timezone.localdate() + timedelta(days=30)).isoformat(),
                "link": "https://www.emploi-territorial.fr/offre/8",
            },
        )
        .json_body["id"]
    )
    fiche = make_fiche_of_thread(alice, bob, shared)

    privacy.account_erase(user=bob, password=PASSWORD, mode="anonymise")

    mine.refresh_from_db()
    assert (mine.body, mine.moderation) == ("Quelle charte informatique ?", "published")
    text = room_events_text(shared)
    assert "Quelle charte informatique ?" in text
    assert "Bob" not in text
    published = RoomEvent.objects.get(room=shared, kind="question.published", data__id=mine.pk)
    assert published.data["asker"] == {"id": bob.pk, "name": "Ancien membre"}
    assert api_for(alice).get(f"/jobs/{offer}").json_body["author"]["name"] == "Ancien membre"
    contributors = api_for(alice).get(f"/fiches/{fiche.pk}").json_body["contributors"]
    assert {"id": bob.pk, "name": "Ancien membre"} in [
        {"id": c["id"], "name": c["name"]} for c in contributors
    ]
    assert Question.objects.filter(author=bob).count() == 1
    qa.refresh_from_db()
    assert "Ancien membre" in qa.body and "Quelle charte informatique ?" in qa.body
    assert "Bob" not in qa.body


def test_the_export_holds_the_reports_i_filed_and_the_replies_i_marked_useful(alice, bob, shared):
    from backend.community.levels import useful_mark
    from backend.moderation.reports import report_create

    question = messaging.message_send(actor=bob, room_id=shared.pk, body="Une question ?").message
    reply = messaging.message_send(
        actor=alice, room_id=shared.pk, body="Une réponse.", thread=question.pk
    ).message
    useful_mark(actor=bob, message_id=reply.pk, useful=True)
    rude = messaging.message_send(actor=alice, room_id=shared.pk, body="Hors sujet").message
    report_create(actor=bob, message_id=rude.pk, reason="Propos hors charte")

    bobs = export_of(bob)
    alices = export_of(alice)

    assert [(r["message"], r["reason"]) for r in bobs["reports.json"]] == [
        (rude.pk, "Propos hors charte")
    ]
    assert [m["message"] for m in bobs["community.json"]["useful_marks_given"]] == [reply.pk]
    assert alices["reports.json"] == []
    assert "Propos hors charte" not in everything(alices)


@pytest.mark.parametrize(
    ("language", "export_says", "delete_says"),
    [
        (
            "fr",
            "vos questions et inscriptions aux webinaires",
            "vos offres d'emploi seront retirées",
        ),
        ("en", "your webinar questions and registrations", "your job offers will be withdrawn"),
    ],
)
def test_the_security_page_says_what_the_export_holds_and_what_deletion_erases(
    alice, settings, language, export_says, delete_says
):
    from django.test import Client

    settings.PREAU_ERASURE = "delete"
    browser = Client(HTTP_ACCEPT_LANGUAGE=language)
    browser.force_login(alice)

    page = browser.get("/account/security/").content.decode()

    assert export_says in page.replace("&#x27;", "'")
    assert delete_says in page.replace("&#x27;", "'")
