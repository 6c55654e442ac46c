"""docs/grafana-dashboard.json only asks for series that Préau's /metrics exposes."""

from __future__ import annotations

import json
import re
from pathlib import Path

from backend.common.metrics import REGISTRY

ROOT = Path(__file__).resolve().parents[2]
SUFFIXES = {"counter": ["_total"], "histogram": ["_bucket", "_count", "_sum"], "gauge": [""]}


def exposed() -> set[str]:
    return {
        family.name + suffix
        for family in REGISTRY.collect()
        for suffix in SUFFIXES.get(family.type, [""])
    }


def test_every_preau_series_of_the_dashboard_is_exposed():
    dashboard = json.loads((ROOT / "docs" / "grafana-dashboard.json").read_text())
    exprs = [t["expr"] for p in dashboard["panels"] for t in p["targets"]]

    used = {name for expr in exprs for name in re.findall(r"\b(?:preau|process)_[a-z_]+", expr)}

    assert used and used <= exposed(), used - exposed()
    assert len({p["id"] for p in dashboard["panels"]}) == len(dashboard["panels"])
