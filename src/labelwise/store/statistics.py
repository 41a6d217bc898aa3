"""PostgreSQL's planner statistics, refreshed after bulk writes.

A table that was never analysed, or that an import just made much larger, has estimates the planner
cannot use: with ``items`` estimated at one row after a first import of 100,000, the export's page query
walked the rest of the project through ``ix_items_state`` and sorted it, page after page (29.6 us an item
against 4.3 once analysed). autovacuum analyses such a table too, but up to a minute later and only
when its workers are free; an import refreshes them as it ends instead, on the same rule (a tenth of the
rows changed). SQLite's planner needs no statistics for these queries: nothing to do there.
"""

from __future__ import annotations

from sqlalchemy import Connection, text

SHARE = 0.1  # autovacuum_analyze_scale_factor's default
LOCK_TIMEOUT_MS = 2000


def stale_after(conn: Connection, added: int) -> bool:
    """Whether ``items`` needs new statistics after ``added`` rows: it was never analysed, or they are a
    tenth or more of the rows it was estimated to hold."""
    estimate = conn.execute(text("SELECT reltuples FROM pg_class WHERE oid = 'items'::regclass")).scalar()
    return estimate is None or estimate < 0 or added >= SHARE * estimate


def refresh_after_import(conn: Connection, added: int, *, annotations: bool = False) -> bool:
    """ANALYZE ``items`` and ``item_payloads`` (and ``annotations`` if the import brought some) when
    :func:`stale_after` says so; whether it did. PostgreSQL only: the caller, which knows the database,
    opens no transaction on SQLite. Predictions are read by item id only."""
    if not stale_after(conn, added):
        return False
    # autovacuum's own pass holds the lock ANALYZE needs; waiting for a long one would hold up the request
    # (the caller logs the timeout: that pass refreshes the statistics anyway)
    conn.execute(text(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT_MS}ms'"))
    conn.execute(text("ANALYZE items, item_payloads" + (", annotations" if annotations else "")))
    return True
