"""``preau webinar``: list, create, export, state — the REST services and checks, from a shell."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from backend.rooms.models import Membership, Room
from backend.webinars.models import Host, Webinar
from tests.backend.accounts.test_cli import _preau

from .conftest import ask

pytestmark = pytest.mark.django_db


def run(*args: str) -> list[str]:
    out = StringIO()
    call_command("webinar", *args, stdout=out)
    return out.getvalue().splitlines()


def _times() -> list[str]:
    start = timezone.now() + timedelta(days=1)
    return ["--start", start.isoformat(), "--end", (start + timedelta(hours=1)).isoformat()]


def test_create_in_an_existing_room_prints_the_id_and_makes_the_host_moderator(alice, room):
    lines = run(
        "create", "--room", str(room.pk), "--title", "Achats", "--host", alice.email, *_times()
    )

    webinar = Webinar.objects.get(pk=int(lines[-1]))
    assert webinar.room == room and webinar.title == "Achats" and webinar.premoderation
    assert Host.objects.get(webinar=webinar).user == alice


def test_create_with_a_new_room_creates_the_room_owned_by_the_host(alice, themes):
    lines = run(
        "create",
        "--new-room",
        "organisation",
        "--theme",
        "rh",
        "--title",
        "Recrutement",
        "--host",
        alice.email,
        "--no-premoderation",
        *_times(),
    )

    webinar = Webinar.objects.select_related("room").get(pk=int(lines[-1]))
    assert webinar.room.name == "Recrutement" and webinar.room.kind == Room.Kind.THEMATIC
    assert not webinar.premoderation
    assert Membership.objects.get(room=webinar.room).user == alice


def test_create_in_a_room_the_host_does_not_moderate_fails_and_writes_nothing(bob, room):
    with pytest.raises(CommandError) as refused:
        run("create", "--room", str(room.pk), "--title", "Non", "--host", bob.email, *_times())

    assert refused.value.returncode == 1
    assert "forbidden" in str(refused.value)
    assert not Webinar.objects.exists()


@pytest.mark.parametrize(
    "args",
    [
        ["--start", "demain", "--end", "2031-01-01T10:00:00+00:00"],
        ["--start", "2031-01-01T10:00:00", "--end", "2031-01-01T11:00:00"],  # no time zone
        ["--start", "2031-01-01T10:00:00+00:00", "--end", "2031-01-01T09:00:00+00:00"],
    ],
)
def test_create_with_bad_times_exits_1_and_writes_nothing(alice, room, args):
    with pytest.raises(CommandError) as refused:
        run("create", "--room", str(room.pk), "--title", "T", "--host", alice.email, *args)

    assert refused.value.returncode == 1 and "bad_request" in str(refused.value)
    assert not Webinar.objects.exists()


def test_create_for_an_unknown_host_fails(room):
    with pytest.raises(CommandError) as refused:
        run("create", "--room", str(room.pk), "--title", "T", "--host", "x@nulle.part", *_times())

    assert refused.value.returncode == 1 and "x@nulle.part" in str(refused.value)


def test_list_state_and_export_go_through_the_services(alice, bob, webinar):
    assert run("list") == [
        f"{webinar.pk}\tscheduled\t{webinar.starts_at.isoformat()}\t{webinar.room_id}:"
        f"{webinar.room.name}\t{webinar.title}"
    ]

    assert run("state", str(webinar.pk), "live")[-1] == f"Webinaire {webinar.pk} : live."
    ask(bob, webinar, body="Une question en attente")
    rows = list(csv.reader(io.StringIO("\n".join(run("export", str(webinar.pk))))))
    assert rows[0][0] == "Question" and rows[1][0] == "Une question en attente"
    report = "\n".join(run("export", str(webinar.pk), "--format", "md"))
    assert report.startswith(f"# {webinar.title}") and "Une question en attente" in report

    run("state", str(webinar.pk), "ended")
    webinar.refresh_from_db()
    assert webinar.state == Webinar.State.ENDED
    assert run("list") == [] and len(run("list", "--ended")) == 1


def test_a_refused_transition_exits_1_and_changes_nothing(webinar):
    with pytest.raises(CommandError) as refused:
        run("state", str(webinar.pk), "ended")  # scheduled -> ended is not a move

    assert refused.value.returncode == 1 and "conflict" in str(refused.value)
    webinar.refresh_from_db()
    assert webinar.state == Webinar.State.SCHEDULED


def test_export_as_an_attendee_is_refused(bob, webinar):
    with pytest.raises(CommandError) as refused:
        run("export", str(webinar.pk), "--as", bob.email)

    assert refused.value.returncode == 1 and "forbidden" in str(refused.value)


def test_an_unknown_webinar_is_not_found(db):
    for args in (["export", "999999"], ["state", "999999", "live"]):
        with pytest.raises(CommandError) as refused:
            run(*args)
        assert refused.value.returncode == 1 and "not_found" in str(refused.value)


@pytest.mark.django_db(transaction=True)
def test_the_preau_command_exits_2_on_bad_arguments_and_1_on_refusals(alice, webinar):
    bad_state = _preau("webinar", "state", str(webinar.pk), "paused")
    assert bad_state.returncode == 2 and "invalid choice" in bad_state.stderr
    no_room = _preau("webinar", "create", "--title", "T", "--host", alice.email, *_times())
    assert no_room.returncode == 2
    refused = _preau("webinar", "state", str(webinar.pk), "ended")
    assert refused.returncode == 1 and "conflict" in refused.stderr

    exported = _preau("webinar", "export", str(webinar.pk), "--format", "md")
    assert exported.returncode == 0, exported.stderr
    assert exported.stdout.startswith(f"# {webinar.title}")
