"""The scenarios S1–S7. Each returns rows (one per target) for the report, with ratios to plain."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from . import targets
from .infra import Deployment, Processes, Redis
from .load import CpuClock, Load, merge_step, percentile
from .webinar import s8

P99_LIMIT_MS = 100.0
SEND_RATE_PER_SOCKET = 15.0  # under Préau's per-connection limit of 20 frames/s


@dataclass
class Ctx:
    quick: bool
    procs: Processes
    redis: Redis
    scaled: Deployment
    seed: dict[str, Any]
    pin: bool
    workers: int
    embedded: Deployment | None = None
    embedded_seed: dict[str, Any] | None = None
    server_impl: str = "default"
    log: Callable[[str], None] = print
    notes: list[str] = field(default_factory=list)

    @property
    def server_cpus(self) -> str | None:
        return "0" if self.pin else None

    @property
    def client_cpus(self) -> str | None:
        return "1" if self.pin else None

    def group(self, name: str, seed: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        return (seed or self.seed)["groups"][name]

    def plain(self) -> targets.Target:
        return targets.plain(self.procs, self.server_cpus)

    def preau(
        self, n: int = 1, embedded: bool = False, server: str | None = None
    ) -> targets.Target:
        deployment = self.embedded if embedded else self.scaled
        cpus = [self.server_cpus] if n == 1 else [None] * n
        return targets.preau(
            deployment, None if embedded else self.redis, n, cpus, server=server or self.server_impl
        )


def _connect(ctx: Ctx, target: targets.Target, load: Load, rooms: list[dict], **extra: Any) -> dict:
    specs = []
    for r in rooms:
        for i, member in enumerate(r["members"]):
            specs.append(target.spec(i, member, r["room"]))
    t0 = time.monotonic()
    result = load.connect(specs, concurrency=16, **extra)
    result["elapsed_s"] = time.monotonic() - t0
    if result["failed"]:
        ctx.log(f"    connect failures: {result['failed']}")
    return result


def _step(
    ctx: Ctx,
    target: targets.Target,
    load: Load,
    step: int,
    sends: list[dict | None],
    duration: float,
    room_sizes: dict[int, int],
    drain: float,
) -> dict:
    clock = CpuClock(target.cpu_groups(load.pids))
    clock.start()
    load.call_all([{"cmd": "step", "step": step, "send": s} for s in sends])
    time.sleep(duration + 0.05 + drain)
    replies = load.same({"cmd": "collect"})
    result = merge_step(replies, room_sizes, duration)
    result.update(clock.stop())
    return result


# --- S1 fan-out --------------------------------------------------------------------------------


def s1_target(ctx: Ctx, target: targets.Target, rooms: list[dict], start: float) -> dict:
    """Ramp the rate of one room's sender until p99 > 100 ms or a loss; best passing step."""
    room = rooms[0]
    n = len(room["members"])
    load = Load(ctx.workers, ctx.client_cpus)
    try:
        conn = _connect(ctx, target, load, rooms)
        time.sleep(1.0)
        duration = 1.0 if ctx.quick else 2.5
        factor = 2.0 if ctx.quick else 1.6
        per_worker = [list(range(math.ceil(n / len(load)))) for _ in range(len(load))]
        steps: list[dict] = []
        best: dict | None = None
        rate_deliv = start
        fail_at: float | None = None
        step_no = 0
        refinements = 0 if ctx.quick else 2
        downs = 0
        while step_no < (2 if ctx.quick else 16):
            rate = rate_deliv / n
            duration_here = max(duration, min(8.0, 20 / rate))
            sends = [
                {"rate": rate / len(load), "duration": duration_here, "senders": per_worker[w]}
                for w in range(len(load))
            ]
            # Enough sockets to stay under the per-connection frame limit.
            if rate / n > SEND_RATE_PER_SOCKET:
                break
            result = _step(
                ctx, target, load, step_no, sends, duration_here, {room["room"]: n}, drain=1.2
            )
            result["target_deliveries_per_s"] = rate_deliv
            result["rate_msgs_per_s"] = rate
            ok = result["lost_deliveries"] == 0 and (result["p99_ms"] or 1e9) <= P99_LIMIT_MS
            result["pass"] = ok
            steps.append(result)
            ctx.log(
                f"    {target.name} N={n} {rate_deliv:>9.0f}/s → {result['deliveries_per_s']:>9.0f}/s "
                f"p99 {result['p99_ms']} ms lost {result['lost_deliveries']} "
                f"cpu srv {result['cpu_pct'].get('server', 0):.0f}% cli {result['cpu_pct'].get('client', 0):.0f}% "
                f"{'ok' if ok else 'FAIL'}"
            )
            step_no += 1
            if ok:
                if best is None or result["deliveries_per_s"] > best["deliveries_per_s"]:
                    best = result
                if fail_at is None:
                    rate_deliv *= factor
                    continue
            else:
                fail_at = rate_deliv if fail_at is None else min(fail_at, rate_deliv)
                time.sleep(1.5)  # let a backlog drain before the next step
            if best is None:
                # Failing from the first step: step down, a few times at most.
                downs += 1
                if downs > (0 if ctx.quick else 3):
                    break
                rate_deliv /= 2.5
                continue
            if refinements == 0:
                break
            refinements -= 1
            low = best["target_deliveries_per_s"]
            if fail_at / low < 1.1:
                break
            rate_deliv = math.sqrt(low * fail_at)
        cpu_us = None
        if best is not None and best["deliveries"]:
            cpu_us = 1e6 * best["cpu_s"]["server"] / best["deliveries"]
        return {
            "target": target.name,
            "n": n,
            "connected": conn["open"],
            "connect_s": conn["elapsed_s"],
            "max_deliveries_per_s": best["deliveries_per_s"] if best else 0.0,
            "p50_ms": best["p50_ms"] if best else None,
            "p99_ms": best["p99_ms"] if best else None,
            "cpu_us_per_delivery": cpu_us,
            "server_cpu_pct": best["cpu_pct"].get("server") if best else None,
            "client_cpu_pct": best["cpu_pct"].get("client") if best else None,
            "redis_cpu_pct": best["cpu_pct"].get("redis") if best else None,
            "saturated_deliveries_per_s": max((s["deliveries_per_s"] for s in steps), default=0.0),
            "steps": steps,
        }
    finally:
        load.close()
        target.stop()


