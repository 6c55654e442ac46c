"""The webinar REST API: the agenda, exports during a live webinar, iCalendar feeds, outsiders."""

from __future__ import annotations

import csv
import io

import pytest
from icalendar import Calendar

from backend.webinars import services

from .conftest import ask, make_webinar, set_state

pytestmark = pytest.mark.django_db


@pytest.fixture
def live(webinar, alice, bob, speaker):  # type: ignore[no-untyped-def]
    """A live webinar with a question in every state."""
    services.webinar_transition(actor=alice, webinar_id=webinar.pk, action="start")
    pending = ask(bob, webinar, body="=SOMME(A1:A9) en attente")
    answered = set_state(
        ask(bob, webinar, body="Répondue ?", anonymous=True), moderation="published"
    )
    services.question_answer(actor=speaker, question_id=answered.pk, answer="Oui, en direct.")
    services.question_flags(actor=alice, question_id=answered.pk, labels=["Budget"])
    dismissed = ask(bob, webinar, body="Écartée")
    services.question_moderate(actor=alice, question_id=dismissed.pk, action="dismiss")
    return {"pending": pending, "answered": answered, "dismissed": dismissed}


def test_the_csv_export_during_a_live_webinar_holds_every_question_with_its_state(
    api_for, alice, webinar, live
):
    response = api_for(alice).get(f"/webinars/{webinar.pk}/export?format=csv")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    header, body = rows[0], rows[1:]
    assert header[0] == "Question" and len(body) == 3
    by_text = {row[0]: row for row in body}
    answered = by_text["Répondue ?"]
    assert answered[1] == "Anonyme"  # the export never names an anonymous asker
    assert answered[3] == "Budget" and answered[4] == "Publiée" and answered[5] == "Répondue"
    assert answered[6] == "Oui, en direct."
    assert by_text["Écartée"][4] == "Écartée"
    # A cell a spreadsheet would run as a formula is defused.
    assert "'=SOMME(A1:A9) en attente" in by_text
    assert by_text["'=SOMME(A1:A9) en attente"][4] == "En attente"


def test_the_markdown_export_is_a_readable_report(api_for, alice, webinar, live):
    response = api_for(alice).get(f"/webinars/{webinar.pk}/export?format=md")

    text = response.content.decode()
    assert response["Content-Type"].startswith("text/markdown")
    assert text.startswith("# Dématérialiser les marchés publics")
    assert "3 questions" in text
    assert "Anonyme" in text and "Oui, en direct\\." in text
    assert "Bob Durand" in text  # the named questions keep their asker


def test_attendees_may_not_export(api_for, bob, outsider, webinar, live):
    assert api_for(bob).get(f"/webinars/{webinar.pk}/export").status_code == 403
    assert api_for(outsider).get(f"/webinars/{webinar.pk}/export").status_code == 404


def test_the_ics_feed_validates_and_lists_the_users_webinars(
    api_for, alice, bob, webinar, webinar_room
):
    other = make_webinar(alice, webinar_room)
    services.registration_set(actor=bob, webinar_id=webinar.pk, registered=True)

    response = api_for(bob).get("/me/webinars.ics")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    events = calendar.walk("VEVENT")
    assert [str(e["summary"]) for e in events] == [webinar.title]
    assert events[0]["dtstart"].dt == webinar.starts_at.replace(microsecond=0)
    assert str(events[0]["uid"]).startswith(f"webinar-{webinar.pk}@")
    room_feed = Calendar.from_ical(
        api_for(bob).get(f"/rooms/{webinar_room.pk}/webinars.ics").content
    )
    assert {str(e["summary"]) for e in room_feed.walk("VEVENT")} == {webinar.title, other.title}
    assert len(room_feed.walk("VEVENT")) == 2


def test_an_outsider_gets_no_feed_of_a_private_room(api_for, outsider, webinar, webinar_room):
    assert api_for(outsider).get(f"/rooms/{webinar_room.pk}/webinars.ics").status_code == 404
    calendar = Calendar.from_ical(api_for(outsider).get("/me/webinars.ics").content)
    assert calendar.walk("VEVENT") == []


def test_outsiders_see_no_webinar_and_no_question(api_for, outsider, webinar, bob):
    question = set_state(ask(bob, webinar), moderation="published")
    api = api_for(outsider)
    assert api.get("/webinars").json_body == []
    assert api.get(f"/webinars/{webinar.pk}").status_code == 404
    assert api.get(f"/webinars/{webinar.pk}/questions").status_code == 404
    assert api.get(f"/questions/{question.pk}").status_code == 404
    assert api.post(f"/questions/{question.pk}/vote").status_code == 404


def test_the_agenda_lists_upcoming_webinars_with_registration(api_for, bob, webinar):
    api = api_for(bob)
    assert api.post(f"/webinars/{webinar.pk}/registration").json_body["registered"] is True
    agenda = api.get("/webinars").json_body
    assert [(w["id"], w["registered"], w["registrations"]) for w in agenda] == [
        (webinar.pk, True, 1)
    ]


def test_an_attendee_asks_and_votes_over_rest(api_for, alice, bob, webinar):
    services.webinar_update(actor=alice, webinar_id=webinar.pk, premoderation=False)
    api = api_for(bob)
    created = api.post(f"/webinars/{webinar.pk}/questions", {"body": "Et le RGPD ?"})
    assert created.status_code == 201
    qid = created.json_body["id"]
    assert api.post(f"/questions/{qid}/vote").json_body == {
        "question": qid,
        "voted": True,
        "changed": True,
    }
    listing = api.get(f"/webinars/{webinar.pk}/questions?sort=time").json_body
    assert listing["voted"] == [qid] and listing["questions"][0]["votes"] == 1
    # The attendee's view has no hosts-only field.
    assert listing["questions"][0]["original_body"] is None
    assert listing["questions"][0]["askers"] is None


def test_webinar_errors_speak_the_callers_language(api_for, bob, webinar, alice):
    from backend.webinars import services as webinar_services

    webinar_services.webinar_update(actor=alice, webinar_id=webinar.pk, intake_open=False)
    api = api_for(bob)
    french = api.post(f"/webinars/{webinar.pk}/questions", {"body": "Q ?"})
    english = api.call(
        "POST", f"/webinars/{webinar.pk}/questions", {"body": "Q ?"}, **{"Accept-Language": "en"}
    )
    assert (french.status_code, french.json_body["code"]) == (409, "conflict")
    assert french.json_body["message"] == "Les questions sont fermées."
    assert english.json_body["message"] == "Questions are closed."
