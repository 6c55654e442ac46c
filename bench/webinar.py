"""S8: a live webinar. Attendees connected and attending over several client processes and two
server processes, questions and votes at a steady rate, hosts approving every pending question;
measures how long until the hosts see a new question and until attendees see a vote count change
(p50/p99), the count updates each attendee gets, and CPU. 127.0.0.1 only, bounded in time.

Every client process (the `websockets` library, asyncio) holds a share of the attendees, spread
over the servers, asks and votes at its share of the rates, and times the frames of a few
"observer" attendees. Hosts approve the questions whose id falls to them (several hosts, so no
socket passes the 20 frames/s limit). All processes share CLOCK_MONOTONIC, so a question asked in
one process and seen by a host in another is timed exactly; the coordinator merges the samples.
"""

from __future__ import annotations

import asyncio
import json
import multiprocessing as mp
import random
import time
from collections import defaultdict
from typing import Any

from .load import CpuClock, percentile

QUICK = {"attendees": 50, "questions_per_s": 5.0, "votes_per_s": 40.0, "seconds": 5.0}
FULL = {"attendees": 2000, "questions_per_s": 20.0, "votes_per_s": 100.0, "seconds": 30.0}
HOSTS = 3  # moderators approving (each approves the questions whose id % HOSTS is theirs)
SERVERS = 2
OBSERVERS = 40  # attendees (over all client processes) whose vote-count frames are timed
CONNECT_CONCURRENCY = 25  # per client process
CONNECT_BOUND_S = 300.0  # the whole audience must be attending within this