def s1(ctx: Ctx) -> list[dict]:
    rows = []
    sizes = [100, 1000] if ctx.quick else [100, 1000, 5000]
    for n in sizes:
        rooms = ctx.group(f"s1_{n}")
        start = 8000.0 if ctx.quick else (12000.0 if n >= 5000 else 6000.0)
        plain = s1_target(ctx, ctx.plain(), rooms, start)
        rows.append(plain)
        variants = [("scaled", lambda: ctx.preau())]
        if n == 1000 and not ctx.quick:
            variants.append(("scaled ×2", lambda: ctx.preau(n=2)))
            # The previous server, in the same run: what the transport change bought.
            variants.append(("daphne", lambda: ctx.preau(server="daphne")))
            if ctx.embedded is not None:
                variants.append(("embedded", lambda: ctx.preau(embedded=True)))
        for label, make in variants:
            if label == "embedded":
                rooms_here = ctx.group(f"s1_{n}", ctx.embedded_seed)
            else:
                rooms_here = rooms
            row = s1_target(ctx, make(), rooms_here, start)
            row["ratio"] = _ratio(row["max_deliveries_per_s"], plain["max_deliveries_per_s"])
            rows.append(row)
    return rows


def _ratio(value: float | None, ref: float | None) -> float | None:
    if not value or not ref:
        return None
    return round(value / ref, 3)


# --- S2 many small rooms ------------------------------------------------------------------------


def s2(ctx: Ctx) -> list[dict]:
    rooms = ctx.group("s2")
    rows = []
    # "Now and then": one message every 50 s, then every 10 s, per member.
    per_member = [0.1] if ctx.quick else [0.02, 0.1]
    ref: dict[float, dict] = {}
    for make in (ctx.plain, ctx.preau):
        target = make()
        load = Load(ctx.workers, ctx.client_cpus)
        try:
            conn = _connect(ctx, target, load, rooms)
            time.sleep(1.0)
            n_conns = conn["open"]
            sizes = {r["room"]: len(r["members"]) for r in rooms}
            for k, rate_each in enumerate(per_member):
                total = rate_each * n_conns
                sends = [
                    {
                        "rate": total / len(load),
                        "duration": 1.5 if ctx.quick else 3.0,
                        "senders": list(range(math.ceil(n_conns / len(load)))),
                    }
                    for _ in range(len(load))
                ]
                result = _step(ctx, target, load, k, sends, sends[0]["duration"], sizes, 1.2)
                row = {
                    "target": target.name,
                    "rooms": len(rooms),
                    "members": len(rooms[0]["members"]),
                    "msgs_per_s": total,
                    **{
                        k2: result[k2]
                        for k2 in (
                            "deliveries_per_s",
                            "p50_ms",
                            "p99_ms",
                            "max_ms",
                            "lost_deliveries",
                            "cpu_pct",
                        )
                    },
                }
                if target.kind == "plain":
                    ref[rate_each] = row
                else:
                    row["p99_ratio"] = _ratio(row["p99_ms"], ref[rate_each]["p99_ms"])
                ctx.log(
                    f"    {target.name} {total:.0f} msg/s → {row['deliveries_per_s']:.0f} deliv/s "
                    f"p50 {row['p50_ms']} p99 {row['p99_ms']} lost {row['lost_deliveries']}"
                )
                rows.append(row)
        finally:
            load.close()
            target.stop()
    return rows


