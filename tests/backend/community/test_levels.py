"""Points and levels: the ledger, its idempotence, and the capabilities levels gate."""

from __future__ import annotations

from typing import Any

import pytest

from backend.common.errors import Forbidden, NotFound, RateLimited
from backend.community import levels
from backend.community.models import PointEntry, Standing
from backend.messaging import services as messaging
from backend.messaging.models import Message
from backend.moderation import reports
from backend.rooms import services as rooms

pytestmark = pytest.mark.django_db


def points(user: Any) -> int:
    standing = Standing.objects.filter(user=user).first()
    return standing.points if standing else 0


def test_a_new_member_posting_a_link_gets_a_clear_refusal(room, gates, bob, api_for):
    response = api_for(bob).post(
        f"/rooms/{room.pk}/messages", {"body": "Voir https://exemple.fr/guide"}
    )
    assert response.status_code == 403
    assert response.json_body["code"] == "forbidden"
    assert response.json_body["reason"] == "level_too_low"
    assert "nouveau membre" in response.json_body["message"]
    english = api_for(bob).post(
        f"/rooms/{room.pk}/messages",
        {"body": "See www.example.org"},
        **{"Accept-Language": "en"},
    )
    assert english.status_code == 403
    assert "new member" in english.json_body["message"]
    assert not Message.objects.filter(room=room, author=bob).exists()


def test_a_new_member_may_not_attach_documents(room, gates, bob):
    with pytest.raises(Forbidden) as refused:
        messaging.message_send(
            actor=bob,
            room_id=room.pk,
            body="Le guide",
            documents=[{"url": "https://exemple.fr/g.pdf", "title": "Guide"}],
        )
    assert refused.value.reason == "level_too_low"


def test_a_new_member_may_not_post_an_uploaded_file(room, gates, bob, api_for):
    from tests.backend.messaging.test_files import PDF, Uploader

    uploaded = Uploader(bob).upload(room.pk, "note.pdf", PDF)
    assert uploaded.status_code == 201, uploaded.content

    refused = api_for(bob).post(
        f"/rooms/{room.pk}/messages", {"body": "La note", "files": [uploaded.json()["id"]]}
    )

    assert refused.status_code == 403
    assert refused.json_body["reason"] == "level_too_low"
    assert not Message.objects.filter(room=room, author=bob).exists()


def test_reaching_the_threshold_lifts_the_refusal(room, gates, alice, bob):
    question = messaging.message_send(actor=alice, room_id=room.pk, body="Une question ?").message
    with pytest.raises(Forbidden):
        messaging.message_send(actor=bob, room_id=room.pk, body="https://exemple.fr")
    reply = messaging.message_send(
        actor=bob, room_id=room.pk, body="Une réponse", thread=question.pk
    ).message
    assert points(bob) == 5
    assert levels.level_of(bob.pk) == 1
    messaging.reaction_add(actor=alice, message_id=reply.pk, emoji="👍")
    assert points(bob) == 7
    assert levels.level_of(bob.pk) == 2
    sent = messaging.message_send(actor=bob, room_id=room.pk, body="https://exemple.fr/guide")
    assert sent.created


def test_the_author_level_travels_with_the_message_event(room, gates, alice, bob):
    question = messaging.message_send(actor=alice, room_id=room.pk, body="Q").message
    reply = messaging.message_send(actor=bob, room_id=room.pk, body="R", thread=question.pk)
    messaging.reaction_add(actor=alice, message_id=reply.message.pk, emoji="👍")
    later = messaging.message_send(actor=bob, room_id=room.pk, body="Merci").message
    event = room.events.get(message_id=later.pk, kind="message.created")
    assert event.data["author"] == {"id": bob.pk, "name": bob.name, "level": 2}


