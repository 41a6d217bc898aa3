"""SQLite's WAL is checkpointed by a thread of the process, not inside writers' commits: connections
checkpoint only past the backstop, the thread copies the WAL back once it was written, and it stops
with the database."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import text

from labelwise.services.context import Context
from labelwise.store.checkpoints import BACKSTOP_PAGES


def test_the_wal_is_checkpointed_beside_the_writers(ctx: Context) -> None:
    if not ctx.db.is_sqlite:
        pytest.skip("SQLite's WAL")
    checkpointer = ctx.db.checkpointer
    assert checkpointer is not None
    with ctx.db.read() as conn:
        assert conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() == BACKSTOP_PAGES
    before = checkpointer.runs
    with ctx.db.write() as conn:  # about 2 MiB: far below the backstop, so no writer checkpoints it
        conn.execute(text("CREATE TABLE filler (x TEXT)"))
        conn.execute(text("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000)"
                          " INSERT INTO filler SELECT hex(randomblob(1000)) FROM n"))
    deadline = time.monotonic() + 30
    while checkpointer.runs == before and time.monotonic() < deadline:
        time.sleep(0.02)
    assert checkpointer.runs > before
    with ctx.db.read() as conn:  # every frame of the WAL is in the database file already
        busy, frames, copied = conn.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)").one()
    assert busy == 0 and frames == copied > 0


def test_the_thread_stops_with_the_database(ctx: Context) -> None:
    if not ctx.db.is_sqlite:
        pytest.skip("SQLite's WAL")
    checkpointer = ctx.db.checkpointer
    assert checkpointer is not None and checkpointer._thread.is_alive()
    ctx.db.dispose()
    assert not checkpointer._thread.is_alive()
