"""The demo's Accueil room: every agent posts there, its animateurs reclassify."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from backend.accounts.models import User
from backend.messaging.models import Message
from backend.moderation import moves
from backend.rooms.models import Membership, Room

pytestmark = pytest.mark.django_db


def test_the_demo_accueil_has_an_animateur_who_moves_posts_to_a_thematic_room(api_for):
    call_command("demo", stdout=StringIO())
    accueil = Room.objects.get(name="Accueil")
    assert accueil.access == "open"
    nadia = User.objects.get(email="nadia.lefevre@cnfpt.test")
    assert Membership.objects.get(room=accueil, user=nadia).role == "moderator"
    question = Message.objects.get(room=accueil, body__contains="RIFSEEP")
    rh = Room.objects.get(name="Ressources humaines")
    moves.messages_move(actor=nadia, message_id=question.pk, room_id=rh.pk, reason="Question RH")
    assert Message.objects.get(pk=question.pk).room_id == rh.pk
    # Any agent may join Accueil and post there.
    newcomer = User.objects.get(email="karim.benali@villeurbanne.test")
    api = api_for(newcomer)
    response = api.post(f"/rooms/{accueil.pk}/messages", {"body": "Bonjour à tous"})
    assert response.status_code == 201


def test_the_demo_stays_idempotent_after_a_reclassification():
    call_command("demo", stdout=StringIO())
    accueil = Room.objects.get(name="Accueil")
    nadia = User.objects.get(email="nadia.lefevre@cnfpt.test")
    question = Message.objects.get(room=accueil, body__contains="RIFSEEP")
    rh = Room.objects.get(name="Ressources humaines")
    moves.messages_move(actor=nadia, message_id=question.pk, room_id=rh.pk, reason="RH")
    count = Message.objects.count()
    call_command("demo", stdout=StringIO())
    assert Message.objects.count() == count