def _rest(port: int, token: str, path: str, body: dict[str, Any]) -> dict[str, Any]:
    import urllib.request

    request = urllib.request.Request(  # noqa: S310 - 127.0.0.1 only
        f"http://127.0.0.1:{port}/api/v1{path}",
        data=json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
        return json.loads(response.read())


def create_webinar(port: int, room: int, token: str, co_hosts: list[int]) -> int:
    """Schedule and start the webinar over the REST API, as its host would, with co-moderators."""
    from datetime import UTC, datetime, timedelta

    start = datetime.now(UTC)
    webinar = _rest(
        port,
        token,
        "/webinars",
        {
            "room": room,
            "title": "Banc d'essai",
            "starts_at": start.isoformat(),
            "ends_at": (start + timedelta(hours=2)).isoformat(),
            "premoderation": True,
        },
    )
    for user_id in co_hosts:
        _rest(
            port, token, f"/webinars/{webinar['id']}/hosts", {"user": user_id, "role": "moderator"}
        )
    _rest(port, token, f"/webinars/{webinar['id']}/state", {"state": "live"})
    return int(webinar["id"])


class Worker:
    """One client process: its attendees, maybe some hosts, its share of questions and votes."""

    def __init__(self, job: dict[str, Any]) -> None:
        self.k = job["k"]
        self.webinar = job["webinar"]
        self.attendees: list[str] = job["attendees"]  # url per socket (tokens alongside)
        self.tokens: list[str] = job["tokens"]
        self.hosts: list[tuple[int, str, str]] = job["hosts"]  # (host index, url, token)
        self.observers: int = job["observers"]
        self.rates = (job["questions_per_s"], job["votes_per_s"])
        self.seconds = job["seconds"]
        self.asked: dict[str, float] = {}  # tag -> send time
        self.host_seen: list[tuple[str, float]] = []  # (tag, receive time), every host
        self.published: list[int] = []
        self.vote_sends: dict[int, list[float]] = defaultdict(list)
        self.frames: list[tuple[int, float, int, int]] = []  # (observer, time, question, count)
        self.errors: dict[str, int] = defaultdict(int)
        self.stop = asyncio.Event()

    async def open(self, url: str, token: str) -> Any:
        from websockets.asyncio.client import connect

        ws = await connect(
            url,
            additional_headers={"Authorization": f"Bearer {token}"},
            subprotocols=["preau.v1.json"],  # type: ignore[list-item]
            open_timeout=60,
            max_queue=None,
        )
        hello = json.loads(await ws.recv())
        assert hello["type"] == "hello", hello
        await ws.send(json.dumps({"type": "webinar.attend", "webinar": self.webinar, "ref": "a"}))
        return ws

    def _published(self, question: int) -> None:
        if question not in self.published:
            self.published.append(question)

    async def host_reader(self, ws: Any, index: int) -> None:
        try:
            async for raw in ws:
                frame = json.loads(raw)
                kind = frame.get("type")
                if kind == "error":
                    self.errors[frame.get("code", "?")] += 1
                elif kind == "webinar.host" and frame["event"] == "question.submitted":
                    self.host_seen.append((frame["data"]["body"].split()[-1], time.monotonic()))
                    question = frame["data"]["id"]
                    if question % HOSTS == index:
                        await ws.send(
                            json.dumps(
                                {
                                    "type": "question.moderate",
                                    "question": question,
                                    "action": "approve",
                                }
                            )
                        )
        except Exception:  # noqa: S110 - the socket closed at the end of the run
            pass

    async def reader(self, ws: Any, index: int) -> None:
        observer = index < self.observers
        try:
            async for raw in ws:
                if not observer:
                    continue  # read, not parsed: the client must not be the bottleneck
                frame = json.loads(raw)
                kind = frame.get("type")
                now = time.monotonic()
                if kind == "error":
                    self.errors[frame.get("code", "?")] += 1
                elif kind == "event" and frame.get("event") == "question.published":
                    self._published(int(frame["data"]["id"]))
                elif kind == "webinar.votes":
                    for key, count in frame["counts"].items():
                        self.frames.append((index, now, int(key), int(count)))
        except Exception:  # noqa: S110 - the socket closed at the end of the run
            pass

    async def paced(self, t0: float, rate: float, action: Any) -> None:
        if rate <= 0:
            return
        n = 0
        while not self.stop.is_set():
            n += 1
            delay = t0 + n / rate - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            if self.stop.is_set():
                return
            await action(n)

    async def main(self, pipe: Any) -> dict[str, Any]:
        loop = asyncio.get_running_loop()
        sem = asyncio.Semaphore(CONNECT_CONCURRENCY)
        t_connect = time.monotonic()

        async def one(url: str, token: str) -> Any:
            async with sem:
                return await self.open(url, token)

        hosts = [await self.open(url, token) for _i, url, token in self.hosts]
        sockets = list(
            await asyncio.gather(
                *(one(u, t) for u, t in zip(self.attendees, self.tokens, strict=True))
            )
        )
        connect_s = time.monotonic() - t_connect
        tasks = [
            asyncio.ensure_future(self.host_reader(ws, i))
            for (i, _u, _t), ws in zip(self.hosts, hosts, strict=True)
        ]
        tasks += [asyncio.ensure_future(self.reader(ws, i)) for i, ws in enumerate(sockets)]
        pipe.send({"ready": len(sockets), "connect_s": connect_s})
        go = await loop.run_in_executor(None, pipe.recv)  # the same start time in every process
        t0 = go["t0"]
        await asyncio.sleep(max(0.0, t0 - time.monotonic()))
        voted: dict[int, set[int]] = defaultdict(set)
        rng = random.Random(8 + self.k)

        async def ask(n: int) -> None:
            tag = f"w{self.k}q{n}"
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
            recent = self.published[-5:]
            q = recent[rng.randrange(len(recent))]
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
            asyncio.ensure_future(self.paced(t0, self.rates[0], ask)),
            asyncio.ensure_future(self.paced(t0, self.rates[1], vote)),
        ]
        await asyncio.sleep(max(0.0, t0 + self.seconds - time.monotonic()))
        self.stop.set()
        await asyncio.gather(*loops)
        await asyncio.sleep(2.0)  # drain: last approvals and count updates
        for ws in [*hosts, *sockets]:
            await ws.close()
        for task in tasks:
            task.cancel()
        return {
            "connect_s": connect_s,
            "asked": self.asked,
            "host_seen": self.host_seen,
            "vote_sends": dict(self.vote_sends),
            "frames": self.frames,
            "errors": dict(self.errors),
        }


