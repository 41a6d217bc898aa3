"""PostgreSQL's planner statistics after imports (``store.statistics``): a first import, or one that adds
a tenth of the items or more, analyses the item tables; a small one leaves them to autovacuum."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import text

from labelwise.services import imports
from labelwise.store import statistics


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


def test_an_import_stands_when_the_refresh_fails(world: Any, monkeypatch: pytest.MonkeyPatch,
                                                 caplog: pytest.LogCaptureFixture) -> None:
    """The import is published before the refresh: a failing ANALYZE is logged, and the import reported done."""
    if world.ctx.db.is_sqlite:
        pytest.skip("PostgreSQL's statistics")

    def fail(*args: Any, **kwargs: Any) -> bool:
        raise RuntimeError("the server went away")

    monkeypatch.setattr(statistics, "refresh_after_import", fail)
    with caplog.at_level("WARNING", logger="labelwise.imports"):
        report = imports.import_records(world.ctx, world.manager.actor, "demo", [{"key": "a", "text": "t"}])
    assert report.created == 1
    assert "could not refresh the planner's statistics" in caplog.text
    with world.ctx.db.read() as conn:
        assert conn.execute(text("SELECT count(*) FROM items WHERE import_id IS NULL")).scalar() == 1


def test_the_refresh_gives_up_on_a_held_lock(world: Any, caplog: pytest.LogCaptureFixture) -> None:
    """Another session holds the lock ANALYZE needs (as autovacuum's pass does): the refresh waits
    ``LOCK_TIMEOUT_MS``, not for the holder, and the import is done all the same."""
    if world.ctx.db.is_sqlite:
        pytest.skip("PostgreSQL's statistics")
    with world.ctx.db.engine.connect() as holder:
        holder.execute(text("LOCK TABLE item_payloads IN SHARE UPDATE EXCLUSIVE MODE"))
        with caplog.at_level("WARNING", logger="labelwise.imports"):
            report = imports.import_records(world.ctx, world.manager.actor, "demo", [{"key": "a", "text": "t"}])
        holder.rollback()
    assert report.created == 1
    assert "could not refresh the planner's statistics" in caplog.text
    assert "lock timeout" in caplog.text
