"""SQLite's query plan of a statement the code under test runs, found by a piece of its SQL."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import Connection, event

from labelwise.store.database import Database


def plan_of(db: Database, run: Callable[[Connection], object], marker: str) -> list[str]:
    """The plan (EXPLAIN QUERY PLAN's details) of the one statement containing ``marker`` that ``run``
    executes in a read transaction, with the parameters it ran with."""
    seen: list[tuple[str, Any]] = []

    def keep(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool) -> None:
        seen.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", keep)
    try:
        with db.read() as conn:
            run(conn)
    finally:
        event.remove(db.engine, "before_cursor_execute", keep)
    (sql, params), = [(s, p) for s, p in seen if marker in s]
    with db.read() as conn:
        return [r[3] for r in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + sql, params).all()]