def test_removing_a_reaction_removes_its_point_and_emoji_do_not_add_up(room, alice, bob):
    message = messaging.message_send(actor=bob, room_id=room.pk, body="Astuce").message
    messaging.reaction_add(actor=alice, message_id=message.pk, emoji="👍")
    messaging.reaction_add(actor=alice, message_id=message.pk, emoji="🎉")
    messaging.reaction_add(actor=alice, message_id=message.pk, emoji="👍")
    assert points(bob) == 2
    messaging.reaction_remove(actor=alice, message_id=message.pk, emoji="👍")
    assert points(bob) == 2  # alice still reacts with 🎉
    messaging.reaction_remove(actor=alice, message_id=message.pk, emoji="🎉")
    assert points(bob) == 0
    lines = list(
        PointEntry.objects.filter(user=bob).order_by("pk").values_list("amount", flat=True)
    )
    assert lines == [2, -2]  # append-only: the withdrawal is a line of its own
    messaging.reaction_add(actor=alice, message_id=message.pk, emoji="👍")
    assert points(bob) == 2


def test_reacting_to_oneself_earns_nothing(room, bob):
    message = messaging.message_send(actor=bob, room_id=room.pk, body="Moi").message
    for emoji in ("👍", "🎉", "❤"):
        messaging.reaction_add(actor=bob, message_id=message.pk, emoji=emoji)
    question = messaging.message_send(actor=bob, room_id=room.pk, body="Ma question").message
    messaging.message_send(actor=bob, room_id=room.pk, body="Ma réponse", thread=question.pk)
    assert points(bob) == 0
    assert not PointEntry.objects.filter(user=bob).exists()


def test_an_upheld_report_costs_points_a_dismissed_one_does_not(room, alice, bob, make_agent, org):
    helper = make_agent(org, name="Hélène")
    rooms.room_invite(actor=alice, room_id=room.pk, user_id=helper.pk)
    rooms.room_join(actor=helper, room_id=room.pk)
    message = messaging.message_send(actor=bob, room_id=room.pk, body="Bof").message
    for user in (alice, helper):
        messaging.reaction_add(actor=user, message_id=message.pk, emoji="👍")
    assert points(bob) == 4
    first = reports.report_create(actor=helper, message_id=message.pk, reason="Hors sujet")
    reports.report_handle(actor=alice, report_id=first.pk, status="dismissed", note="Non")
    assert points(bob) == 4
    second = reports.report_create(actor=alice, message_id=message.pk, reason="Insultant")
    reports.report_handle(actor=alice, report_id=second.pk, status="resolved", note="Oui")
    assert points(bob) == 4 - 25
    assert PointEntry.objects.filter(user=bob, kind="report").count() == 1
    assert levels.standing_recompute(user_id=bob.pk).points == 4 - 25


def test_deleting_a_reply_takes_its_points_back(room, alice, bob):
    question = messaging.message_send(actor=alice, room_id=room.pk, body="Q").message
    reply = messaging.message_send(actor=bob, room_id=room.pk, body="R", thread=question.pk)
    assert points(bob) == 5
    messaging.message_delete(actor=bob, message_id=reply.message.pk)
    assert points(bob) == 0


def test_only_the_asker_marks_a_reply_useful(room, alice, bob, outsider, api_for):
    question = messaging.message_send(actor=alice, room_id=room.pk, body="Q").message
    reply = messaging.message_send(actor=bob, room_id=room.pk, body="R", thread=question.pk)
    path = f"/messages/{reply.message.pk}/useful"
    assert api_for(bob).call("PUT", path).status_code == 403
    assert api_for(outsider).call("PUT", path).status_code == 404
    done = api_for(alice).call("PUT", path)
    assert done.status_code == 200, done.json_body
    assert done.json_body == {"message": reply.message.pk, "useful": True}
    assert api_for(alice).call("PUT", path).status_code == 200  # idempotent
    assert points(bob) == 5 + 15
    event = room.events.filter(kind="message.useful").get()
    assert event.data == {"message": reply.message.pk, "thread": question.pk, "useful": True}
    thread = api_for(bob).get(f"/messages/{question.pk}/thread").json_body
    assert [r["useful"] for r in thread["replies"]] == [True]
    assert "useful" not in thread["root"]
    assert api_for(alice).delete(path).json_body["useful"] is False
    thread = api_for(bob).get(f"/messages/{question.pk}/thread").json_body
    assert [r["useful"] for r in thread["replies"]] == [False]
    assert points(bob) == 5
    on_root = api_for(alice).call("PUT", f"/messages/{question.pk}/useful")
    assert on_root.status_code == 400