def _worker_main(pipe: Any, job: dict[str, Any]) -> None:
    try:
        timeout = CONNECT_BOUND_S + job["seconds"] + 120
        result = asyncio.run(asyncio.wait_for(Worker(job).main(pipe), timeout=timeout))
        pipe.send({"result": result})
        pipe.poll(60)  # stay alive until the coordinator has read this process's CPU time
    except BaseException as exc:  # noqa: BLE001 - reported to the coordinator, which stops the run
        pipe.send({"error": f"{type(exc).__name__}: {exc}"})


def _recv(pipe: Any, seconds: float, what: str) -> dict[str, Any]:
    if not pipe.poll(seconds):
        raise TimeoutError(f"S8 client process: no {what} within {seconds:.0f} s")
    reply = pipe.recv()
    if "error" in reply:
        raise RuntimeError(f"S8 client process: {reply['error']}")
    return reply


def _merge(results: list[dict[str, Any]]) -> dict[str, Any]:
    asked: dict[str, float] = {}
    seen: dict[str, list[float]] = defaultdict(list)
    sends: dict[int, list[float]] = defaultdict(list)
    errors: dict[str, int] = defaultdict(int)
    frames: list[tuple[int, int, float, int, int]] = []
    for w, r in enumerate(results):
        asked.update(r["asked"])
        for tag, t in r["host_seen"]:
            seen[tag].append(t)
        for q, times in r["vote_sends"].items():
            sends[int(q)].extend(times)
        for code, n in r["errors"].items():
            errors[code] += n
        frames += [(w, o, t, q, c) for o, t, q, c in r["frames"]]
    host_latency = [t - asked[tag] for tag, times in seen.items() if tag in asked for t in times]
    for times in sends.values():
        times.sort()
    # Vote k of a question (in send order) is seen by an observer at the first frame whose count
    # passes k; count frames carry totals, so each vote is timed once per observer.
    vote_latency: list[float] = []
    updates: dict[tuple[int, int], list[float]] = defaultdict(list)
    before: dict[tuple[int, int, int], int] = defaultdict(int)
    for w, o, t, q, count in sorted(frames, key=lambda f: f[2]):
        updates[(w, o)].append(t)
        key = (w, o, q)
        times = sends.get(q, [])
        for k in range(before[key], min(count, len(times))):
            vote_latency.append(t - times[k])
        before[key] = max(before[key], count)
    per_observer = [len(set(ts)) for ts in updates.values()]
    rates = [
        (len(set(ts)) - 1) / (max(ts) - min(ts))
        for ts in updates.values()
        if len(set(ts)) > 1 and max(ts) > min(ts)
    ]
    return {
        "host_latency": host_latency,
        "vote_latency": vote_latency,
        "questions_seen_by_host": sum(1 for tag in seen if tag in asked),
        "votes_sent": sum(len(t) for t in sends.values()),
        "count_updates_per_attendee": max(per_observer, default=0),
        "count_updates_per_attendee_per_s": round(max(rates, default=0.0), 2),
        "errors": dict(errors),
    }


