"""Random and malformed bodies at every REST endpoint: no 5xx, and a refusal changes nothing."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.backend.test_bad_input import ENDPOINTS, WITH_BODY, state, world  # noqa: F401
from tests.strategies import FUZZ_PER_ENDPOINT, json_values, near_miss_objects

pytestmark = pytest.mark.django_db

BODY_FIELDS = sorted({name for e in WITH_BODY for name in (e.body or {})})


def _bodies(endpoint):  # type: ignore[no-untyped-def]
    fields = list((endpoint.body or {}).keys())
    return st.one_of(
        json_values.map(json.dumps),
        near_miss_objects(fields, BODY_FIELDS).map(json.dumps),
        st.binary(max_size=64).map(lambda b: b.decode("latin-1")),
    )


@pytest.mark.parametrize("endpoint", WITH_BODY, ids=[e.key for e in WITH_BODY])
def test_random_bodies_never_crash_and_refusals_change_nothing(world, endpoint):  # noqa: F811
    @FUZZ_PER_ENDPOINT
    @given(raw=_bodies(endpoint))
    def check(raw: str) -> None:
        before = state()

        response = world.call(endpoint, raw=raw.encode("utf-8", "surrogatepass"))

        assert response.status_code < 500, (raw, response.content)
        assert response["Content-Type"].startswith("application/json")
        if response.status_code >= 400:
            body = json.loads(response.content)
            assert isinstance(body.get("code"), str) and isinstance(body.get("message"), str)
            assert state() == before, raw

    check()
