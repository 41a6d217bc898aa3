"""Group commit on SQLite: calls that share a transaction, a SAVEPOINT each, answered after the one COMMIT.

A failing call's writes are rolled back and its exception goes to its caller only; a failing COMMIT (or a
call that loses the whole transaction) fails every caller of the group and leaves nothing visible.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError, OperationalError

from labelwise.services.context import Context
from labelwise.store.database import Database
from tests.conftest import PG_URL

pytestmark = pytest.mark.skipif(bool(PG_URL), reason="group commit is SQLite's (PostgreSQL runs writes in parallel)")


class Boom(Exception):
    pass


@pytest.fixture
def db(ctx: Context) -> Database:
    with ctx.db.write() as conn:
        conn.exec_driver_sql("CREATE TABLE gc_parent (id INTEGER PRIMARY KEY)")
        conn.exec_driver_sql("CREATE TABLE gc_row (id INTEGER PRIMARY KEY, "
                             "parent_id INTEGER REFERENCES gc_parent (id))")
        conn.exec_driver_sql("INSERT INTO gc_parent (id) VALUES (1)")
    return ctx.db


def _insert(db: Database, row_id: int, *, parent: int = 1, then: Callable[[Any], None] | None = None
            ) -> Callable[[], int]:
    """A use case that writes one row (then perhaps does ``then`` on the connection) and returns its id."""
    def call() -> int:
        with db.write() as conn:
            conn.execute(text("INSERT INTO gc_row (id, parent_id) VALUES (:id, :p)"), {"id": row_id, "p": parent})
            if then is not None:
                then(conn)
        return row_id
    return call


def _raise(_conn: Any) -> None:
    raise Boom("this call fails")


def _run_together(db: Database, calls: list[Callable[[], Any]]) -> tuple[list[Any], list[int]]:
    """The outcome of every call (result or exception), all queued on one loop at once; the group sizes."""
    sizes: list[int] = []
    run_group = db.run_group

    def counted(group: list[Callable[[], Any]]) -> list[tuple[bool, Any]]:
        sizes.append(len(group))
        return run_group(group)

    async def main() -> list[Any]:
        return await asyncio.gather(*(db.run_grouped(c) for c in calls), return_exceptions=True)

    db.run_group = counted  # type: ignore[method-assign]
    try:
        return _own_loop(main), sizes
    finally:
        del db.run_group


def _own_loop(main: Callable[[], Any]) -> Any:
    """``asyncio.run(main())`` on a thread of its own (the browser tests leave a loop running on this one)."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(lambda: asyncio.run(main())).result()


def _stored(db: Database) -> list[int]:
    with db.read() as conn:
        return [r[0] for r in conn.execute(text("SELECT id FROM gc_row ORDER BY id"))]


def test_a_failing_call_is_rolled_back_alone_and_its_caller_gets_the_error(db: Database) -> None:
    outcomes, sizes = _run_together(db, [_insert(db, 10), _insert(db, 11, then=_raise), _insert(db, 12)])
    assert sizes == [3]  # one transaction for the three
    assert outcomes[0] == 10 and outcomes[2] == 12
    assert isinstance(outcomes[1], Boom)
    assert _stored(db) == [10, 12]


def test_a_database_error_in_one_call_leaves_the_others_committed(db: Database) -> None:
    def duplicate(conn: Any) -> None:
        conn.execute(text("INSERT INTO gc_row (id, parent_id) VALUES (20, 1)"))

    outcomes, sizes = _run_together(db, [_insert(db, 20), _insert(db, 21, then=duplicate), _insert(db, 22)])
    assert sizes == [3]
    assert outcomes[0] == 20 and outcomes[2] == 22
    assert isinstance(outcomes[1], IntegrityError)
    assert _stored(db) == [20, 22]


def test_a_failing_commit_fails_every_caller_and_leaves_nothing(db: Database) -> None:
    def defer_foreign_keys(conn: Any) -> None:  # the missing parent is found at COMMIT, not at the INSERT
        conn.exec_driver_sql("PRAGMA defer_foreign_keys = ON")

    calls = [_insert(db, 30, then=defer_foreign_keys), _insert(db, 31, parent=99), _insert(db, 32)]
    outcomes, sizes = _run_together(db, calls)
    assert sizes == [3]
    assert all(isinstance(o, IntegrityError) for o in outcomes), outcomes
    assert _stored(db) == []
    assert _run_together(db, [_insert(db, 33)])[0] == [33]  # the writer is free again
    assert _stored(db) == [33]


def test_a_call_that_loses_the_transaction_fails_the_whole_group(db: Database) -> None:
    def end_transaction(conn: Any) -> None:  # as SQLite does itself on some errors (disk full, I/O)
        conn.exec_driver_sql("ROLLBACK")

    outcomes, sizes = _run_together(db, [_insert(db, 40), _insert(db, 41, then=end_transaction), _insert(db, 42)])
    assert sizes == [3]
    assert all(isinstance(o, OperationalError) for o in outcomes), outcomes
    assert _stored(db) == []


def test_groups_hold_at_most_max_calls(db: Database) -> None:
    outcomes, sizes = _run_together(db, [_insert(db, i) for i in range(100, 171)])
    assert outcomes == list(range(100, 171))
    assert sizes == [8] * 8 + [7]
    assert _stored(db) == list(range(100, 171))


def test_a_write_outside_a_group_is_its_own_transaction(db: Database) -> None:
    with pytest.raises(Boom):
        _insert(db, 50, then=_raise)()
    _insert(db, 51)()
    assert _stored(db) == [51]


def test_a_nested_write_that_fails_rolls_back_only_itself(db: Database) -> None:
    """Every call's SAVEPOINT has the same name: SQLite rolls back to the latest one, the inner write's."""
    def nested() -> int:
        with db.write() as conn:
            conn.execute(text("INSERT INTO gc_row (id, parent_id) VALUES (70, 1)"))
            with pytest.raises(Boom):
                _insert(db, 71, then=_raise)()
            conn.execute(text("INSERT INTO gc_row (id, parent_id) VALUES (72, 1)"))
        return 70

    outcomes, sizes = _run_together(db, [_insert(db, 69), nested, _insert(db, 73, then=_raise), _insert(db, 74)])
    assert sizes == [4]
    assert outcomes[:2] == [69, 70] and isinstance(outcomes[2], Boom) and outcomes[3] == 74
    assert _stored(db) == [69, 70, 72, 74]