def s8(ctx: Any) -> list[dict]:
    profile = QUICK if ctx.quick else FULL
    members = ctx.group("s8")[0]["members"]
    room = ctx.group("s8")[0]["room"]
    n = int(profile["attendees"])
    hosts, audience = members[:HOSTS], members[HOSTS : HOSTS + n]
    if len(audience) < n:
        raise RuntimeError(f"S8 needs {HOSTS + n} seeded members, has {len(members)}")
    workers = max(2, ctx.workers)
    target = ctx.preau(n=SERVERS)
    mpctx = mp.get_context("fork")
    procs: list[Any] = []
    try:
        urls = [s.url() for s in target.servers]
        webinar = create_webinar(
            target.servers[0].port, room, hosts[0][1], [uid for uid, _t in hosts[1:]]
        )
        jobs: list[dict[str, Any]] = [
            {
                "k": k,
                "webinar": webinar,
                "attendees": [],
                "tokens": [],
                "hosts": [],
                "observers": OBSERVERS // workers,
                "questions_per_s": profile["questions_per_s"] / workers,
                "votes_per_s": profile["votes_per_s"] / workers,
                "seconds": profile["seconds"],
            }
            for k in range(workers)
        ]
        for i, (_uid, token) in enumerate(audience):
            job = jobs[i % workers]
            job["attendees"].append(urls[i % SERVERS])  # both servers in every process
            job["tokens"].append(token)
        for h, (_uid, token) in enumerate(hosts):
            jobs[h % workers]["hosts"].append((h, urls[h % SERVERS], token))
        pipes = []
        for job in jobs:
            ours, theirs = mpctx.Pipe()
            proc = mpctx.Process(target=_worker_main, args=(theirs, job), daemon=True)
            proc.start()
            procs.append(proc)
            pipes.append(ours)
        t_connect = time.monotonic()
        ready = [
            _recv(p, max(1.0, CONNECT_BOUND_S - (time.monotonic() - t_connect)), "connections")
            for p in pipes
        ]
        connect_s = time.monotonic() - t_connect
        ctx.log(
            f"    S8: {sum(r['ready'] for r in ready)} attendees attending in {connect_s:.1f} s"
        )
        clock = CpuClock(target.cpu_groups([p.pid for p in procs if p.pid]))
        t0 = time.monotonic() + 1.5  # attendance announcements settle meanwhile
        for p in pipes:
            p.send({"t0": t0})
        clock.start()
        results = [_recv(p, profile["seconds"] + 90, "result")["result"] for p in pipes]
        cpu = clock.stop()
        for p in pipes:
            p.send({"bye": True})
    finally:
        for proc in procs:
            proc.join(timeout=5)
            if proc.is_alive():
                proc.kill()
        target.stop()
    merged = _merge(results)
    return [
        {
            "target": target.name,
            "servers": SERVERS,
            "client_processes": workers,
            "attendees": n,
            "hosts": HOSTS,
            "questions_per_s": profile["questions_per_s"],
            "votes_per_s": profile["votes_per_s"],
            "seconds": profile["seconds"],
            "connect_s": round(connect_s, 1),
            "questions_asked": sum(len(r["asked"]) for r in results),
            "questions_seen_by_host": merged["questions_seen_by_host"],
            "votes_sent": merged["votes_sent"],
            "errors": merged["errors"],
            "host_sees_question_p50_ms": _ms(percentile(merged["host_latency"], 50)),
            "host_sees_question_p99_ms": _ms(percentile(merged["host_latency"], 99)),
            "attendee_sees_vote_p50_ms": _ms(percentile(merged["vote_latency"], 50)),
            "attendee_sees_vote_p99_ms": _ms(percentile(merged["vote_latency"], 99)),
            "count_updates_per_attendee": merged["count_updates_per_attendee"],
            "count_updates_per_attendee_per_s": merged["count_updates_per_attendee_per_s"],
            "server_cpu_pct": round(cpu["cpu_pct"].get("server", 0.0), 1),
            "redis_cpu_pct": round(cpu["cpu_pct"].get("redis", 0.0), 1),
            "client_cpu_pct": round(cpu["cpu_pct"].get("client", 0.0), 1),
        }
    ]


def _ms(value: float | None) -> float | None:
    return None if value is None else round(value * 1000, 1)