# --- S4 send round trip -------------------------------------------------------------------------


def _s4_target(ctx: Ctx, target: targets.Target, rooms: list[dict], mode: str) -> dict:
    room = rooms[0]
    members = room["members"]
    load = Load(2, ctx.client_cpus)
    try:
        _connect(ctx, target, load, rooms)
        time.sleep(1.0)
        sizes = {room["room"]: len(members)}
        duration = 1.0 if ctx.quick else 2.0
        ladder = [50, 100, 200, 400, 800] if not ctx.quick else [100]
        if target.kind == "plain" and mode == "socket":
            ladder += [1600]
        steps = []
        saturation = 0.0
        step_no = 0
        for rate in ladder:
            result = _s4_step(ctx, target, load, step_no, rate, duration, mode, room, sizes)
            step_no += 1
            steps.append(result)
            saturation = max(saturation, result["acks_per_s"])
            ctx.log(
                f"    {target.name} {mode} {rate}/s → {result['acks_per_s']:.0f} acks/s "
                f"p99 {result['ack_p99_ms']} ms"
            )
            if result["acks_per_s"] < 0.9 * rate or (result["ack_p99_ms"] or 1e9) > 1000:
                time.sleep(2.0)
                break
        half = max(1.0, saturation / 2)
        result = _s4_step(ctx, target, load, step_no, half, duration * 2, mode, room, sizes)
        ctx.log(
            f"    {target.name} {mode} at half saturation {half:.0f}/s: "
            f"p50 {result['ack_p50_ms']} p99 {result['ack_p99_ms']} ms"
        )
        return {
            "target": target.name,
            "path": mode,
            "saturation_msgs_per_s": saturation,
            "half_rate": half,
            "p50_ms": result["ack_p50_ms"],
            "p99_ms": result["ack_p99_ms"],
            "lost_deliveries": result["lost_deliveries"],
            "server_cpu_pct": result["cpu_pct"].get("server"),
            "steps": steps,
        }
    finally:
        load.close()
        target.stop()


def _s4_step(ctx, target, load, step_no, rate, duration, mode, room, sizes) -> dict:  # type: ignore[no-untyped-def]
    if mode == "rest":
        pool = target.rest_pool(room["members"][:16], room["room"])
        sends = [{"rate": rate, "duration": duration, "mode": "rest", "rest": pool}, None]
        sends[1] = {"rate": 0.0001, "duration": 0, "senders": []}
    else:
        per = math.ceil(len(room["members"]) / len(load))
        sends = [
            {"rate": rate / len(load), "duration": duration, "senders": list(range(per))}
            for _ in range(len(load))
        ]
    return _step(ctx, target, load, step_no, sends, duration, sizes, drain=1.0)


def s4(ctx: Ctx) -> list[dict]:
    rooms = ctx.group("s4")
    rows = []
    plain_socket = _s4_target(ctx, ctx.plain(), rooms, "socket")
    rows.append(plain_socket)
    variants: list[tuple[str, Callable[[], targets.Target], list[dict]]] = [
        ("socket", ctx.preau, rooms),
    ]
    if not ctx.quick:
        variants.append(("rest", ctx.preau, rooms))
    if not ctx.quick:
        variants.append(("socket", lambda: ctx.preau(n=2), rooms))
    if ctx.embedded is not None:
        variants.append(
            ("socket", lambda: ctx.preau(embedded=True), ctx.group("s4", ctx.embedded_seed))
        )
    for mode, make, rooms_here in variants:
        row = _s4_target(ctx, make(), rooms_here, mode)
        row["saturation_ratio"] = _ratio(
            row["saturation_msgs_per_s"], plain_socket["saturation_msgs_per_s"]
        )
        rows.append(row)
    return rows


# --- S5 connection churn ------------------------------------------------------------------------


def _redis_state(ctx: Ctx) -> dict[str, int]:
    client = ctx.redis.client()
    prefix = ctx.scaled.env["PREAU_BUS_PREFIX"]
    return {
        "clients": len(client.client_list()) - 1,
        "channels": len(client.pubsub_channels(f"{prefix}:*")),
        "presence_conns": sum(
            1 for _ in client.scan_iter(f"{prefix}:presence:conns:*", count=1000)
        ),
        "presence_users": client.zcard(f"{prefix}:presence:users"),
    }


