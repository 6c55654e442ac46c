"""Webinar frames on /ws/v1/: hosts get pending questions, attendees get NOTHING of them.

Each test shows that the right people receive, and that attendees and outsiders stay silent.
"""

from __future__ import annotations

import asyncio
import threading
import time
from datetime import timedelta
from typing import Any

import pytest
from channels.db import database_sync_to_async
from django.db import connection
from django.utils import timezone

from backend.accounts.models import User
from backend.rooms import services as rooms
from backend.webinars import services as webinars
from backend.webinars.models import Question
from realtime import attendance

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
async def fresh_attendance():  # type: ignore[no-untyped-def]
    attendance.reset_store()
    yield
    await attendance.get_store().close()
    attendance.reset_store()


@database_sync_to_async
def setup_webinar(host: User, members: list[User], **settings: Any) -> Any:
    room = rooms.room_create(actor=host, name="REX", kind="private", access="invite").room
    for user in members:
        rooms.room_invite(actor=host, room_id=room.pk, user_id=user.pk)
        rooms.room_join(actor=user, room_id=room.pk)
    start = timezone.now() + timedelta(hours=1)
    return webinars.webinar_create(
        actor=host,
        room_id=room.pk,
        title="Webinaire",
        starts_at=start.isoformat(),
        ends_at=(start + timedelta(hours=1)).isoformat(),
        **settings,
    ).webinar


def of_type(kind: str, event: str | None = None) -> Any:
    return lambda f: f.get("type") == kind and (event is None or f.get("event") == event)


async def test_a_pending_question_reaches_hosts_and_never_attendees(
    connect, alice, bob, outsider, make_agent, org
):
    carol = await database_sync_to_async(make_agent)(org, name="Carole")
    webinar = await setup_webinar(alice, [bob, carol])
    host = await connect(alice)
    attendee = await connect(bob)
    asker = await connect(carol)
    stranger = await connect(outsider)
    for client in (host, attendee, asker):
        ack = await client.request({"type": "webinar.attend", "webinar": webinar.pk})
        assert ack["type"] == "ack", ack
    refused = await stranger.request({"type": "webinar.attend", "webinar": webinar.pk})
    assert refused["code"] == "not_found"

    ack = await asker.request(
        {"type": "question.ask", "webinar": webinar.pk, "body": "Et le budget ?", "anonymous": True}
    )
    assert ack["question"]["moderation"] == "pending"
    qid = ack["question"]["id"]

    submitted = await host.recv_until(of_type("webinar.host", "question.submitted"))
    assert submitted["data"]["id"] == qid and submitted["data"]["asker"]["name"] == "Carole"
    mine = await asker.recv_until(of_type("webinar.mine"))
    assert mine["data"]["id"] == qid
    # Attendance counts and the members' presence are for the room; nothing else is.
    not_attendance = lambda f: f.get("type") in ("webinar.attendance", "presence")  # noqa: E731
    await attendee.assert_silent(allow=not_attendance)
    await stranger.assert_silent()

    # Dismissing a pending question: hosts see the action, the asker the reason, others nothing.
    reply = await host.request(
        {"type": "question.moderate", "question": qid, "action": "dismiss", "reason": "Doublon"}
    )
    assert (reply["question"], reply["moderation"]) == (qid, "dismissed")
    logged = await host.recv_until(of_type("webinar.host", "action.logged"))
    assert logged["data"]["reason"] == "Doublon"
    mine = await asker.recv_until(of_type("webinar.mine"))
    assert mine["data"]["dismiss_reason"] == "Doublon"
    await attendee.assert_silent(allow=not_attendance)
    await stranger.assert_silent()


async def test_an_approved_question_reaches_the_room_without_hosts_only_fields(
    connect, alice, bob, outsider
):
    webinar = await setup_webinar(alice, [bob])
    host = await connect(alice)
    attendee = await connect(bob)
    stranger = await connect(outsider)
    await attendee.request({"type": "webinar.attend", "webinar": webinar.pk})
    ack = await host.request(
        {"type": "question.ask", "webinar": webinar.pk, "body": "Question d'animatrice"}
    )
    qid = ack["question"]["id"]
    await host.request({"type": "question.moderate", "question": qid, "action": "approve"})

    event = await attendee.recv_until(lambda f: f.get("event") == "question.published")
    assert event["data"]["id"] == qid
    assert "original_body" not in event["data"] and "askers" not in event["data"]
    await attendee.assert_silent(allow=lambda f: f.get("type") == "webinar.attendance")
    await stranger.assert_silent()


