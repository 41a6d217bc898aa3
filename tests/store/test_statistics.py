"""PostgreSQL's planner statistics after imports (``store.statistics``): a first import, or one that adds
a tenth of the items or more, analyses the item tables; a small one leaves them to autovacuum."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import text

from labelwise.services import imports


def _estimate(world: Any) -> float:
    with world.ctx.db.read() as conn:
        return float(conn.execute(text("SELECT reltuples FROM pg_class WHERE oid = 'items'::regclass")).scalar())


def _import(world: Any, start: int, n: int) -> None:
    imports.import_records(world.ctx, world.manager.actor, "demo", [{"key": f"k{i}", "text": "t"}
                                                                   for i in range(start, start + n)])


def test_imports_refresh_the_planners_estimate(world: Any) -> None:
    if world.ctx.db.is_sqlite:
        pytest.skip("PostgreSQL's statistics")
    assert _estimate(world) < 0  # never analysed (the tests' tables are truncated)
    _import(world, 0, 40)
    assert _estimate(world) == 40
    _import(world, 40, 3)  # under a tenth of 40: left to autovacuum
    assert _estimate(world) == 40
    _import(world, 43, 4)  # a tenth or more
    assert _estimate(world) == 47