def s5(ctx: Ctx) -> list[dict]:
    rooms = ctx.group("s5")
    rows = []
    rates = [50] if ctx.quick else [50, 100, 200]
    duration = 1.0 if ctx.quick else 4.0
    for make in (ctx.plain, ctx.preau):
        target = make()
        load = Load(ctx.workers, ctx.client_cpus)
        try:
            specs = [
                target.spec(i, m, r["room"]) for r in rooms for i, m in enumerate(r["members"])
            ]
            # One resident observer per room, so presence changes have someone to reach.
            observers = [target.spec(0, r["members"][0], r["room"]) for r in rooms]
            load.connect(observers)
            time.sleep(1.0)
            churners = [s for s in specs if s not in observers]
            before: dict[str, int] = {}
            for k, rate in enumerate([rates[0], *rates]):
                clock = CpuClock(target.cpu_groups(load.pids))
                clock.start()
                shares = [churners[w :: len(load)] for w in range(len(load))]
                replies = load.call_all(
                    [
                        {
                            "cmd": "churn",
                            "conns": share,
                            "rate": rate / len(load),
                            "duration": duration,
                            "hold": 0.2,
                        }
                        for share in shares
                    ]
                )
                cpu = clock.stop()
                if k == 0:
                    # A first round warms the servers' Redis connection pools; the leak check
                    # compares the state after it with the state after every other round.
                    time.sleep(1.0)
                    before = _redis_state(ctx) if target.kind == "preau" else {}
                    continue
                times = [t for r in replies for t in r["connect_s"]]
                failed: dict[str, int] = {}
                for r in replies:
                    for k, v in r["failed"].items():
                        failed[k] = failed.get(k, 0) + v
                closes = sum(r["closes"] for r in replies)
                row = {
                    "target": target.name,
                    "rate": rate,
                    "connects_per_s": len(times) / max(r["elapsed"] for r in replies),
                    "disconnects": closes,
                    "connect_p50_ms": _ms(percentile(times, 50)),
                    "connect_p99_ms": _ms(percentile(times, 99)),
                    "failed": failed,
                    "server_cpu_pct": cpu["cpu_pct"].get("server"),
                }
                ctx.log(
                    f"    {target.name} churn {rate}/s → {row['connects_per_s']:.0f}/s "
                    f"p99 {row['connect_p99_ms']} ms failed {sum(failed.values())}"
                )
                rows.append(row)
            if target.kind == "preau":
                time.sleep(2.0)
                after = _redis_state(ctx)
                leak = {k: after[k] - before[k] for k in before}
                ctx.log(f"    redis before {before} after {after}")
                for row in rows:
                    if row["target"] == target.name:
                        row["redis_before"] = before
                        row["redis_after"] = after
                        row["leaked"] = leak
        finally:
            load.close()
            target.stop()
    ref = {r["rate"]: r for r in rows if r["target"].startswith("plain")}
    for row in rows:
        if not row["target"].startswith("plain") and row["rate"] in ref:
            row["connect_p99_ratio"] = _ratio(
                row["connect_p99_ms"], ref[row["rate"]]["connect_p99_ms"]
            )
    return rows


def _ms(value: float | None) -> float | None:
    return None if value is None else round(value * 1000, 2)


# --- S6 idle capacity ----------------------------------------------------------------------------


def s6(ctx: Ctx) -> list[dict]:
    rooms = ctx.group("s6")
    rows = []
    window = 2.0 if ctx.quick else 15.0
    for make in (ctx.plain, ctx.preau):
        target = make()
        load = Load(ctx.workers, ctx.client_cpus)
        try:
            warm = [target.spec(0, rooms[0]["members"][0], rooms[0]["room"])]
            load.connect(warm)
            time.sleep(1.0)
            rss0 = target.rss()
            others = [
                target.spec(i, m, r["room"])
                for r in rooms
                for i, m in enumerate(r["members"])
                if not (r is rooms[0] and i == 0)
            ]
            t0 = time.monotonic()
            conn = load.connect(others, concurrency=32)
            elapsed = time.monotonic() - t0
            time.sleep(3.0)
            rss1 = target.rss()
            clock = CpuClock(target.cpu_groups(load.pids))
            clock.start()
            time.sleep(window)
            cpu = clock.stop()
            n = conn["open"]
            row = {
                "target": target.name,
                "connections": n + 1,
                "failed": conn["failed"],
                "connect_rate_per_s": n / elapsed if elapsed else None,
                "rss_before_mb": round(rss0 / 2**20, 1),
                "rss_after_mb": round(rss1 / 2**20, 1),
                "kb_per_connection": round((rss1 - rss0) / max(1, n) / 1024, 1),
                "idle_cpu_pct": round(cpu["cpu_pct"]["server"], 2),
                "idle_window_s": window,
            }
            if target.kind == "preau":
                row["redis_cpu_pct"] = round(cpu["cpu_pct"].get("redis", 0.0), 2)
            ctx.log(
                f"    {target.name} {row['connections']} idle: {row['kb_per_connection']} KB/conn, "
                f"cpu {row['idle_cpu_pct']}% (opened at {row['connect_rate_per_s']:.0f}/s)"
            )
            rows.append(row)
        finally:
            load.close()
            target.stop()
    if len(rows) == 2:
        rows[1]["kb_ratio"] = _ratio(rows[1]["kb_per_connection"], rows[0]["kb_per_connection"])
    return rows