async def test_votes_over_the_socket_refuse_pending_and_count_once(connect, alice, bob):
    webinar = await setup_webinar(alice, [bob])
    host = await connect(alice)
    attendee = await connect(bob)
    ack = await host.request({"type": "question.ask", "webinar": webinar.pk, "body": "Q ?"})
    qid = ack["question"]["id"]
    pending = await host.request({"type": "question.vote", "question": qid, "vote": True})
    assert pending["code"] == "conflict"
    hidden = await attendee.request({"type": "question.vote", "question": qid, "vote": True})
    assert hidden["code"] == "not_found"  # the attendee cannot even know it exists
    await host.request({"type": "question.moderate", "question": qid, "action": "approve"})
    first = await attendee.request({"type": "question.vote", "question": qid, "vote": True})
    again = await attendee.request({"type": "question.vote", "question": qid, "vote": True})
    assert (first["changed"], again["changed"]) == (True, False)
    bad = await attendee.request({"type": "question.vote", "question": qid, "vote": "oui"})
    assert bad["code"] == "bad_request"


@database_sync_to_async
def make_voters(n: int, org: Any, room_id: int) -> list[User]:
    from backend.rooms.models import Membership

    users = User.objects.bulk_create(
        [
            User(
                email=f"votant{i}@villeurbanne.test",
                name=f"Votant {i}",
                organisation=org,
                is_verified=True,
            )
            for i in range(n)
        ]
    )
    Membership.objects.bulk_create([Membership(room_id=room_id, user=u) for u in users])
    return users


def cast_votes(voters: list[User], question_id: int, threads: int = 8) -> float:
    chunks = [voters[i::threads] for i in range(threads)]
    barrier = threading.Barrier(threads)

    def run(chunk: list[User]) -> None:
        try:
            barrier.wait()
            for user in chunk:
                webinars.question_vote(actor=user, question_id=question_id, vote=True)
        finally:
            connection.close()

    started = time.monotonic()
    workers = [threading.Thread(target=run, args=(c,)) for c in chunks]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    return time.monotonic() - started


def commit_burst(voters: list[User], question: Any, batches: int = 10) -> float:
    """500 votes committed within one second: in batches of rows, each batch one transaction
    ending with the same after-commit hook per vote as ``question_vote`` (a loaded CI machine
    cannot run 500 single-vote transactions in a second; the service path is covered below)."""
    from django.db import transaction
    from django.db.models import F

    from backend.webinars.coalesce import votes_changed
    from backend.webinars.models import Vote

    size = len(voters) // batches
    started = time.monotonic()
    try:
        for b in range(batches):
            chunk = voters[b * size : (b + 1) * size]
            with transaction.atomic():
                Vote.objects.bulk_create([Vote(question=question, user=u) for u in chunk])
                Question.objects.filter(pk=question.pk).update(votes=F("votes") + len(chunk))
                for _u in chunk:
                    transaction.on_commit(
                        lambda: votes_changed(
                            webinar_id=question.webinar_id,
                            room_id=question.webinar.room_id,
                            question_id=question.pk,
                        )
                    )
            time.sleep(max(0.0, started + (b + 1) * 0.09 - time.monotonic()))
    finally:
        connection.close()
    return time.monotonic() - started


async def collect_counts(client: Any, qid: int, final: int) -> list[int]:
    """Every vote count the client receives until the final one, and for a while after."""
    updates: list[int] = []
    while not updates or updates[-1] != final:
        frame = await client.recv_until(of_type("webinar.votes"), timeout=10)
        updates.append(frame["counts"][str(qid)])

    # A vote committed just after a read may bring one more update, of the same count.
    def late(frame: dict, seen: list[int] = updates) -> bool:
        if frame.get("type") != "webinar.votes":
            return True
        seen.append(frame["counts"][str(qid)])
        return seen[-1] == final

    await client.assert_silent(0.6, allow=late)
    return updates


