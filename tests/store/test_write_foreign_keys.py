"""``Database.write(foreign_keys=False)``: on SQLite, that one transaction runs without the per-row foreign
key checks, and the connection has them back after it, committed or rolled back; inside a group commit, and
on PostgreSQL, the checks stay."""

from __future__ import annotations

import pytest
from sqlalchemy import Connection, text
from sqlalchemy.exc import IntegrityError

from labelwise.services.context import Context
from labelwise.store.database import Database


def _checks(conn: Connection) -> int:
    return conn.exec_driver_sql("PRAGMA foreign_keys").scalar_one()


def _orphan(conn: Connection, item_id: int = 987654) -> None:
    """A payload for an item that does not exist."""
    conn.execute(text("INSERT INTO item_payloads (item_id, data) VALUES (:i, '{}')"), {"i": item_id})


def _orphans(db: Database) -> int:
    with db.read() as conn:
        return conn.execute(text("SELECT count(*) FROM item_payloads WHERE item_id >= 987654")).scalar_one()


@pytest.fixture
def db(ctx: Context) -> Database:
    if not ctx.db.is_sqlite:
        pytest.skip("SQLite's foreign_keys pragma")
    return ctx.db


def test_only_that_transaction_runs_without_the_checks(db: Database) -> None:
    with db.write(foreign_keys=False) as conn:
        raw = conn.connection.dbapi_connection
        assert _checks(conn) == 0
        _orphan(conn)  # what the checks would refuse
    assert _orphans(db) == 1
    with db.write() as conn:
        assert conn.connection.dbapi_connection is raw  # the same pooled connection, checking again
        assert _checks(conn) == 1
        with pytest.raises(IntegrityError, match="FOREIGN KEY constraint failed"):
            _orphan(conn, 987655)


def test_the_checks_come_back_after_a_rollback(db: Database) -> None:
    with pytest.raises(RuntimeError), db.write(foreign_keys=False) as conn:
        raw = conn.connection.dbapi_connection
        _orphan(conn)
        raise RuntimeError("the caller's check failed")
    assert _orphans(db) == 0
    with db.write() as conn:
        assert conn.connection.dbapi_connection is raw
        assert _checks(conn) == 1


def test_a_group_keeps_the_checks(db: Database) -> None:
    def call() -> int:
        with db.write(foreign_keys=False) as conn:  # a savepoint of the group's transaction
            return _checks(conn)

    assert db.run_group([call]) == [(True, 1)]
