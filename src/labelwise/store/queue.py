"""Reads of the annotation queue's hot path that join what would otherwise take a statement each.

Like the other queue statements (:mod:`labelwise.store.annotations`), these are built once with bind
parameters (building SQLAlchemy expressions costs more than running them) and run as
:class:`~labelwise.store.prepared.Prepared` statements.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, bindparam, select

from labelwise.store.items import ITEM_COLUMNS
from labelwise.store.prepared import Prepared
from labelwise.store.tables import VISIBLE, item_payloads, items, predictions

# One row per prediction (or one row with empty prediction columns): the item, its payload and its
# predictions in one statement instead of two.
_TASK_ITEM = Prepared(
    select(*ITEM_COLUMNS, items.c.is_open, item_payloads.c.data, item_payloads.c.meta,
           predictions.c.id.label("prediction_id"), predictions.c.model, predictions.c.score,
           predictions.c.result.label("prediction"))
    .join(item_payloads, item_payloads.c.item_id == items.c.id)
    .outerjoin(predictions, predictions.c.item_id == items.c.id)
    .where(items.c.id == bindparam("item_id"), items.c.project_id == bindparam("project_id"), VISIBLE)
    .order_by(predictions.c.id)
)
_PREDICTION_COLUMNS = ("prediction_id", "model", "score", "prediction")


def task_item(conn: Connection, project_id: int, item_id: int) -> dict[str, Any] | None:
    """One visible item with its payload (as ``items.item_detail``) and ``predictions`` (model, score,
    result; in the order they were stored), or None."""
    found = _TASK_ITEM.rows(conn, {"item_id": item_id, "project_id": project_id})
    if not found:
        return None
    item = {k: v for k, v in found[0].items() if k not in _PREDICTION_COLUMNS}
    item["predictions"] = [{"model": r["model"], "score": r["score"], "result": r["prediction"]}
                           for r in found if r["prediction_id"] is not None]
    return item
