"""S8: a live webinar. Attendees connected and attending, questions and votes at a steady rate,
a host approving every pending question; measures how long until the hosts see a new question
and until attendees see a vote count change (p50/p99), the count updates each attendee gets,
and CPU. One client process (asyncio, the `websockets` library), 127.0.0.1 only, bounded.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import time
from collections import defaultdict
from typing import Any

from .load import CpuClock, percentile

QUICK = {"attendees": 50, "questions_per_s": 5.0, "votes_per_s": 40.0, "seconds": 5.0}
FULL = {"attendees": 500, "questions_per_s": 20.0, "votes_per_s": 100.0, "seconds": 20.0}
OBSERVERS = 20  # attendees whose vote-count frames are timed
CONNECT_CONCURRENCY = 50


def create_webinar(port: int, room: int, token: str) -> int:
    """Schedule and start the webinar over the REST API, as its host would."""
    import urllib.request
    from datetime import UTC, datetime, timedelta

    def call(path: str, body: dict[str, Any]) -> dict[str, Any]:
        request = urllib.request.Request(  # noqa: S310 - 127.0.0.1 only
            f"http://127.0.0.1:{port}/api/v1{path}",
            data=json.dumps(body).encode(),
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return json.loads(response.read())

    start = datetime.now(UTC)
    webinar = call(
        "/webinars",
        {
            "room": room,
            "title": "Banc d'essai",
            "starts_at": start.isoformat(),
            "ends_at": (start + timedelta(hours=2)).isoformat(),
            "premoderation": True,
        },
    )
    call(f"/webinars/{webinar['id']}/state", {"state": "live"})
    return int(webinar["id"])


class Run:
    def __init__(self, url: str, webinar: int, profile: dict[str, float]) -> None:
        self.url = url
        self.webinar = webinar
        self.profile = profile
        self.asked: dict[str, float] = {}  # question body tag -> send time
        self.host_latency: list[float] = []
        self.published: list[int] = []
        self.vote_sends: dict[int, list[float]] = defaultdict(list)  # question -> send times
        self.seen: dict[int, dict[int, int]] = defaultdict(dict)  # observer -> question -> count
        self.vote_latency: list[float] = []
        self.updates: dict[int, int] = defaultdict(int)  # observer -> webinar.votes frames
        self.first_update: dict[int, float] = {}
        self.last_update: dict[int, float] = {}
        self.errors: dict[str, int] = defaultdict(int)
        self.stop = asyncio.Event()

    async def open(self, token: str) -> Any:
        from websockets.asyncio.client import connect

        ws = await connect(
            self.url,
            additional_headers={"Authorization": f"Bearer {token}"},
            subprotocols=["preau.v1.json"],  # type: ignore[list-item]
            open_timeout=30,
            max_queue=None,
        )
        hello = json.loads(await ws.recv())
        assert hello["type"] == "hello", hello
        await ws.send(json.dumps({"type": "webinar.attend", "webinar": self.webinar, "ref": "a"}))
        return ws

    async def reader(self, ws: Any, index: int, host: bool) -> None:
        watched = host or index < OBSERVERS
        try:
            async for raw in ws:
                if not watched:
                    continue  # read, not parsed: the client must not be the bottleneck
                frame = json.loads(raw)
                kind = frame.get("type")
                now = time.monotonic()
                if kind == "error":
                    self.errors[frame.get("code", "?")] += 1
                elif host and kind == "webinar.host" and frame["event"] == "question.submitted":
                    tag = frame["data"]["body"].split()[-1]
                    sent = self.asked.pop(tag, None)
                    if sent is not None:
                        self.host_latency.append(now - sent)
                    await ws.send(
                        json.dumps(
                            {
                                "type": "question.moderate",
                                "question": frame["data"]["id"],
                                "action": "approve",
                            }
                        )
                    )
                elif host and kind == "ack" and frame.get("moderation") == "published":
                    self.published.append(frame["question"])
                elif kind == "webinar.votes" and index < OBSERVERS:
                    self.updates[index] += 1
                    self.first_update.setdefault(index, now)
                    self.last_update[index] = now
                    for key, count in frame["counts"].items():
                        q = int(key)
                        before = self.seen[index].get(q, 0)
                        sends = self.vote_sends[q]
                        for k in range(before, min(count, len(sends))):
                            self.vote_latency.append(now - sends[k])
                        self.seen[index][q] = max(before, count)
        except Exception:  # noqa: S110 - the socket closed at the end of the run
            pass

    async def paced(self, rate: float, action: Any) -> None:
        if rate <= 0:
            return
        start = time.monotonic()
        n = 0
        while not self.stop.is_set():
            n += 1
            delay = start + n / rate - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            await action(n)

    async def main(self, host_token: str, tokens: list[str]) -> dict[str, Any]:
        host = await self.open(host_token)
        sockets: list[Any] = []
        sem = asyncio.Semaphore(CONNECT_CONCURRENCY)
        t0 = time.monotonic()

        async def one(token: str) -> Any:
            async with sem:
                return await self.open(token)

        sockets = list(await asyncio.gather(*(one(t) for t in tokens)))
        connect_s = time.monotonic() - t0
        readers = [asyncio.ensure_future(self.reader(host, -1, True))]
        readers += [
            asyncio.ensure_future(self.reader(ws, i, False)) for i, ws in enumerate(sockets)
        ]
        await asyncio.sleep(1.0)  # attendance announcements settle
        voted: dict[int, set[int]] = defaultdict(set)
        rng = random.Random(8)

        async def ask(n: int) -> None:
            tag = f"q{n}"
            self.asked[tag] = time.monotonic()
            ws = sockets[rng.randrange(len(sockets))]
            await ws.send(
                json.dumps(
                    {"type": "question.ask", "webinar": self.webinar, "body": f"Question {tag}"}
                )
            )

        async def vote(_n: int) -> None:
            if not self.published:
                return
            q = self.published[rng.randrange(max(0, len(self.published) - 5), len(self.published))]
            for _ in range(10):
                i = rng.randrange(len(sockets))
                if i not in voted[q]:
                    voted[q].add(i)
                    self.vote_sends[q].append(time.monotonic())
                    await sockets[i].send(
                        json.dumps({"type": "question.vote", "question": q, "vote": True})
                    )
                    return

        loops = [
            asyncio.ensure_future(self.paced(self.profile["questions_per_s"], ask)),
            asyncio.ensure_future(self.paced(self.profile["votes_per_s"], vote)),
        ]
        await asyncio.sleep(self.profile["seconds"])
        self.stop.set()
        await asyncio.gather(*loops)
        await asyncio.sleep(1.5)  # drain: last approvals and count updates
        for ws in [host, *sockets]:
            await ws.close()
        for task in readers:
            task.cancel()
        votes_sent = sum(len(v) for v in self.vote_sends.values())
        return {
            "connect_s": connect_s,
            "questions_asked": int(self.profile["questions_per_s"] * self.profile["seconds"]),
            "questions_seen_by_host": len(self.host_latency),
            "votes_sent": votes_sent,
            "errors": dict(self.errors),
        }


def s8(ctx: Any) -> list[dict]:
    profile = QUICK if ctx.quick else FULL
    group = ctx.group("s8")[0]
    members = group["members"]
    _host_id, host_token = members[0]
    target = ctx.preau(n=1)
    try:
        webinar = create_webinar(target.servers[0].port, group["room"], host_token)
        run = Run(target.servers[0].url(), webinar, profile)
        clock = CpuClock(target.cpu_groups([os.getpid()]))
        clock.start()
        totals = asyncio.run(
            asyncio.wait_for(
                run.main(host_token, [t for _uid, t in members[1 : int(profile["attendees"]) + 1]]),
                timeout=profile["seconds"] + 240,
            )
        )
        cpu = clock.stop()
        duration = profile["seconds"]
        spans = [
            (run.updates[i] - 1) / (run.last_update[i] - run.first_update[i])
            for i in run.updates
            if run.updates[i] > 1 and run.last_update[i] > run.first_update[i]
        ]
        return [
            {
                "target": target.name,
                "attendees": int(profile["attendees"]),
                "questions_per_s": profile["questions_per_s"],
                "votes_per_s": profile["votes_per_s"],
                "seconds": duration,
                **totals,
                "host_sees_question_p50_ms": _ms(percentile(run.host_latency, 50)),
                "host_sees_question_p99_ms": _ms(percentile(run.host_latency, 99)),
                "attendee_sees_vote_p50_ms": _ms(percentile(run.vote_latency, 50)),
                "attendee_sees_vote_p99_ms": _ms(percentile(run.vote_latency, 99)),
                # Frames per attendee, and their rate between the first and the last one.
                "count_updates_per_attendee": max(run.updates.values(), default=0),
                "count_updates_per_attendee_per_s": round(max(spans, default=0.0), 2),
                "server_cpu_pct": round(cpu["cpu_pct"].get("server", 0.0), 1),
                "redis_cpu_pct": round(cpu["cpu_pct"].get("redis", 0.0), 1),
                "client_cpu_pct": round(cpu["cpu_pct"].get("client", 0.0), 1),
            }
        ]
    finally:
        target.stop()


def _ms(value: float | None) -> float | None:
    return None if value is None else round(value * 1000, 1)