async def test_500_votes_within_one_second_give_each_attendee_a_handful_of_exact_counts(
    connect, alice, bob, outsider, org
):
    webinar = await setup_webinar(alice, [bob], premoderation=False)
    viewers = [await connect(bob), await connect(alice)]
    stranger = await connect(outsider)
    for client in viewers:
        await client.request({"type": "webinar.attend", "webinar": webinar.pk})
    ack = await viewers[1].request({"type": "question.ask", "webinar": webinar.pk, "body": "Q ?"})
    qid = ack["question"]["id"]
    question = await database_sync_to_async(
        lambda: (
            __import__("backend.webinars.models", fromlist=["Question"])
            .Question.objects.select_related("webinar")
            .get(pk=qid)
        )
    )()
    voters = await make_voters(500, org, webinar.room_id)

    took = await asyncio.to_thread(commit_burst, voters, question)

    assert took < 1.2
    for client in viewers:
        updates = await collect_counts(client, qid, 500)
        assert 1 <= len(updates) <= 7, updates  # ~4 per second, never one per vote
        assert updates == sorted(updates)
    await stranger.assert_silent()


async def test_votes_through_the_service_are_coalesced_too(connect, alice, bob, org):
    webinar = await setup_webinar(alice, [bob], premoderation=False)
    viewer = await connect(bob)
    await viewer.request({"type": "webinar.attend", "webinar": webinar.pk})
    ack = await viewer.request({"type": "question.ask", "webinar": webinar.pk, "body": "Q ?"})
    qid = ack["question"]["id"]
    voters = await make_voters(80, org, webinar.room_id)

    took = await asyncio.to_thread(cast_votes, voters, qid)

    updates = await collect_counts(viewer, qid, 80)
    assert len(updates) <= took / 0.25 + 3, (len(updates), took)


async def test_attendance_counts_connections_and_keeps_the_peak(connect, alice, bob):
    webinar = await setup_webinar(alice, [bob])
    host = await connect(alice)
    attendee = await connect(bob)
    await host.request({"type": "webinar.attend", "webinar": webinar.pk})
    await attendee.request({"type": "webinar.attend", "webinar": webinar.pk})
    frame = await host.recv_until(
        lambda f: f.get("type") == "webinar.attendance" and f["count"] == 2
    )
    assert frame["peak"] == 2
    await attendee.request({"type": "webinar.leave", "webinar": webinar.pk})
    frame = await host.recv_until(
        lambda f: f.get("type") == "webinar.attendance" and f["count"] == 1
    )
    assert frame["peak"] == 2
    await webinar.arefresh_from_db()
    assert webinar.peak_attendance == 2


async def test_presence_and_typing_are_off_in_a_room_with_a_large_audience(
    connect, alice, bob, monkeypatch
):
    from realtime import consumers

    webinar = await setup_webinar(alice, [bob])
    monkeypatch.setattr(consumers, "PRESENCE_MAX_ROOM", 1)
    host = await connect(alice)
    attendee = await connect(bob)
    await host.request({"type": "webinar.attend", "webinar": webinar.pk})
    await attendee.request({"type": "webinar.attend", "webinar": webinar.pk})
    await host.recv_until(lambda f: f.get("type") == "webinar.attendance" and f["count"] == 2)
    await attendee.request({"type": "typing", "room": webinar.room_id})
    await attendee.request({"type": "presence", "status": "away"})
    await host.assert_silent(0.5, allow=lambda f: f.get("type") == "webinar.attendance")


async def _new_store_client() -> None:
    await attendance.get_store().close()
    attendance.reset_store()


class _Conn:
    """The two attributes attendance reads from a connection."""

    def __init__(self, conn_id: str) -> None:
        self.conn_id = conn_id
        self.attending: dict[int, int] = {}


