"""Fixtures for tests that run real processes (see harness.py)."""

from tests.system.harness import deployment, redis_server  # noqa: F401 - pytest fixtures
