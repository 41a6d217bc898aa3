"""Engine factory and transactions.

SQLite runs in WAL mode: reads go in parallel, writes go through one writer per process
(a lock) and ``BEGIN IMMEDIATE`` across processes, so that no statement ever meets
"database is locked" half-way through a transaction; the annotation queue's short writes share
transactions by group commit (``group_commit.py``). PostgreSQL uses ordinary transactions and row locks.
"""

from __future__ import annotations

import asyncio
import fcntl
import os
import sqlite3
import threading
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import NullPool, QueuePool

from labelwise.store.checkpoints import BACKSTOP_PAGES, Checkpointer
from labelwise.store.group_commit import GroupCommit


def _json_dumps(value: Any) -> str:
    return orjson.dumps(value).decode()


def _lower(value: Any) -> Any:
    return value.lower() if isinstance(value, str) else value


def make_engine(url: str, *, pool_size: int = 8) -> Engine:
    """An engine tuned for our workload; SQLite gets WAL, a busy timeout and explicit BEGINs."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(
            url,
            # psycopg prepares a statement after five runs, and PostgreSQL may then plan it once for
            # every parameter value: the import's key lookup went from 2 ms to 2.5 s that way.
            connect_args={"prepare_threshold": None},
            # as many kept connections as requests run at once (the worker thread pool has 40 threads): an
            # overflow connection is closed when returned, and opening one costs PostgreSQL a process.
            pool_size=max(pool_size, 32),
            max_overflow=8,
            # no ping before every checkout (a round trip per transaction): a connection found dead fails
            # its request and makes the pool drop every connection as old as it (a restart costs one error).
            json_serializer=_json_dumps,
            json_deserializer=orjson.loads,
        )
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        url,
        poolclass=QueuePool if parsed.database not in (None, "", ":memory:") else NullPool,
        pool_size=pool_size,
        max_overflow=pool_size * 2,
        connect_args={"check_same_thread": False, "timeout": 60},
        json_serializer=_json_dumps,
        json_deserializer=orjson.loads,
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        # NORMAL in WAL keeps every committed transaction across a process crash (SIGKILL);
        # only an OS crash or power loss may roll back the last commits.
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA busy_timeout=60000")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA cache_size=-16384")  # 16 MiB per connection: memory stays flat on big scans
        # checkpoints are the Checkpointer thread's (see store/checkpoints.py); writers only as a backstop
        cur.execute(f"PRAGMA wal_autocheckpoint={BACKSTOP_PAGES}")
        cur.close()
        # SQLite's lower() folds ASCII only; PostgreSQL's folds every letter. Searches agree with this.
        dbapi_conn.create_function("lower", 1, _lower, deterministic=True)

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.info.pop("immediate", False) else "BEGIN")

    return engine


@contextmanager
def _savepoint(conn: Connection) -> Iterator[None]:
    """A SAVEPOINT of a group's transaction around one call, on SQLite's connection itself.

    SQLAlchemy's ``begin_nested()`` compiles its SAVEPOINT and RELEASE afresh each time (a new name each):
    a sixth of the writer thread's time under 32 annotators. SQLite resolves a savepoint's name to the
    latest one of that name, so the same name serves nested calls. If SQLite has dropped the whole
    transaction (disk full, I/O error), there is nothing to roll back to: the error goes on and
    ``run_group`` fails the group.
    """
    raw = conn.connection.dbapi_connection
    assert raw is not None
    _on_driver(raw, "SAVEPOINT lw_call")
    try:
        yield
    except BaseException:
        if raw.in_transaction:
            _on_driver(raw, "ROLLBACK TO lw_call")
            _on_driver(raw, "RELEASE lw_call")
        raise
    _on_driver(raw, "RELEASE lw_call")


@contextmanager
def _foreign_keys_off(conn: Connection, off: bool) -> Iterator[None]:
    """SQLite's foreign key checks off on this connection for the transaction begun inside (the pragma is
    a no-op within a transaction), and on again after it. A connection that cannot be switched back
    is dropped from the pool rather than handed out unchecked."""
    if not off:
        yield
        return
    raw = conn.connection.dbapi_connection
    assert raw is not None
    _on_driver(raw, "PRAGMA foreign_keys=OFF")
    try:
        yield
    finally:
        try:
            _on_driver(raw, "PRAGMA foreign_keys=ON")
            restored = raw.execute("PRAGMA foreign_keys").fetchone() == (1,)
        except DBAPIError:
            restored = False
        if not restored:  # still inside a transaction that failed to end, for instance
            conn.invalidate()


def _on_driver(raw: Any, sql: str) -> None:
    """``sql`` run by the driver; its error raised as SQLAlchemy's class for it, as ``conn.execute`` would."""
    try:
        raw.execute(sql)
    except sqlite3.Error as exc:
        raise DBAPIError.instance(sql, None, exc, sqlite3.Error) from exc


