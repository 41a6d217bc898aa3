"""Hot statements compiled once and run on SQLite's own cursor.

SQLAlchemy runs a cached Core statement with about 30 microseconds of Python around SQLite's own work
(the execution context, the parameters, the result object): the annotation queue's 14 statements per
next + submit were a third of the server's CPU for them. A :class:`Prepared` statement is compiled once
per dialect; on SQLite it runs on the DBAPI connection of the caller's transaction (the same BEGIN,
SAVEPOINT and COMMIT), with SQLAlchemy's own bind and result processors for its types, so the same values
go in and come out as through ``conn.execute``. On PostgreSQL, and on a connection that has not begun a
transaction yet, it is ``conn.execute``.

SQLAlchemy does not see these statements: no ``before_cursor_execute`` event, and a driver error is
``sqlite3``'s own exception class rather than SQLAlchemy's wrapper. Use it for plain statements with
named bind parameters only (no expanding ``IN``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.engine import Dialect
from sqlalchemy.sql.elements import BindParameter

_MISSING: Any = object()


class _Compiled:
    """One statement's SQL for SQLite, how to build its parameters and how to read its rows."""

    __slots__ = ("binds", "keys", "readers", "sql")

    def __init__(self, stmt: Any, dialect: Dialect) -> None:
        compiled = stmt.compile(dialect=dialect)
        if compiled.positiontup is None or "POSTCOMPILE" in compiled.string or \
                compiled.insert_prefetch or compiled.update_prefetch:
            raise ValueError("a prepared statement needs positional, non-expanding bind parameters and no "
                             "column defaults computed in Python")
        self.sql: str = compiled.string
        by_name = {name: bind for bind, name in compiled.bind_names.items()}
        self.binds: list[tuple[str, Any, Callable[[Any], Any] | None]] = [
            (name, _default(by_name[name]), by_name[name].type.dialect_impl(dialect).bind_processor(dialect))
            for name in compiled.positiontup
        ]
        columns = list(stmt.exported_columns) if hasattr(stmt, "exported_columns") else []
        self.keys: tuple[str, ...] = tuple(c.key for c in columns)
        self.readers: list[tuple[int, Callable[[Any], Any]]] = [
            (i, proc) for i, c in enumerate(columns)
            if (proc := c.type.dialect_impl(dialect).result_processor(dialect, None)) is not None
        ]

    def parameters(self, params: Mapping[str, Any]) -> tuple[Any, ...]:
        out = []
        for name, default, process in self.binds:
            value = params.get(name, default)
            if value is _MISSING:
                raise KeyError(f"no value for the bind parameter {name!r}")
            out.append(value if process is None else process(value))  # None too, as SQLAlchemy does (JSON 'null')
        return tuple(out)

    def row(self, raw: tuple[Any, ...]) -> dict[str, Any]:
        if not self.readers:
            return dict(zip(self.keys, raw, strict=True))
        values = list(raw)
        for i, process in self.readers:
            if values[i] is not None:
                values[i] = process(values[i])
        return dict(zip(self.keys, values, strict=True))


def _default(bind: BindParameter[Any]) -> Any:
    if bind.callable is not None or bind.value is not None or not bind.required:
        return bind.effective_value
    return _MISSING


class Prepared:
    """A Core statement (select, insert, update, delete; with RETURNING or not) for the hot path."""

    __slots__ = ("_sqlite", "stmt")

    def __init__(self, stmt: Any) -> None:
        self.stmt = stmt
        self._sqlite: _Compiled | None = None

    def _on_sqlite(self, conn: Connection) -> _Compiled | None:
        # outside a transaction SQLAlchemy's execution begins one (the driver alone would autocommit)
        if conn.dialect.name != "sqlite" or not conn.in_transaction():
            return None
        if self._sqlite is None:
            self._sqlite = _Compiled(self.stmt, conn.dialect)
        return self._sqlite

    def run(self, conn: Connection, params: Mapping[str, Any]) -> int:
        """Run it for its effect; the number of rows it changed."""
        compiled = self._on_sqlite(conn)
        if compiled is None:
            return int(conn.execute(self.stmt, dict(params)).rowcount)
        cursor = _cursor(conn)
        try:
            cursor.execute(compiled.sql, compiled.parameters(params))
            return int(cursor.rowcount)
        finally:
            cursor.close()

    def run_many(self, conn: Connection, params: Sequence[Mapping[str, Any]]) -> None:
        """Run it once per parameter set (the driver's ``executemany``), for its effect."""
        compiled = self._on_sqlite(conn)
        if compiled is None:
            conn.execute(self.stmt, [dict(p) for p in params])
            return
        cursor = _cursor(conn)
        try:
            cursor.executemany(compiled.sql, [compiled.parameters(p) for p in params])
        finally:
            cursor.close()

    def rows(self, conn: Connection, params: Mapping[str, Any]) -> list[dict[str, Any]]:
        """Every row, as dicts keyed by the statement's column keys."""
        compiled = self._on_sqlite(conn)
        if compiled is None:
            return [dict(r) for r in conn.execute(self.stmt, dict(params)).mappings()]
        cursor = _cursor(conn)
        try:
            cursor.execute(compiled.sql, compiled.parameters(params))
            return [compiled.row(r) for r in cursor.fetchall()]
        finally:
            cursor.close()

    def first(self, conn: Connection, params: Mapping[str, Any]) -> dict[str, Any] | None:
        found = self.rows(conn, params)
        return found[0] if found else None

    def scalar(self, conn: Connection, params: Mapping[str, Any]) -> Any:
        """The first column of the first row, or None when there is no row."""
        found = self.rows(conn, params)
        return next(iter(found[0].values())) if found else None


def _cursor(conn: Connection) -> Any:
    return conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
