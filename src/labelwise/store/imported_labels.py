"""Submitted annotations that arrive with imported items, written in bulk next to the items."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from labelwise.store.bulk import insert_rows, json_value, time_value
from labelwise.store.clock import now
from labelwise.store.tables import annotations

ANNOTATION_INSERT = ("project_id", "item_id", "user_id", "status", "result", "schema_version", "lead_time",
                     "created_at", "updated_at", "submitted_at", "checks")


def insert_submitted(conn: Any, *, project_id: int, schema_version: int,
                     rows: Sequence[tuple[int, Sequence[tuple[Any, ...]]]]) -> int:
    """Write ``(item id, [(user id, result, lead time[, check warnings]), ...])`` as submitted annotations
    (in list order, so that ids follow it) and set each item's
    ``n_submitted``; the item's state and queue place are set when the import is published. Returns how
    many annotations were written."""
    stamp = time_value(conn, now())
    values = [(project_id, item_id, user_id, "submitted", json_value(result), schema_version, lead, stamp, stamp,
               stamp, json_value(rest[0]) if rest and rest[0] else None)
              for item_id, anns in rows for user_id, result, lead, *rest in anns]
    insert_rows(conn, annotations, ANNOTATION_INSERT, values)
    counts = [(len(anns), item_id) for item_id, anns in rows if anns]
    if counts:
        mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
        conn.exec_driver_sql(f"UPDATE items SET n_submitted = {mark} WHERE id = {mark}", counts)
    return len(values)
