"""``preau demo``: believable content, loaded idempotently through the services."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from backend.accounts.models import Organisation, User
from backend.common.management.commands.demo import DEMO_PASSWORD
from backend.messaging.models import Message
from backend.rooms.models import Room, RoomEvent
from tests.backend.conftest import row_counts

pytestmark = pytest.mark.django_db


def _demo() -> str:
    out = StringIO()
    call_command("demo", stdout=out)
    return out.getvalue()


def test_demo_loads_organisations_agents_rooms_and_conversations():
    output = _demo()

    kinds = set(Organisation.objects.values_list("kind", flat=True))
    assert {"commune", "departement", "epci"} <= kinds
    assert set(Room.objects.values_list("kind", flat=True)) == {"thematic", "geographic", "private"}
    assert Message.objects.filter(room__kind="thematic").exists()
    assert Message.objects.filter(room__kind="geographic").exists()
    claire = User.objects.get(email="claire.martin@villeurbanne.test")
    assert claire.is_verified and claire.check_password(DEMO_PASSWORD)
    assert "claire.martin@villeurbanne.test" in output
    assert DEMO_PASSWORD in output.splitlines()[-1]


def test_demo_rooms_have_gap_free_event_logs():
    _demo()

    for room in Room.objects.all():
        seqs = list(
            RoomEvent.objects.filter(room=room).order_by("seq").values_list("seq", flat=True)
        )
        assert seqs == list(range(1, room.last_seq + 1)), room.name
        for message in Message.objects.filter(room=room):
            assert (
                RoomEvent.objects.get(room=room, message=message, kind="message.created").seq
                == message.seq
            )


def test_demo_is_idempotent():
    _demo()
    before = row_counts()
    last_seqs = dict(Room.objects.values_list("pk", "last_seq"))

    _demo()

    assert row_counts() == before
    assert dict(Room.objects.values_list("pk", "last_seq")) == last_seqs


def test_demo_has_fiches_drawn_from_its_conversations_and_job_offers_on_the_board():
    from backend.fiches.models import Fiche, FicheContributor
    from backend.jobs.models import JobAnnouncement
    from backend.jobs.selectors import published

    _demo()

    m57 = Fiche.objects.get(title="Passer à la nomenclature M57")
    assert m57.validated_at is not None and m57.theme is not None
    sources = Message.objects.filter(pk__in=m57.source_messages)
    assert {m.room.name for m in sources} == {"Finances locales"}
    credited = set(FicheContributor.objects.filter(fiche=m57).values_list("user__email", flat=True))
    assert credited == {"claire.martin@villeurbanne.test", "julien.roux@paysdelarbresle.test"}
    assert Fiche.objects.count() >= 2
    board = published()
    assert board.count() >= 4
    assert set(board.values_list("category", flat=True)) == {"A", "B", "C"}
    assert all(o.link.startswith("https://") and o.description for o in board)
    announced = JobAnnouncement.objects.select_related("room", "message")
    assert "Rhône — agents territoriaux" in {a.room.name for a in announced}
    assert all("Offre d'emploi" in a.message.body for a in announced)
