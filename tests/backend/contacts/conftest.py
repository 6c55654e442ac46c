from __future__ import annotations

from typing import Any

import pytest
from django.apps import apps
from django.db import connection


def tables_holding(text: str) -> list[str]:
    """Every table with a row whose text form contains ``text`` (case-insensitive)."""
    found = []
    with connection.cursor() as cursor:
        for model in apps.get_models(include_auto_created=True):
            table = connection.ops.quote_name(model._meta.db_table)
            cursor.execute(f"SELECT 1 FROM {table} t WHERE t::text ILIKE %s LIMIT 1", [f"%{text}%"])
            if cursor.fetchone():
                found.append(model._meta.db_table)
    return found


@pytest.fixture
def every_log(caplog: Any) -> Any:
    """Every log record of every logger, at every level."""
    caplog.set_level(1)
    return caplog
