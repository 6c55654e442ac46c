"""Préau's benchmark suite: one command, a Markdown table and a JSON file.

    python -m bench.run                     # full suite (~15 min on 2 cores)
    python -m bench.run --quick             # smoke profile, under two minutes
    python -m bench.run --scenarios S1,S4 --out bench/results

Starts its own Redis (private port, no persistence), a fresh PostgreSQL database
``preau_bench_<random>`` (dropped at the end), an embedded-mode SQLite directory, the plain
`websockets` server and `preau serve` processes, all on 127.0.0.1, and kills every one of them
on exit, Ctrl-C or error. Every step is bounded in time.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from . import report
from .infra import NCPU, ROOT, Deployment, Processes, Redis
from .scenarios import SCENARIOS, Ctx


def seed_spec(quick: bool, scenarios: list[str]) -> list[dict]:
    groups = []
    if "S1" in scenarios:
        for n in [100, 1000] if quick else [100, 1000, 5000]:
            groups.append({"name": f"s1_{n}", "rooms": 1, "members": n})
    if "S2" in scenarios:
        groups.append({"name": "s2", "rooms": 20 if quick else 200, "members": 10})
    if "S4" in scenarios:
        groups.append({"name": "s4", "rooms": 1, "members": 64})
    if "S5" in scenarios:
        groups.append({"name": "s5", "rooms": 10 if quick else 40, "members": 10})
    if "S6" in scenarios:
        groups.append({"name": "s6", "rooms": 20 if quick else 1024, "members": 10})
    if "S7" in scenarios:
        groups.append({"name": "s7", "rooms": 1, "members": 50 if quick else 200})
    if "S8" in scenarios:
        groups.append({"name": "s8", "rooms": 1, "members": 53 if quick else 2003})
    return groups


def machine() -> dict[str, str]:
    def sh(*cmd: str) -> str:
        try:
            return subprocess.run(cmd, capture_output=True, text=True, timeout=10).stdout.strip()  # noqa: S603
        except Exception:
            return "?"

    model = "?"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    mem = Path("/proc/meminfo").read_text().splitlines()[0].split()[1]
    import websockets

    return {
        "nproc": str(NCPU),
        "cpu": model,
        "memory_gib": f"{int(mem) / 2**20:.1f}",
        "kernel": platform.release(),
        "python": platform.python_version(),
        "websockets": websockets.__version__,
        "redis": sh("redis-server", "--version").split(" v=")[-1].split()[0],
        "postgresql": sh("psql", "--version").split()[-1].rstrip(")") or "?",
        "git": sh("git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="smoke profile, under two minutes")
    parser.add_argument("--scenarios", default="S1,S2,S4,S5,S6,S7,S8")
    parser.add_argument("--out", default=str(ROOT / "bench" / "results"))
    parser.add_argument("--workers", type=int, default=3, help="load client processes")
    parser.add_argument(
        "--no-pin", action="store_true", help="do not pin servers to CPU 0, clients to CPU 1"
    )
    parser.add_argument(
        "--no-embedded", action="store_true", help="skip the embedded-mode comparison"
    )
    parser.add_argument("--server", default="default", help="ASGI server for `preau serve`")
    args = parser.parse_args(argv)
    scenarios = [s.strip().upper() for s in args.scenarios.split(",") if s.strip()]
    unknown = [s for s in scenarios if s not in SCENARIOS]
    if unknown:
        parser.error(f"unknown scenarios: {', '.join(unknown)}")
    os.chdir(ROOT)
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))  # 10,000+ sockets in S6

    procs = Processes()

    def on_signal(signum: int, _frame: object) -> None:
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGTERM, on_signal)
    started = time.monotonic()
    pin = not args.no_pin and NCPU >= 2
    log = lambda msg: print(f"[bench {time.monotonic() - started:6.1f}s] {msg}", flush=True)  # noqa: E731
    results: dict = {
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": " ".join(["python -m bench.run", *(argv if argv is not None else sys.argv[1:])]),
        "profile": "quick" if args.quick else "full",
        "machine": machine(),
        "pinning": (
            "servers on CPU 0, load clients and Redis on CPU 1 (two-process runs unpinned)"
            if pin
            else "none"
        ),
        "load_client": f"{args.workers} processes (raw asyncio WebSocket client, bench/client.py)",
        "nofile": hard,
        "scenarios": {},
    }
    status = 0
    try:
        redis = Redis(procs, cpus="1" if pin else None)
        redis.start()
        log(f"private redis on port {redis.port}")
        scaled = Deployment.scaled(procs, redis)
        scaled.manage("migrate", "-v0")
        spec = seed_spec(args.quick, scenarios)
        seed = scaled.seed({"groups": spec})
        log(
            f"database {scaled.db_name}: migrated, seeded {sum(g['rooms'] * g['members'] for g in spec)} agents"
        )
        embedded = embedded_seed = None
        if not (args.no_embedded or args.quick) and ("S1" in scenarios or "S4" in scenarios):
            embedded = Deployment.embedded(procs)
            embedded.manage("migrate", "-v0")
            embedded_seed = embedded.seed(
                {"groups": [g for g in spec if g["name"] in ("s1_1000", "s4")]}
            )
            log("embedded deployment (SQLite) migrated and seeded")
        ctx = Ctx(
            quick=args.quick,
            procs=procs,
            redis=redis,
            scaled=scaled,
            seed=seed,
            pin=pin,
            workers=args.workers,
            embedded=embedded,
            embedded_seed=embedded_seed,
            server_impl=args.server,
            log=log,
        )
        for name in scenarios:
            log(f"{name} …")
            t0 = time.monotonic()
            try:
                results["scenarios"][name] = {
                    "rows": SCENARIOS[name](ctx),
                    "seconds": round(time.monotonic() - t0, 1),
                }
            except Exception as exc:
                status = 1
                results["scenarios"][name] = {"error": f"{type(exc).__name__}: {exc}"}
                log(f"{name} failed: {type(exc).__name__}: {exc}")
                for srv in scaled.servers:
                    log(srv.tail())
    except KeyboardInterrupt as exc:
        log(f"interrupted ({exc}); stopping every process")
        status = 130
    finally:
        # A second Ctrl-C or SIGTERM (timeout(1) forwards one) must not cut the cleanup short.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        procs.stop_all()
    results["seconds"] = round(time.monotonic() - started, 1)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    stamp = "quick" if args.quick else "full"
    (out / f"{stamp}.json").write_text(json.dumps(results, indent=1, default=str))
    markdown = report.markdown(results)
    (out / f"{stamp}.md").write_text(markdown)
    print(markdown)
    log(f"wrote {out / (stamp + '.json')} and {out / (stamp + '.md')}")
    return status


if __name__ == "__main__":
    sys.exit(main())
