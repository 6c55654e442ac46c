"""Fiches: level gate, validation by animateurs only, points to contributors, what is new."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from backend.common.errors import Forbidden, NotFound
from backend.community.levels import points_grant
from backend.community.models import PointEntry, Standing
from backend.fiches import selectors, services
from backend.fiches.models import Fiche
from backend.rooms import services as rooms

from .conftest import make_fiche, make_thread

pytestmark = pytest.mark.django_db


@pytest.fixture
def gate(settings: Any) -> None:
    settings.PREAU = {
        **settings.PREAU,
        "LEVEL_FOR_FICHES": 2,
        "LEVEL_THRESHOLDS": [5, 30, 200, 1000],
    }


def test_a_new_member_is_told_which_level_writing_fiches_needs(api_for, bob, thread, gate):
    response = api_for(bob).post(
        "/fiches", {"thread": thread[0].pk, "title": "Titre", "summary": "Synthèse"}
    )

    assert response.status_code == 403
    assert response.json_body["reason"] == "level_too_low"
    assert "membre actif" in response.json_body["message"]
    assert Fiche.objects.count() == 0


def test_editing_needs_the_level_too_and_reaching_it_lifts_the_refusal(
    api_for, alice, bob, thread, gate
):
    points_grant(user_id=alice.pk, amount=30, source="test")
    fiche = make_fiche(alice, thread[0])
    api = api_for(bob)

    refused = api.patch(f"/fiches/{fiche.pk}", {"title": "Autre"})
    points_grant(user_id=bob.pk, amount=20, source="test")  # 10 + 20
    allowed = api.patch(f"/fiches/{fiche.pk}", {"title": "Autre"})

    assert (refused.status_code, refused.json_body["reason"]) == (403, "level_too_low")
    assert allowed.status_code == 200


def _animateurs(kind: str, open_room, alice, bob, make_agent, org, outsider):  # type: ignore[no-untyped-def]
    if kind == "owner":
        return alice
    if kind == "moderator":
        moderator = make_agent(org, name="Modératrice")
        rooms.room_join(actor=moderator, room_id=open_room.pk)
        from backend.rooms.models import Membership

        Membership.objects.filter(room=open_room, user=moderator).update(role="moderator")
        return moderator
    if kind == "staff":
        return make_agent(org, name="Équipe", staff=True)
    if kind == "referent":
        Standing.objects.update_or_create(user=outsider, defaults={"referent": True, "level": 5})
        return outsider
    if kind == "member":
        return bob
    return outsider  # an agent of another organisation who reads the open room


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        ("owner", True),
        ("moderator", True),
        ("staff", True),
        ("referent", True),
        ("member", False),
        ("reader", False),
    ],
)
def test_only_animateurs_validate(role, allowed, open_room, alice, bob, make_agent, org, outsider):
    root, _reply = make_thread(open_room, bob, alice)
    fiche = make_fiche(bob, root)
    actor = _animateurs(role, open_room, alice, bob, make_agent, org, outsider)

    if not allowed:
        with pytest.raises(Forbidden):
            services.fiche_validate(actor=actor, fiche_id=fiche.pk, validated=True)
        assert Fiche.objects.get(pk=fiche.pk).validated_at is None
        return
    services.fiche_validate(actor=actor, fiche_id=fiche.pk, validated=True)
    detail = selectors.fiche_detail_for(user=actor, fiche_id=fiche.pk)
    assert detail["validated_by"]["id"] == actor.pk
    assert detail["animateur"] is True
    services.fiche_validate(actor=actor, fiche_id=fiche.pk, validated=False)
    assert Fiche.objects.get(pk=fiche.pk).validated_at is None


def test_a_referent_who_may_not_read_the_fiche_cannot_find_it(outsider, fiche):
    Standing.objects.update_or_create(user=outsider, defaults={"referent": True, "level": 5})

    with pytest.raises(NotFound):
        services.fiche_validate(actor=outsider, fiche_id=fiche.pk, validated=True)


def test_contributors_earn_points_for_the_fiche_and_its_validation(
    alice, bob, fiche, make_agent, org
):
    def points(user: Any, kind: str) -> int:
        return sum(PointEntry.objects.filter(user=user, kind=kind).values_list("amount", flat=True))

    assert (points(alice, "fiche"), points(bob, "fiche")) == (10, 10)

    services.fiche_update(actor=bob, fiche_id=fiche.pk, title="Encore")  # no second award
    services.fiche_validate(actor=alice, fiche_id=fiche.pk, validated=True)
    services.fiche_validate(actor=alice, fiche_id=fiche.pk, validated=True)  # once

    assert (points(alice, "fiche"), points(bob, "fiche")) == (10, 10)
    assert (points(alice, "fiche_validated"), points(bob, "fiche_validated")) == (20, 20)

    services.fiche_validate(actor=alice, fiche_id=fiche.pk, validated=False)

    assert (points(alice, "fiche_validated"), points(bob, "fiche_validated")) == (0, 0)


def test_fiches_new_for_lists_only_readable_new_fiches(alice, bob, outsider, fiche, open_room):
    root, _reply = make_thread(open_room, alice, bob)
    public = make_fiche(alice, root, title="Ouverte")
    since = timezone.now() - timedelta(minutes=1)

    mine = selectors.fiches_new_for(user=bob, since=since)
    theirs = selectors.fiches_new_for(user=outsider, since=since)
    later = selectors.fiches_new_for(user=bob, since=timezone.now() + timedelta(minutes=1))

    assert [f["id"] for f in mine] == [public.pk, fiche.pk]
    assert [f["id"] for f in theirs] == [public.pk]
    assert later == []
    assert mine[0]["theme"] is None and "territory" in mine[0]


def test_fiches_new_for_narrows_to_the_agents_themes_and_territory(
    alice, bob, thread, themes, territories
):
    root, _reply = thread
    rh = make_fiche(alice, root, title="RH", theme="rh")
    local = make_fiche(alice, root, title="Villeurbanne", territory="69266")
    make_fiche(
        alice,
        root,
        title="Ailleurs",
        theme="finances",
        territory="11",
        territory_level="departement",
    )
    since = timezone.now() - timedelta(minutes=1)

    by_theme = selectors.fiches_new_for(user=bob, since=since, themes=["rh"])
    by_region = selectors.fiches_new_for(user=bob, since=since, territories=["84"])
    both = selectors.fiches_new_for(user=bob, since=since, themes=["rh"], territories=["69"])

    assert [f["id"] for f in by_theme] == [rh.pk]
    assert [f["id"] for f in by_region] == [local.pk]
    assert [f["id"] for f in both] == [local.pk, rh.pk]


def test_a_member_below_the_level_is_refused_a_fiche_of_chosen_messages(api_for, bob, thread, gate):
    response = api_for(bob).post(
        "/fiches", {"messages": [thread[0].pk], "title": "Titre", "summary": "Synthèse"}
    )

    assert (response.status_code, response.json_body["reason"]) == (403, "level_too_low")
    assert response.json_body["needed"] == 2
    assert Fiche.objects.count() == 0
