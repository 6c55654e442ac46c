"""The demo's Accueil room: every agent posts there, its animateurs reclassify."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from backend.accounts.models import User
from backend.messaging.models import Message
from backend.moderation import moves
from backend.rooms import services as rooms_services
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


def _accueil(*args: str) -> str:
    out = StringIO()
    call_command("accueil", *args, stdout=out)
    return out.getvalue()


def test_preau_accueil_creates_the_room_once_and_names_its_animateurs(
    make_agent, org, other_org, api_for
):
    from backend.audit.models import AuditEntry

    owner = make_agent(org, name="Claire Équipe", staff=True)
    animatrice = make_agent(org, name="Nadia Animatrice")
    assert not Room.objects.filter(theme__slug="accueil").exists()

    first = _accueil("--owner", owner.email, "--animateur", animatrice.email)
    entries = AuditEntry.objects.count()
    again = _accueil("--owner", owner.email, "--animateur", animatrice.email.upper())

    accueil = Room.objects.get(theme__slug="accueil")
    assert (accueil.name, accueil.kind, accueil.access) == ("Accueil", "thematic", "open")
    assert "créé" in first and "Nadia Animatrice" in first
    assert "déjà en place" in again and "Animateur ajouté" not in again
    assert again.splitlines()[-1] == str(accueil.pk)
    assert AuditEntry.objects.count() == entries  # the second run changed nothing
    roles = dict(Membership.objects.filter(room=accueil).values_list("user_id", "role"))
    assert roles == {owner.pk: "owner", animatrice.pk: "moderator"}

    # Any agent, of any organisation, joins and posts; the animatrice reclassifies the post.
    newcomer = make_agent(other_org, name="Yann Nouveau")
    api = api_for(newcomer)
    assert api.post(f"/rooms/{accueil.pk}/join").status_code == 200
    posted = api.post(f"/rooms/{accueil.pk}/messages", {"body": "Qui gère le RIFSEEP ?"})
    assert posted.status_code == 201, posted.json_body
    rh = rooms_services.room_create(
        actor=owner, name="Ressources humaines", kind="private", access="invite"
    ).room
    rooms_services.room_invite(actor=owner, room_id=rh.pk, user_id=animatrice.pk)
    rooms_services.room_join(actor=animatrice, room_id=rh.pk)
    moves.messages_move(
        actor=animatrice, message_id=posted.json_body["id"], room_id=rh.pk, reason="Question RH"
    )
    assert Message.objects.get(pk=posted.json_body["id"]).room_id == rh.pk


def test_preau_accueil_adds_animateurs_to_an_existing_accueil(make_agent, org):
    owner = make_agent(org, name="Claire Équipe", staff=True)
    _accueil("--owner", owner.email)
    later = make_agent(org, name="Léa Renfort")

    out = _accueil("--owner", owner.email, "--animateur", later.email)

    accueil = Room.objects.get(theme__slug="accueil")
    assert "Léa Renfort" in out
    assert Membership.objects.get(room=accueil, user=later).role == "moderator"
    assert Room.objects.filter(theme__slug="accueil").count() == 1


def test_preau_accueil_refuses_an_unknown_agent_and_creates_nothing(make_agent, org):
    from django.core.management.base import CommandError

    owner = make_agent(org, name="Claire Équipe", staff=True)
    with pytest.raises(CommandError, match="inconnu@testville"):
        _accueil("--owner", owner.email, "--animateur", "inconnu@testville.test")
    with pytest.raises(CommandError):
        _accueil("--owner", "personne@nulle-part.test")
    assert not Room.objects.filter(theme__slug="accueil").exists()
