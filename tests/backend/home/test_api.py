"""GET /home and POST /home/seen: shape, pages, the seen mark, and its frame to one's tabs."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from backend.home.models import HomeSeen
from backend.integrations import services as integrations

from .conftest import post

pytestmark = pytest.mark.django_db


def test_the_home_lists_items_newest_first_in_pages(alice, bob, room, api_for):
    sent = [post(alice, room, f"@Bob Durand point {n}") for n in range(5)]
    api = api_for(bob)

    first = api.get("/home?limit=2")
    assert first.status_code == 200, first.json_body
    body = first.json_body
    assert set(body) == {"items", "unseen", "seen_until", "next"}
    # Bob is new in Alice's organisation too: Alice is a member item for him, older than these.
    assert [i["id"] for i in body["items"]] == [f"mention:{sent[4].pk}", f"mention:{sent[3].pk}"]
    assert body["unseen"] == 6
    assert body["seen_until"] is None
    ids = [i["id"] for i in body["items"]]
    cursor = body["next"]
    while cursor:
        page = api.client.get(
            "/api/v1/home", {"limit": 2, "before": cursor}, headers=api.headers
        ).json()
        ids += [i["id"] for i in page["items"]]
        cursor = page["next"]
    assert ids == [f"mention:{m.pk}" for m in reversed(sent)] + [f"member:{alice.pk}"]


def test_marking_all_as_seen_counts_nothing_until_something_new(
    alice, bob, room, api_for, published, django_capture_on_commit_callbacks
):
    post(alice, room, "@Bob Durand premier")
    api = api_for(bob)
    assert api.get("/home").json_body["unseen"] == 2

    with django_capture_on_commit_callbacks(execute=True):
        marked = api.post("/home/seen", {})

    assert marked.status_code == 200, marked.json_body
    assert marked.json_body["unseen"] == 0
    after = api.get("/home").json_body
    assert after["unseen"] == 0
    assert all(i["seen"] for i in after["items"])
    frames = [p["frame"] for ch, p in published if p.get("frame", {}).get("type") == "home.seen"]
    assert frames == [
        {"type": "home.seen", "seen_until": marked.json_body["seen_until"], "unseen": 0}
    ]
    assert all(
        ch.endswith(f":user:{bob.pk}")
        for ch, p in published
        if p.get("frame", {}).get("type") == "home.seen"
    )

    post(alice, room, "@Bob Durand second")

    again = api.get("/home").json_body
    assert again["unseen"] == 1
    assert [i["seen"] for i in again["items"]][:2] == [False, True]


def test_the_seen_mark_never_moves_back_nor_into_the_future(bob, api_for):
    api = api_for(bob)
    future = (timezone.now() + timedelta(days=2)).isoformat()
    first = api.post("/home/seen", {"until": future}).json_body
    assert first["seen_until"] <= (timezone.now() + timedelta(seconds=5)).isoformat()
    api.post("/home/seen", {"until": "2020-01-01T00:00:00+00:00"})
    assert HomeSeen.objects.get(user=bob).seen_until.year == timezone.now().year


@pytest.mark.parametrize(
    ("query", "reason"),
    [("before=hier", "bad_cursor"), ("before=2026-01-01T00:00:00", "bad_cursor")],
)
def test_a_bad_cursor_is_refused(bob, api_for, query, reason):
    response = api_for(bob).get(f"/home?{query}")
    assert response.status_code == 400
    assert response.json_body["code"] == "bad_request"
    assert response.json_body["reason"] == reason


def test_a_naive_or_unreadable_until_is_refused_and_changes_nothing(bob, api_for):
    api = api_for(bob)
    for until in ("2026-01-01T00:00:00", "demain"):
        response = api.post("/home/seen", {"until": until})
        assert response.status_code == 400, until
    assert not HomeSeen.objects.filter(user=bob).exists()


def test_a_bot_has_no_home(alice, api_for):
    from tests.conftest import Api

    result = integrations.bot_create(actor=alice, name="Vigie", description="")
    api = Api(None)
    api.headers["Authorization"] = f"Bearer {result.token}"
    assert api.get("/home").status_code == 403
    assert api.post("/home/seen", {}).status_code == 403


def all_pages(api, limit: int) -> list[str]:  # type: ignore[no-untyped-def]
    ids: list[str] = []
    cursor = None
    for _page in range(50):
        query = {"limit": limit, **({"before": cursor} if cursor else {})}
        body = api.client.get("/api/v1/home", query, headers=api.headers).json()
        ids += [i["id"] for i in body["items"]]
        cursor = body["next"]
        if cursor is None:
            return ids
    raise AssertionError("the pages never end")


def test_a_thread_or_an_announcement_shows_on_one_page_only(alice, bob, room, make_room, api_for):
    from backend.rooms import services as rooms

    from .conftest import announce

    other = make_room(alice, name="Autre")
    rooms.room_invite(actor=alice, room_id=other.pk, user_id=bob.pk)
    rooms.room_join(actor=bob, room_id=other.pk)
    root = post(bob, room, "Sujet")
    post(alice, room, "Première réponse", thread=root.pk)
    post(alice, room, "@Bob Durand entre les deux")
    announce(alice, [room.pk, other.pk], "Annonce à deux salons")
    post(alice, room, "Seconde réponse", thread=root.pk)

    ids = all_pages(api_for(bob), limit=1)

    assert len(ids) == len(set(ids)), ids
    assert ids[0] == f"thread:{root.pk}"
    assert [i.split(":")[0] for i in ids] == [
        "thread",
        "announcement",
        "mention",
        "member",
    ]


def test_the_seen_mark_is_exported_and_goes_with_the_account(bob, api_for):
    import io
    import json
    import zipfile

    from backend.privacy import services as privacy
    from tests.conftest import PASSWORD

    seen = api_for(bob).post("/home/seen", {}).json_body["seen_until"]
    out = io.BytesIO()
    privacy.user_export(user=bob, out=out)
    assert json.loads(zipfile.ZipFile(out).read("home.json")) == {"seen_until": seen}

    privacy.account_erase(user=bob, password=PASSWORD, mode="anonymise")

    assert not HomeSeen.objects.filter(user=bob).exists()


def test_the_number_of_queries_does_not_grow_with_the_items(
    alice, bob, room, api_for, django_assert_max_num_queries
):
    api = api_for(bob)
    api.get("/home")  # warm the token's first use
    for n in range(12):
        root = post(bob, room, f"Sujet {n}")
        post(alice, room, f"@Bob Durand réponse {n}", thread=root.pk)
        post(alice, room, f"Suite {n}", thread=root.pk)

    with django_assert_max_num_queries(30):
        body = api.get("/home?limit=5").json_body

    assert len(body["items"]) == 5
    assert body["unseen"] == 25  # 12 mentions, 12 threads, Alice a new member
