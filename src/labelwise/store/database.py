"""Engine factory and transactions.

SQLite runs in WAL mode: reads go in parallel, writes go through one writer per process
(a lock) and ``BEGIN IMMEDIATE`` across processes, so that no statement ever meets
"database is locked" half-way through a transaction. PostgreSQL uses ordinary
transactions and row locks.
"""

from __future__ import annotations

import fcntl
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from contextvars import ContextVar
from pathlib import Path
from typing import Any, TypeVar

import orjson
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool, QueuePool


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
        cur.close()
        # SQLite's lower() folds ASCII only; PostgreSQL's folds every letter. Searches agree with this.
        dbapi_conn.create_function("lower", 1, _lower, deterministic=True)

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.info.pop("immediate", False) else "BEGIN")

    return engine


class _FileLock:
    """An exclusive lock on a file beside the database, shared by every process that writes to it.

    A waiting writer sleeps in the kernel and wakes the moment the lock is free, where SQLite's busy
    handler would poll with growing sleeps (1, 2, 5, ... 100 ms) and wreck latency under contention.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None

    def __enter__(self) -> None:
        self.acquire(wait=True)

    def acquire(self, *, wait: bool) -> bool:
        if self._fd is None:
            self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(self._fd, fcntl.LOCK_EX if wait else fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def __exit__(self, *exc: object) -> None:
        assert self._fd is not None
        fcntl.flock(self._fd, fcntl.LOCK_UN)

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


class WriterBusy(Exception):
    """Raised on entering ``Database.write()`` inside ``Database.no_wait()`` when the writer is taken."""


T = TypeVar("T")
_NO_WAIT: ContextVar[bool] = ContextVar("labelwise_write_no_wait", default=False)


class Database:
    """Hands out read and write transactions.

    ``write()`` serialises writers on SQLite: a lock per process, then a lock file shared by every
    process on the same database, then ``BEGIN IMMEDIATE`` (which still guards against writers that
    do not use the lock file). On PostgreSQL it is a plain transaction.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.is_sqlite = engine.dialect.name == "sqlite"
        self._write_lock = threading.Lock() if self.is_sqlite else None
        path = engine.url.database if self.is_sqlite else None
        self._file_lock = _FileLock(Path(path + ".write-lock")) if path and path != ":memory:" else None
        self._waiting: list[None] = []  # one entry per thread waiting for the write lock (append/pop are atomic)

    @classmethod
    def from_url(cls, url: str, *, pool_size: int = 8) -> Database:
        return cls(make_engine(url, pool_size=pool_size))

    @contextmanager
    def read(self) -> Iterator[Connection]:
        with self.engine.connect() as conn, conn.begin():
            yield conn

    @contextmanager
    def write(self) -> Iterator[Connection]:
        if self._write_lock is None:
            with self.engine.begin() as conn:
                yield conn
            return
        if _NO_WAIT.get():
            with self._taken_now(), self.engine.connect() as conn:
                _NO_WAIT.set(False)  # only the first write may be refused: later ones wait as usual
                conn.info["immediate"] = True
                with conn.begin():
                    yield conn
            return
        self._waiting.append(None)
        try:
            self._write_lock.acquire()
        finally:
            self._waiting.pop()
        try:
            with self._file_lock or nullcontext(), self.engine.connect() as conn:
                conn.info["immediate"] = True
                with conn.begin():
                    yield conn
        finally:
            self._write_lock.release()

    def run_if_free(self, fn: Callable[[], T]) -> tuple[bool, T | None]:
        """``(True, fn())`` if the writer is free this instant and no thread of this process waits for it;
        ``(False, None)``, having done nothing, if ``fn``'s first ``write()`` would have to wait (SQLite).

        The API runs the short queue writes this way on the event loop itself, and hands them to a worker
        thread only when the writer is busy: a hop to a thread and back costs about as much as the write.
        Only ``fn``'s first ``write()`` may be refused; the ones after it wait as usual.
        """
        token = _NO_WAIT.set(True)
        try:
            return True, fn()
        except WriterBusy:
            return False, None
        finally:
            _NO_WAIT.reset(token)

    @contextmanager
    def _taken_now(self) -> Iterator[None]:
        assert self._write_lock is not None
        if self._waiting or not self._write_lock.acquire(blocking=False):
            raise WriterBusy
        try:
            if self._file_lock is not None and not self._file_lock.acquire(wait=False):
                raise WriterBusy
            try:
                yield
            finally:
                if self._file_lock is not None:
                    self._file_lock.__exit__()
        finally:
            self._write_lock.release()

    def dispose(self) -> None:
        self.engine.dispose()
        if self._file_lock is not None:
            self._file_lock.close()
