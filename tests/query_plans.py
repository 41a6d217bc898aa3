"""SQLite's query plan of a statement the code under test runs, found by a piece of its SQL."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, event

from labelwise.store.database import Database


@contextmanager
def statements(db: Database, marker: str) -> Iterator[list[tuple[str, Any]]]:
    """The statements containing ``marker`` that run inside the block, with their parameters."""
    seen: list[tuple[str, Any]] = []

    def keep(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool) -> None:
        if marker in statement:
            seen.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", keep)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", keep)


def explain(db: Database, sql: str, params: Any) -> list[str]:
    """EXPLAIN QUERY PLAN's details of ``sql`` with these parameters."""
    with db.read() as conn:
        return [r[3] for r in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + sql, params).all()]


def plan_of(db: Database, run: Callable[[Connection], object], marker: str) -> list[str]:
    """The plan of the one statement containing ``marker`` that ``run`` executes in a read transaction,
    with the parameters it ran with."""
    with statements(db, marker) as seen, db.read() as conn:
        run(conn)
    (sql, params), = seen
    return explain(db, sql, params)