async def test_two_independent_hubs_take_the_same_presence_off_decision(
    alice, bob, monkeypatch, settings
):
    """The decision lives in the shared store: a process with no attendee of the webinar (hub B,
    with a store client of its own) sees the room quiet as soon as the process holding the
    audience (hub A) has counted it, and chatty again once the audience is gone."""
    from realtime import consumers
    from realtime.hub import Hub

    assert settings.REDIS_URL, "two processes share Redis; the embedded mode has one process"
    monkeypatch.setattr(consumers, "PRESENCE_MAX_ROOM", 2)
    webinar = await setup_webinar(alice, [bob])
    webinar_id, room_id = webinar.pk, webinar.room_id
    hub_a, hub_b = Hub(), Hub()
    conns = [_Conn(f"a{i}") for i in range(3)]
    try:
        for conn in conns:
            await hub_a.attend(conn, webinar_id, room_id)  # type: ignore[arg-type]
        await hub_a._announce_attendance(webinar_id)
        assert await hub_a.quiet_rooms([room_id]) == {room_id}

        await _new_store_client()  # hub B: another process, another connection to the store
        assert await hub_b.quiet_rooms([room_id, room_id + 1]) == {room_id}

        await hub_a.unattend(conns[0], webinar_id)  # type: ignore[arg-type]
        await hub_a._announce_attendance(webinar_id)
        await _new_store_client()
        assert await hub_b.quiet_rooms([room_id]) == set()
    finally:
        for conn in conns:
            await hub_a.unattend(conn, webinar_id)  # type: ignore[arg-type]
        await attendance.get_store().set_quiet(room_id, webinar_id, False)
        await hub_a.shutdown()
        await hub_b.shutdown()


async def test_a_member_who_does_not_attend_gets_no_typing_in_a_room_with_a_large_audience(
    connect, alice, bob, monkeypatch
):
    """The room has 2 members (under the limit of 2) but 3 attending connections (over it): the
    quiet decision comes from the shared attendance count, not from the members or sockets."""
    from realtime import consumers

    webinar = await setup_webinar(alice, [bob])
    monkeypatch.setattr(consumers, "PRESENCE_MAX_ROOM", 2)
    watcher = await connect(bob)  # a member who never attends
    typist = await connect(alice)
    await typist.request({"type": "typing", "room": webinar.room_id})
    await watcher.recv_until(of_type("typing"))  # small room, no audience: typing flows

    audience = [await connect(user) for user in (alice, bob, bob)]
    for conn in audience:
        await conn.request({"type": "webinar.attend", "webinar": webinar.pk})
    await watcher.recv_until(lambda f: f.get("type") == "webinar.attendance" and f["count"] == 3)
    other_typist = await connect(alice)
    await other_typist.request({"type": "typing", "room": webinar.room_id})
    await other_typist.request({"type": "presence", "status": "away"})
    await watcher.assert_silent(0.5, allow=lambda f: f.get("type") == "webinar.attendance")


async def test_the_last_attendees_leaving_during_an_announce_still_get_announced(
    alice, bob, monkeypatch
):
    """An announce that is reading the count when the last attendee leaves must not forget the
    webinar's room: the next announce (count 0, presence back on) still goes out."""
    from realtime.hub import Hub

    webinar = await setup_webinar(alice, [bob])
    hub = Hub()
    sent: list[dict[str, Any]] = []

    async def record(room_id: int, frame: dict[str, Any]) -> None:
        sent.append(frame)

    monkeypatch.setattr(hub, "publish_room_ephemeral", record)
    store = attendance.get_store()
    reading, release = asyncio.Event(), asyncio.Event()
    real_count = store.count

    async def slow_count(webinar_id: int) -> int:
        reading.set()
        await release.wait()
        return await real_count(webinar_id)

    conn = _Conn("c1")
    try:
        await hub.attend(conn, webinar.pk, webinar.room_id)  # type: ignore[arg-type]
        hub.announces.pop(webinar.pk).cancel()
        monkeypatch.setattr(store, "count", slow_count)
        first = asyncio.ensure_future(hub._announce_attendance(webinar.pk))
        await reading.wait()
        await hub.unattend(conn, webinar.pk)  # type: ignore[arg-type]
        release.set()
        await first
        assert webinar.pk in hub.announces  # the leave scheduled another announce
        hub.announces.pop(webinar.pk).cancel()
        await hub._announce_attendance(webinar.pk)
        assert [f["count"] for f in sent] == [0, 0]
    finally:
        await hub.unattend(conn, webinar.pk)  # type: ignore[arg-type]
        await hub.shutdown()
