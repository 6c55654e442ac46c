"""Bots and hooks for the integration tests."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from backend.accounts.models import User
from backend.integrations import ratelimit, services
from tests.conftest import Api


@dataclass
class Bot:
    user: User
    token: str
    api: Api


@pytest.fixture(autouse=True)
def _fresh_buckets() -> Any:
    ratelimit.reset_local()
    yield
    ratelimit.reset_local()


@pytest.fixture
def bot(alice: User) -> Bot:
    """Alice's bot, not yet granted any room."""
    result = services.bot_create(actor=alice, name="Vigie", description="Alertes de la DSI")
    api = Api(None)
    api.headers["Authorization"] = f"Bearer {result.token}"
    return Bot(user=result.record.user, token=result.token, api=api)
