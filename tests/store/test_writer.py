"""``Database.run_if_free``: the queue's writes run on the event loop only when the SQLite writer is free."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from labelwise.store.database import Database


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = Database.from_url(f"sqlite:///{tmp_path / 'w.db'}")
    with database.write() as conn:
        conn.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)"))
    yield database
    database.dispose()


def _insert(db: Database, value: str, *, twice: bool = False) -> str:
    for _ in range(2 if twice else 1):
        with db.write() as conn:
            conn.execute(text("INSERT INTO t (v) VALUES (:v)"), {"v": value})
    return value


def _values(db: Database) -> list[str]:
    with db.read() as conn:
        return list(conn.execute(text("SELECT v FROM t ORDER BY id")).scalars())


def test_runs_when_the_writer_is_free(db: Database) -> None:
    assert db.run_if_free(lambda: _insert(db, "a", twice=True)) == (True, "a")  # a second write waits as usual
    assert _values(db) == ["a", "a"]


def test_refuses_without_doing_anything_while_another_thread_writes(db: Database) -> None:
    holding, release = threading.Event(), threading.Event()

    def writer() -> None:
        with db.write() as conn:
            conn.execute(text("INSERT INTO t (v) VALUES ('other')"))
            holding.set()
            release.wait(10)

    t = threading.Thread(target=writer)
    t.start()
    assert holding.wait(10)
    try:
        assert db.run_if_free(lambda: _insert(db, "refused")) == (False, None)
    finally:
        release.set()
        t.join()
    assert _values(db) == ["other"]
    assert db.run_if_free(lambda: _insert(db, "later")) == (True, "later")


def test_refuses_while_another_process_holds_the_lock_file(db: Database, tmp_path: Path) -> None:
    other = Database.from_url(f"sqlite:///{tmp_path / 'w.db'}")  # its own lock file handle, as another process
    try:
        with other.write() as conn:
            conn.execute(text("INSERT INTO t (v) VALUES ('other')"))
            assert db.run_if_free(lambda: _insert(db, "refused")) == (False, None)
    finally:
        other.dispose()
    assert _values(db) == ["other"]
