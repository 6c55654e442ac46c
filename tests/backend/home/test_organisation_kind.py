"""An announcement to the agents of a kind of organisation reaches each of them on their home
page, even those none of whose rooms received it; agents of other kinds get nothing."""

from __future__ import annotations

from typing import Any

import pytest

from backend.integrations import announcements
from backend.rooms import services as rooms

from .conftest import kinds
from .test_live import home_frames

pytestmark = pytest.mark.django_db

BODY = "Campagne de recensement : " + "les communes préparent leurs équipes. " * 8


@pytest.fixture
def cast(make_org, make_agent, make_room, org, alice, bob, outsider, themes) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """Staff in the Aude (a département); Villeurbanne (a commune) has no room of its own;
    Lyon (a commune) has one, where Carol is a member and Dave is not."""
    staff = make_agent(outsider.organisation, name="Équipe Préau", staff=True)
    lyon = make_org(name="Ville de Lyon", domain="lyon.test")
    carol, dave = make_agent(lyon, name="Carol Petit"), make_agent(lyon, name="Dave Roux")
    lyon_room = make_room(carol, name="RH Lyon", kind="thematic", access="organisation", theme="rh")
    return {"staff": staff, "carol": carol, "dave": dave, "lyon_room": lyon_room}


def send(staff: Any) -> int:
    audience = announcements.audience_resolve(organisation_kind="commune")
    return announcements.announcement_send(
        actor=staff, body=BODY, audience=audience
    ).announcement.pk


def test_every_agent_of_the_kind_finds_it_on_the_home_page(cast, alice, bob, outsider):
    announcement = send(cast["staff"])

    # Villeurbanne has no room of its own: the whole text, no link.
    [item] = kinds(bob, "announcement")
    assert item["id"] == f"announcement:{announcement}"
    assert (item["url"], item["room"]) == ("", None)
    assert item["summary"] == " ".join(BODY.split())
    assert [i["id"] for i in kinds(alice, "announcement")] == [item["id"]]
    # Lyon's room received it: its member and a colleague who may read it are led there.
    room = cast["lyon_room"]
    for agent in (cast["carol"], cast["dave"]):
        [linked] = kinds(agent, "announcement")
        assert linked["room"] == {"id": room.pk, "name": room.name}
        assert linked["url"].startswith(f"/#/room/{room.pk}/message/")
    # Another kind of organisation, and the author, get nothing.
    assert kinds(outsider, "announcement") == []
    assert kinds(cast["staff"], "announcement") == []


def test_it_is_pushed_live_once_to_each_agent_of_the_kind(
    cast, alice, bob, outsider, published, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        send(cast["staff"])

    frames = home_frames(published)
    told = sorted(user_id for user_id, _item in frames)
    assert told == sorted([alice.pk, bob.pk, cast["carol"].pk, cast["dave"].pk])
    by_user = dict(frames)
    assert by_user[bob.pk]["url"] == "" and by_user[bob.pk]["room"] is None
    assert by_user[cast["dave"].pk]["room"]["id"] == cast["lyon_room"].pk


def test_a_room_audience_still_reaches_members_only(cast, alice, bob, make_room):
    room = make_room(cast["carol"], name="Entre nous")
    announcements.announcement_send(
        actor=cast["carol"],
        body="Pot de départ vendredi",
        audience=announcements.audience_resolve(rooms=[room.pk]),
    )

    assert kinds(cast["dave"], "announcement") == []
    assert kinds(bob, "announcement") == []
    rooms.room_invite(actor=cast["carol"], room_id=room.pk, user_id=cast["dave"].pk)
    rooms.room_join(actor=cast["dave"], room_id=room.pk)
    assert [i["summary"] for i in kinds(cast["dave"], "announcement")] == ["Pot de départ vendredi"]
