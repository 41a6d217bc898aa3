"""The ceiling: a bare ASGI app doing one SQLite read (GET /read) and one write (POST /write).

Served by the same uvicorn as labelwise, so that the benchmark can report labelwise's figures as a
share of what the machine does with no framework or logic at all.
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
import threading

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

_local = threading.local()
_lock = threading.Lock()


def _prepare(path: str) -> None:
    """The database in WAL mode with its table, once per process and one process at a time, before any
    request: switching a new file to WAL takes a lock that connections opened at the same moment do not
    wait for ("database is locked" in a thread's first request)."""
    with open(path + ".setup-lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        conn = sqlite3.connect(path, isolation_level=None, timeout=60)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, data TEXT)")
        conn.close()


_prepare(os.environ["CEILING_DB"])


def _conn() -> sqlite3.Connection:
    conn = getattr(_local, "conn", None)
    if conn is None:
        conn = sqlite3.connect(os.environ["CEILING_DB"], isolation_level=None, check_same_thread=False, timeout=60)
        conn.execute("PRAGMA synchronous=NORMAL")
        _local.conn = conn
    return conn


def _read() -> bytes:
    row = _conn().execute("SELECT id, data FROM t ORDER BY id DESC LIMIT 1").fetchone()
    return b'{"row":%d}' % (row[0] if row else 0)


def _write(body: bytes) -> bytes:
    with _lock:
        conn = _conn()
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("INSERT INTO t (data) VALUES (?)", (body.decode(),))
        conn.execute("COMMIT")
    return b'{"ok":true}'


async def read(_request: Request) -> Response:
    return Response(await run_in_threadpool(_read), media_type="application/json")


async def write(request: Request) -> Response:
    return Response(await run_in_threadpool(_write, await request.body()), media_type="application/json")


async def health(_request: Request) -> Response:
    return Response(b"{}", media_type="application/json")


app = Starlette(routes=[Route("/read", read), Route("/write", write, methods=["POST"]), Route("/health", health)])
