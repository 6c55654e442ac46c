"""The coordinator's side of the load client: worker processes, commands, merged step results."""

from __future__ import annotations

import multiprocessing as mp
import time
from dataclasses import dataclass, field
from typing import Any

from .client import worker_main
from .infra import cpu_seconds


class Load:
    """``n`` client processes, each pinned to ``cpus`` when given."""

    def __init__(self, n: int, cpus: str | None) -> None:
        ctx = mp.get_context("fork")
        self.pipes = []
        self.procs = []
        for i in range(n):
            ours, theirs = ctx.Pipe()
            proc = ctx.Process(target=worker_main, args=(theirs, i, cpus), daemon=True)
            proc.start()
            self.pipes.append(ours)
            self.procs.append(proc)

    @property
    def pids(self) -> list[int]:
        return [p.pid for p in self.procs if p.pid is not None]

    def __len__(self) -> int:
        return len(self.pipes)

    def call_all(self, commands: list[dict[str, Any] | None], timeout: float = 300) -> list[Any]:
        for pipe, cmd in zip(self.pipes, commands, strict=True):
            if cmd is not None:
                pipe.send(cmd)
        replies = []
        deadline = time.monotonic() + timeout
        for pipe, cmd in zip(self.pipes, commands, strict=True):
            if cmd is None:
                replies.append(None)
                continue
            if not pipe.poll(max(0.1, deadline - time.monotonic())):
                raise TimeoutError(f"load worker did not answer {cmd['cmd']} in {timeout} s")
            reply = pipe.recv()
            if isinstance(reply, dict) and "error" in reply:
                raise RuntimeError(f"load worker: {reply['error']}")
            replies.append(reply)
        return replies

    def same(self, cmd: dict[str, Any], timeout: float = 300) -> list[Any]:
        return self.call_all([cmd] * len(self.pipes), timeout)

    def connect(
        self, specs: list[dict[str, Any]], concurrency: int = 32, **extra: Any
    ) -> dict[str, Any]:
        """Spread connections round-robin over the workers; returns counts and connect times."""
        shares: list[list[dict[str, Any]]] = [[] for _ in self.pipes]
        for i, spec in enumerate(specs):
            shares[i % len(shares)].append(spec)
        replies = self.call_all(
            [
                {"cmd": "connect", "conns": share, "concurrency": concurrency, **extra}
                for share in shares
            ]
        )
        failed: dict[str, int] = {}
        for r in replies:
            for k, v in r["failed"].items():
                failed[k] = failed.get(k, 0) + v
        return {
            "open": sum(r["open"] for r in replies),
            "failed": failed,
            "connect_s": [t for r in replies for t in r["connect_s"]],
        }

    def close(self) -> None:
        try:
            self.same({"cmd": "close"}, timeout=30)
        except Exception:  # noqa: S110 - killed below anyway
            pass
        for proc in self.procs:
            proc.join(2)
            if proc.is_alive():
                proc.kill()
                proc.join(2)


def percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


@dataclass
class CpuClock:
    """CPU seconds of named groups of processes between start() and stop()."""

    groups: dict[str, list[int]]
    start_values: dict[str, float] = field(default_factory=dict)
    t0: float = 0.0

    def _read(self) -> dict[str, float]:
        return {name: sum(cpu_seconds(p) for p in pids) for name, pids in self.groups.items()}

    def start(self) -> None:
        self.t0 = time.monotonic()
        self.start_values = self._read()

    def stop(self) -> dict[str, Any]:
        wall = time.monotonic() - self.t0
        now = self._read()
        used = {k: now[k] - self.start_values.get(k, 0.0) for k in now}
        return {
            "wall_s": wall,
            "cpu_s": used,
            "cpu_pct": {k: 100 * v / wall for k, v in used.items()},
        }


def merge_step(
    replies: list[dict[str, Any]],
    room_sizes: dict[int, int],
    duration: float,
    only_acked: bool = False,
) -> dict:
    """Deliveries, loss and latency to the last member, from every worker's view of one step."""
    sent: dict[int, tuple[int, float]] = {}
    count: dict[int, int] = {}
    maxlat: dict[int, float] = {}
    acks: dict[int, float] = {}
    errors: dict[str, int] = {}
    for r in replies:
        sent.update(r["sent"])
        acks.update(r["acks"])
        for k, v in r["errors"].items():
            errors[k] = errors.get(k, 0) + v
        for m, c in r["count"].items():
            count[m] = count.get(m, 0) + c
        for m, lat in r["maxlat"].items():
            if lat > maxlat.get(m, 0.0):
                maxlat[m] = lat
    unacked = [m for m in sent if m not in acks]
    if only_acked:
        for m in unacked:
            del sent[m]
    delivered = 0
    lost_msgs = 0
    duplicates = 0
    lats = []
    for m, (room, _due) in sent.items():
        want = room_sizes[room]
        got = count.get(m, 0)
        delivered += min(got, want)
        duplicates += max(0, got - want)
        if got < want:
            lost_msgs += 1
        else:
            lats.append(maxlat[m])
    expected = sum(room_sizes[room] for room, _ in sent.values())
    ack_lats = list(acks.values())
    return {
        "messages": len(sent),
        "expected_deliveries": expected,
        "deliveries": delivered,
        "deliveries_per_s": delivered / duration if duration else 0.0,
        "lost_messages": lost_msgs,
        "lost_deliveries": expected - delivered,
        "duplicates": duplicates,
        "p50_ms": _ms(percentile(lats, 50)),
        "p99_ms": _ms(percentile(lats, 99)),
        "max_ms": _ms(max(lats) if lats else None),
        "acks": len(ack_lats),
        "unacked": len(unacked),
        "acks_per_s": len(ack_lats) / duration if duration else 0.0,
        "ack_p50_ms": _ms(percentile(ack_lats, 50)),
        "ack_p99_ms": _ms(percentile(ack_lats, 99)),
        "errors": errors,
        "open": sum(r["open"] for r in replies),
        "reconnects": sum(r["reconnects"] for r in replies),
        "_last_receipt": max(
            (due + maxlat[m] for m, (_room, due) in sent.items() if m in maxlat), default=0.0
        ),
    }


def _ms(value: float | None) -> float | None:
    return None if value is None else round(value * 1000, 2)