# --- S7 failure drills ---------------------------------------------------------------------------


def _drill(ctx: Ctx, target: targets.Target, kind: str) -> dict:
    rooms = ctx.group("s7")
    room = rooms[0]
    size = len(room["members"])
    load = Load(2, ctx.client_cpus)
    urls = [s.url() for s in target.servers]
    try:
        conn = _connect(ctx, target, load, rooms, resilient=True, urls=urls)
        time.sleep(1.0)
        rate = 20.0
        before, after_s = (1.0, 2.0) if ctx.quick else (2.0, 4.0)
        duration = before + after_s
        survivor = len(target.servers) - 1
        pool = target.rest_pool(room["members"][:4], room["room"], server=survivor)
        if target.kind == "plain":
            sends = [
                {"rate": rate, "duration": duration, "senders": [0]},
                {"rate": 0.0001, "duration": 0, "senders": []},
            ]
        else:
            sends = [
                {"rate": rate, "duration": duration, "mode": "rest", "rest": pool},
                {"rate": 0.0001, "duration": 0, "senders": []},
            ]
        load.call_all([{"cmd": "step", "step": 0, "send": s} for s in sends])
        time.sleep(before)
        t_drill = time.monotonic()
        if kind == "redis restart":
            ctx.redis.kill()
            time.sleep(1.0)
            ctx.redis.start()
        elif kind == "server SIGKILL":
            target.servers[0].kill()
        elif kind == "plain restart":
            target.servers[0].stop()
            time.sleep(1.0)
            target.servers[0].start()
        # Wait for full delivery, bounded.
        deadline = time.monotonic() + (10 if ctx.quick else 20)
        time.sleep(after_s)
        result: dict = {}
        while True:
            replies = load.same({"cmd": "collect"})
            result = merge_step(
                replies, {room["room"]: size}, duration, only_acked=target.kind == "preau"
            )
            if result["lost_deliveries"] == 0 or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        full = result["_last_receipt"] - t_drill if result["lost_deliveries"] == 0 else None
        row = {
            "target": target.name,
            "drill": kind,
            "members": size,
            "connected": conn["open"],
            "messages": result["messages"],
            "acked": result["acks"],
            "unacked": result["unacked"],
            "lost_messages": result["lost_messages"],
            "lost_deliveries": result["lost_deliveries"],
            "duplicates": result["duplicates"],
            "reconnects": result["reconnects"],
            "time_to_full_delivery_s": round(full, 2) if full is not None else None,
            "max_latency_ms": result["max_ms"],
            "errors": result["errors"],
        }
        ctx.log(
            f"    {target.name} {kind}: {row['messages']} msgs, lost {row['lost_deliveries']} deliveries, "
            f"dup {row['duplicates']}, reconnects {row['reconnects']}, full delivery after "
            f"{row['time_to_full_delivery_s']} s"
        )
        return row
    finally:
        load.close()
        target.stop()


def s7(ctx: Ctx) -> list[dict]:
    if ctx.quick:
        return [_drill(ctx, ctx.preau(n=2), "redis restart")]
    rows = [_drill(ctx, ctx.plain(), "plain restart")]
    rows.append(_drill(ctx, ctx.preau(n=2), "redis restart"))
    rows.append(_drill(ctx, ctx.preau(n=2), "server SIGKILL"))
    return rows


SCENARIOS: dict[str, Callable[[Ctx], list[dict]]] = {
    "S1": s1,
    "S2": s2,
    "S4": s4,
    "S5": s5,
    "S6": s6,
    "S7": s7,
    "S8": s8,
}
