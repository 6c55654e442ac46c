"""The Markdown table of a run (the JSON file keeps every step)."""

from __future__ import annotations

import json
from typing import Any


def _f(value: Any, digits: int = 0) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:,.{digits}f}".replace(",", " ")
    if isinstance(value, int):
        return f"{value:,}".replace(",", " ")
    if isinstance(value, dict):
        return ", ".join(f"{k}: {v}" for k, v in value.items()) or "0"
    return str(value)


def _table(headers: list[str], rows: list[list[Any]]) -> list[str]:
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += [
        "| " + " | ".join(_f(c) if not isinstance(c, str) else c for c in r) + " |" for r in rows
    ]
    return lines


def markdown(results: dict[str, Any]) -> str:
    m = results["machine"]
    out = [
        f"# Préau benchmark — {results['profile']} run, {results['started_at']}",
        "",
        f"`{results['command']}` — {results.get('seconds', '?')} s; machine: {m['nproc']} × {m['cpu']}, "
        f"{m['memory_gib']} GiB, Linux {m['kernel']}, Python {m['python']}, websockets {m['websockets']}, "
        f"Redis {m['redis']}, PostgreSQL {m['postgresql']}, commit {m['git']}.",
        f"Pinning: {results['pinning']}. Load client: {results['load_client']}.",
        "",
    ]
    sc = results["scenarios"]
    if "S1" in sc:
        out += ["## S1 fan-out (one room of N, max deliveries/s with p99 ≤ 100 ms and no loss)", ""]
        out += _rows_or_error(
            sc["S1"],
            lambda rows: _table(
                [
                    "target",
                    "N",
                    "deliveries/s",
                    "ratio to plain",
                    "p50 ms",
                    "p99 ms",
                    "CPU µs/delivery",
                    "server CPU %",
                    "client CPU %",
                    "Redis CPU %",
                    "saturated at/s",
                ],
                [
                    [
                        r["target"],
                        r["n"],
                        _f(r["max_deliveries_per_s"]),
                        _f(r.get("ratio"), 3)
                        if r.get("ratio")
                        else "1"
                        if r["target"].startswith("plain")
                        else "—",
                        _f(r["p50_ms"], 1),
                        _f(r["p99_ms"], 1),
                        _f(r["cpu_us_per_delivery"], 1),
                        _f(r["server_cpu_pct"]),
                        _f(r["client_cpu_pct"]),
                        _f(r["redis_cpu_pct"]),
                        _f(r["saturated_deliveries_per_s"]),
                    ]
                    for r in rows
                ],
            ),
        )
    if "S2" in sc:
        out += ["", "## S2 many small rooms (every member sends now and then)", ""]
        out += _rows_or_error(
            sc["S2"],
            lambda rows: _table(
                [
                    "target",
                    "rooms × members",
                    "msgs/s",
                    "deliveries/s",
                    "p50 ms",
                    "p99 ms",
                    "max ms",
                    "lost",
                    "p99 ratio",
                    "server CPU %",
                ],
                [
                    [
                        r["target"],
                        f"{r['rooms']} × {r['members']}",
                        _f(r["msgs_per_s"]),
                        _f(r["deliveries_per_s"]),
                        _f(r["p50_ms"], 1),
                        _f(r["p99_ms"], 1),
                        _f(r["max_ms"], 1),
                        _f(r["lost_deliveries"]),
                        _f(r.get("p99_ratio"), 2),
                        _f(r["cpu_pct"].get("server")),
                    ]
                    for r in rows
                ],
            ),
        )
    if "S4" in sc:
        out += [
            "",
            "## S4 send round trip (persisted, acknowledged; p50/p99 at half of saturation)",
            "",
        ]
        out += _rows_or_error(
            sc["S4"],
            lambda rows: _table(
                [
                    "target",
                    "path",
                    "saturation msgs/s",
                    "ratio to plain",
                    "half rate/s",
                    "p50 ms",
                    "p99 ms",
                    "server CPU %",
                ],
                [
                    [
                        r["target"],
                        r["path"],
                        _f(r["saturation_msgs_per_s"]),
                        _f(r.get("saturation_ratio"), 3),
                        _f(r["half_rate"]),
                        _f(r["p50_ms"], 1),
                        _f(r["p99_ms"], 1),
                        _f(r["server_cpu_pct"]),
                    ]
                    for r in rows
                ],
            ),
        )
    if "S5" in sc:
        out += ["", "## S5 connection churn (connect, hello, 0.2 s, close; presence on)", ""]
        out += _rows_or_error(
            sc["S5"],
            lambda rows: _table(
                [
                    "target",
                    "offered/s",
                    "connects/s",
                    "connect p50 ms",
                    "connect p99 ms",
                    "p99 ratio",
                    "failed",
                    "server CPU %",
                    "Redis leak (clients, channels, presence)",
                ],
                [
                    [
                        r["target"],
                        _f(r["rate"]),
                        _f(r["connects_per_s"]),
                        _f(r["connect_p50_ms"], 1),
                        _f(r["connect_p99_ms"], 1),
                        _f(r.get("connect_p99_ratio"), 2),
                        _f(sum(r["failed"].values())),
                        _f(r["server_cpu_pct"]),
                        _leak(r.get("leaked")),
                    ]
                    for r in rows
                ],
            ),
        )
    if "S6" in sc:
        out += ["", "## S6 idle capacity", ""]
        out += _rows_or_error(
            sc["S6"],
            lambda rows: _table(
                [
                    "target",
                    "idle connections",
                    "KB/connection",
                    "ratio to plain",
                    "idle CPU %",
                    "RSS before → after MB",
                    "opened at/s",
                ],
                [
                    [
                        r["target"],
                        _f(r["connections"]),
                        _f(r["kb_per_connection"], 1),
                        _f(r.get("kb_ratio"), 2),
                        _f(r["idle_cpu_pct"], 2),
                        f"{r['rss_before_mb']} → {r['rss_after_mb']}",
                        _f(r["connect_rate_per_s"]),
                    ]
                    for r in rows
                ],
            ),
        )
    if "S7" in sc:
        out += ["", "## S7 failure drills (resilient clients reconnect and `sync`)", ""]
        out += _rows_or_error(
            sc["S7"],
            lambda rows: _table(
                [
                    "target",
                    "drill",
                    "members",
                    "messages",
                    "lost deliveries",
                    "duplicates",
                    "reconnects",
                    "time to full delivery s",
                    "max latency ms",
                ],
                [
                    [
                        r["target"],
                        r["drill"],
                        _f(r["members"]),
                        _f(r["messages"]),
                        _f(r["lost_deliveries"]),
                        _f(r["duplicates"]),
                        _f(r["reconnects"]),
                        _f(r["time_to_full_delivery_s"], 2),
                        _f(r["max_latency_ms"]),
                    ]
                    for r in rows
                ],
            ),
        )
    if "S8" in sc:
        out += [
            "",
            "## S8 live webinar Q&A (attendees attending, questions, votes, hosts approving)",
            "",
        ]
        out += _rows_or_error(
            sc["S8"],
            lambda rows: _table(
                [
                    "target",
                    "client processes",
                    "attendees",
                    "questions/s",
                    "votes/s",
                    "host sees question p50/p99 ms",
                    "attendee sees vote p50/p99 ms",
                    "count updates/attendee (per s)",
                    "server CPU %",
                    "Redis CPU %",
                    "client CPU %",
                    "questions seen / asked",
                    "errors",
                ],
                [
                    [
                        r["target"],
                        _f(r.get("client_processes", 1)),
                        _f(r["attendees"]),
                        _f(r["questions_per_s"]),
                        _f(r["votes_per_s"]),
                        f"{_f(r['host_sees_question_p50_ms'])} / {_f(r['host_sees_question_p99_ms'])}",
                        f"{_f(r['attendee_sees_vote_p50_ms'])} / {_f(r['attendee_sees_vote_p99_ms'])}",
                        f"{_f(r['count_updates_per_attendee'])} ({_f(r['count_updates_per_attendee_per_s'], 1)})",
                        _f(r["server_cpu_pct"]),
                        _f(r["redis_cpu_pct"]),
                        _f(r["client_cpu_pct"]),
                        f"{r['questions_seen_by_host']} / {r['questions_asked']}",
                        json.dumps(r["errors"]) if r["errors"] else "0",
                    ]
                    for r in rows
                ],
            ),
        )
    return "\n".join(out) + "\n"


def _leak(leak: dict | None) -> str:
    if not leak:
        return "—"
    return f"{leak['clients']:+d}, {leak['channels']:+d}, {leak['presence_conns']:+d}"


def _rows_or_error(result: dict, render: Any) -> list[str]:
    if "error" in result:
        return [f"**failed:** {result['error']}"]
    return render(result["rows"])
