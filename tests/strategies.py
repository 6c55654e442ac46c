"""Hypothesis strategies for malformed input: any JSON, and near-miss objects."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

# Bounded so the suite stays fast on two cores; no example database in the working tree.
FUZZ = settings(
    max_examples=60,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
# Per REST endpoint (about twenty of them): fewer each, several hundred requests in all.
FUZZ_PER_ENDPOINT = settings(FUZZ, max_examples=30)

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=40),
    st.sampled_from(["", " ", "\x00", "é" * 3, "<script>", "javascript:x", "NaN", "-1", "0"]),
)

json_values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=12,
)


def near_miss_objects(fields: list[str], extra_keys: list[str] | None = None) -> Any:
    """Objects whose keys are mostly the expected ones, holding any JSON value."""
    keys = st.sampled_from(fields + (extra_keys or [])) | st.text(max_size=12)
    return st.dictionaries(keys, json_values, max_size=len(fields) + 2)