def test_sharing_a_document_and_reading_count(room, alice, bob):
    messaging.message_send(
        actor=alice,
        room_id=room.pk,
        body="Le guide",
        documents=[{"url": "https://exemple.fr/g.pdf", "title": "Guide"}],
    )
    assert points(alice) == 5
    rooms.read_mark(actor=bob, room_id=room.pk, seq=room.events.count() + 5)
    rooms.read_mark(actor=bob, room_id=room.pk, seq=10_000)
    assert points(bob) == 1  # a point a day at most


def test_creating_a_room_needs_level_two(gates, bob, api_for, settings):
    body = {"name": "Mon salon", "kind": "private", "access": "invite"}
    refused = api_for(bob).post("/rooms", body)
    assert refused.status_code == 403
    assert refused.json_body["reason"] == "level_too_low"
    Standing.objects.update_or_create(user=bob, defaults={"points": 7, "level": 2})
    assert api_for(bob).post("/rooms", body).status_code in (200, 201)


def test_new_members_are_rate_limited_more_strictly(room, gates, bob):
    for n in range(5):
        messaging.message_send(actor=bob, room_id=room.pk, body=f"Message {n}")
    with pytest.raises(RateLimited) as limited:
        messaging.message_send(actor=bob, room_id=room.pk, body="Un de trop")
    assert limited.value.reason == "new_member_rate"


def test_only_staff_grant_the_referent_level(room, alice, bob, make_agent, other_org, api_for):
    staff = make_agent(other_org, name="Sophie Staff", staff=True)
    with pytest.raises(Forbidden):
        levels.referent_set(actor=alice, user_id=bob.pk, referent=True)
    standing = levels.referent_set(actor=staff, user_id=bob.pk, referent=True)
    assert standing.level == 5
    assert str(levels.LEVEL_NAMES[5]) == "animateur référent"
    with pytest.raises(NotFound):
        levels.referent_set(actor=staff, user_id=10**9, referent=True)
    assert levels.referent_set(actor=staff, user_id=bob.pk, referent=False).level == 1


def test_staff_pass_the_gates(room, gates, alice, make_agent, other_org):
    staff = make_agent(other_org, name="Sophie Staff", staff=True)
    created = rooms.room_create(actor=staff, name="Annonces", kind="private", access="invite")
    sent = messaging.message_send(
        actor=staff, room_id=created.room.pk, body="Le guide : https://exemple.fr"
    )
    assert sent.created
    with pytest.raises(Forbidden):
        messaging.message_send(actor=alice, room_id=room.pk, body="http://exemple.fr")


def test_staff_grant_the_referent_level_from_the_admin(bob, make_agent, other_org):
    from django.test import Client

    from backend.audit.models import AuditEntry

    staff = make_agent(other_org, name="Sophie Staff", staff=True)
    staff.is_superuser = True
    staff.save(update_fields=["is_superuser"])
    Standing.objects.create(user=bob)
    client = Client()
    client.force_login(staff)
    response = client.post(
        "/admin/community/standing/",
        {"action": "grant_referent", "_selected_action": [str(bob.pk)]},
    )
    assert response.status_code == 302
    assert Standing.objects.get(user=bob).level == 5
    assert AuditEntry.objects.filter(action="member.referent_granted", target=f"user:{bob.pk}")


def test_a_new_member_cannot_add_a_link_by_editing(room, gates, bob):
    message = messaging.message_send(actor=bob, room_id=room.pk, body="Bonjour").message
    with pytest.raises(Forbidden) as refused:
        messaging.message_edit(actor=bob, message_id=message.pk, body="Voir https://exemple.fr")
    assert refused.value.reason == "level_too_low"
    assert Message.objects.get(pk=message.pk).body == "Bonjour"
    edited = messaging.message_edit(actor=bob, message_id=message.pk, body="Bonjour à tous")
    assert edited.message.body == "Bonjour à tous"
