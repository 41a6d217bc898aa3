"""Driver-level bulk inserts for the import hot path.

SQLAlchemy's per-row parameter processing costs more than the insert itself at 100,000 rows;
here rows go to the DBAPI ``executemany`` as plain tuples. Values must already be in storage
form: use ``json_value`` and ``time_value``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import Connection, DateTime, Table


def json_value(value: Any) -> str | None:
    return None if value is None else orjson.dumps(value).decode()


def time_value(conn: Connection, value: datetime) -> Any:
    """A datetime as the dialect stores it (SQLite keeps a fixed-format string)."""
    process = DateTime(timezone=True).dialect_impl(conn.dialect).bind_processor(conn.dialect)
    return process(value) if process else value


def insert_rows(conn: Connection, table: Table, columns: Sequence[str], rows: Sequence[tuple[Any, ...]]) -> None:
    """Insert ``rows`` (tuples in ``columns`` order): COPY on PostgreSQL, executemany on SQLite."""
    if not rows:
        return
    if conn.dialect.name == "postgresql":
        cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
        with cursor, cursor.copy(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    sql = f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({', '.join([mark] * len(columns))})"
    conn.exec_driver_sql(sql, list(rows))