class _FileLock:
    """An exclusive lock on a file beside the database, shared by every process that writes to it.

    A waiting writer sleeps in the kernel and wakes the moment the lock is free, where SQLite's busy
    handler would poll with growing sleeps (1, 2, 5, ... 100 ms) and wreck latency under contention.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None

    def __enter__(self) -> None:
        if self._fd is None:
            self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        fcntl.flock(self._fd, fcntl.LOCK_EX)

    def __exit__(self, *exc: object) -> None:
        assert self._fd is not None
        fcntl.flock(self._fd, fcntl.LOCK_UN)

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


class Database:
    """Hands out read and write transactions.

    ``write()`` serialises writers on SQLite: a lock per process, then a lock file shared by every
    process on the same database, then ``BEGIN IMMEDIATE`` (which still guards against writers that
    do not use the lock file). On PostgreSQL it is a plain transaction.

    ``run_grouped()`` runs a write use case by group commit on SQLite (see :mod:`.group_commit`):
    inside a group, ``write()`` is a SAVEPOINT of the group's transaction.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.is_sqlite = engine.dialect.name == "sqlite"
        self._write_lock = threading.Lock() if self.is_sqlite else None
        path = engine.url.database if self.is_sqlite else None
        on_disk = path if path and path != ":memory:" else None
        self._file_lock = _FileLock(Path(on_disk + ".write-lock")) if on_disk else None
        self.checkpointer = Checkpointer(on_disk) if on_disk else None
        self._group = threading.local()  # .conn: the transaction of the group this thread runs
        # one GroupCommit per event loop (a server has one loop per process; test clients each run their own)
        self._groups: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, GroupCommit] = weakref.WeakKeyDictionary()

    @classmethod
    def from_url(cls, url: str, *, pool_size: int = 8) -> Database:
        return cls(make_engine(url, pool_size=pool_size))

    @contextmanager
    def read(self) -> Iterator[Connection]:
        with self.engine.connect() as conn, conn.begin():
            yield conn

    @contextmanager
    def write(self, *, foreign_keys: bool = True) -> Iterator[Connection]:
        """A write transaction. ``foreign_keys=False`` is for bulk writes whose caller has checked, once in
        the transaction, every reference its rows make (an import batch: its project, its import, the
        items it has just written): on SQLite the transaction then runs without the per-row foreign key
        checks, a tenth of SQLite's work for an imported item and a fifth for a staged one (publishing
        updates each row). Inside a group, and on PostgreSQL, the checks stay."""
        if self._write_lock is None:
            with self.engine.begin() as conn:
                yield conn
            return
        group_conn: Connection | None = getattr(self._group, "conn", None)
        if group_conn is not None:
            with _savepoint(group_conn):
                yield group_conn
            return
        with self._writer() as conn, _foreign_keys_off(conn, not foreign_keys), conn.begin():
            yield conn

    @contextmanager
    def _writer(self) -> Iterator[Connection]:
        """SQLite's one writer: the process's lock, the lock file, a connection that will BEGIN IMMEDIATE."""
        assert self._write_lock is not None
        with self._write_lock, self._file_lock or nullcontext(), self.engine.connect() as conn:
            conn.info["immediate"] = True
            yield conn

    def run_group(self, calls: list[Callable[[], Any]]) -> list[tuple[bool, Any]]:
        """Run ``calls`` in one SQLite transaction, each ``write()`` a SAVEPOINT; COMMIT once.

        Returns ``(True, result)`` or ``(False, exception)`` per call; raises if BEGIN or COMMIT fails.
        """
        outcomes: list[tuple[bool, Any]] = []
        with self._writer() as conn, conn.begin():
            self._group.conn = conn
            try:
                for call in calls:
                    try:
                        outcomes.append((True, call()))
                    except Exception as exc:
                        # some SQLite errors (disk full, I/O) roll back the whole transaction: then the
                        # whole group fails, rather than run its other calls outside a transaction
                        if not conn.connection.dbapi_connection.in_transaction:  # type: ignore[union-attr]
                            raise
                        outcomes.append((False, exc))
            finally:
                self._group.conn = None
        return outcomes

    async def run_grouped(self, fn: Callable[[], Any]) -> Any:
        """``fn()``, a write use case, by group commit on SQLite (on this event loop's group)."""
        loop = asyncio.get_running_loop()
        group = self._groups.get(loop)
        if group is None:
            group = self._groups[loop] = GroupCommit(self)
        return await group.run(fn)

    def dispose(self) -> None:
        if self.checkpointer is not None:
            self.checkpointer.close()
        self.engine.dispose()
        if self._file_lock is not None:
            self._file_lock.close()
