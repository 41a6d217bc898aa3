"""The queue's hot path: what next + submit read and write, and how many statements they take."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event, select

from labelwise.domain.quality import uniform
from labelwise.services import annotation, browse, imports, projects
from labelwise.store import queue
from labelwise.store.tables import final_labels, items

POS = {"sentiment": "positive"}


def _item_row(world: Any, item_id: int) -> dict[str, Any]:
    with world.ctx.db.read() as conn:
        return dict(conn.execute(select(items).where(items.c.id == item_id)).mappings().one())


def _finals(world: Any, item_id: int) -> list[tuple[str, Any, float]]:
    with world.ctx.db.read() as conn:
        q = select(final_labels.c.label, final_labels.c.value, final_labels.c.confidence).where(
            final_labels.c.item_id == item_id, final_labels.c.label == "sentiment")
        return [tuple(r) for r in conn.execute(q)]


def test_task_item_reads_the_item_and_its_predictions_in_order(world: Any) -> None:
    ctx, manager = world.ctx, world.manager.actor
    preds = [{"model": "b", "score": 0.7, "result": {"sentiment": "negative"}},
             {"model": "a", "score": None, "result": POS}]
    imports.import_records(ctx, manager, "demo", [{"text": "with", "predictions": preds}, {"text": "without"}])
    with_id, without_id = (i["id"] for i in browse.list_items(ctx, manager, "demo")["items"])
    pid = world.project["id"]
    with ctx.db.read() as conn:
        got = queue.task_item(conn, pid, with_id)
        bare = queue.task_item(conn, pid, without_id)
        elsewhere = queue.task_item(conn, pid + 1, with_id)
    assert got is not None and bare is not None
    assert got["predictions"] == preds
    assert (got["data"], got["state"], got["is_open"], got["n_submitted"]) == ({"text": "with"}, "new", True, 0)
    assert bare["predictions"] == [] and bare["data"] == {"text": "without"}
    assert elsewhere is None


def test_submit_stores_state_counts_and_review_priority_in_one_item_update(world: Any) -> None:
    ctx, manager, annotator = world.ctx, world.manager.actor, world.annotator.actor
    imports.import_records(ctx, manager, "demo", [{"text": "one"}])
    task = annotation.next_task(ctx, annotator, "demo")
    assert task is not None
    annotation.submit(ctx, annotator, "demo", task["id"], POS)
    row = _item_row(world, task["id"])
    assert (row["state"], row["n_submitted"], row["is_open"]) == ("annotated", 1, False)
    assert row["review_priority"] == uniform(world.project["id"], task["id"])  # random sampling: the draw
    assert _finals(world, task["id"]) == [("sentiment", "positive", 1.0)]


def test_submit_below_the_overlap_leaves_priority_and_finals_alone(world: Any) -> None:
    ctx, manager = world.ctx, world.manager.actor
    imports.import_records(ctx, manager, "demo", [{"text": "one"}])
    projects.update_project(ctx, manager, "demo", overlap=2)
    task = annotation.next_task(ctx, world.annotator.actor, "demo")
    assert task is not None
    done = annotation.submit(ctx, world.annotator.actor, "demo", task["id"], POS)
    row = _item_row(world, task["id"])
    assert (done["item_state"], row["n_submitted"], row["is_open"], row["review_priority"]) == (
        "in_progress", 1, True, None)
    assert _finals(world, task["id"]) == []
    task2 = annotation.next_task(ctx, world.annotator2.actor, "demo")
    assert task2 is not None and task2["id"] == task["id"]
    annotation.submit(ctx, world.annotator2.actor, "demo", task["id"], {"sentiment": "negative"})
    row = _item_row(world, task["id"])
    # fixed overlap: the item closes at 2 even on a tie, which goes to the first value in sorted order
    assert (row["state"], row["n_submitted"], row["is_open"]) == ("annotated", 2, False)
    assert row["review_priority"] == uniform(world.project["id"], task["id"])
    assert _finals(world, task["id"]) == [("sentiment", "negative", 0.5)]


@contextmanager
def _statements(ctx: Any) -> Iterator[list[str]]:
    """Every statement sent to the database while the block runs (not BEGIN, COMMIT or savepoints).

    On SQLite the driver's own trace sees them, the queue's Prepared statements included (they run on
    its cursor, out of SQLAlchemy's events); on PostgreSQL SQLAlchemy's event does.
    """
    seen: list[str] = []
    control = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE", "SET ", "PRAGMA")

    def trace(statement: str) -> None:
        if statement.lstrip().upper().startswith(control):
            return
        # the driver traces an executemany once per row, with the row's values: it is one statement
        if statement.startswith("INSERT") and seen and seen[-1].split(" VALUES ")[0] == statement.split(" VALUES ")[0]:
            return
        seen.append(statement)

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        trace(statement)

    def on_checkout(dbapi_conn: Any, *_args: Any) -> None:
        dbapi_conn.set_trace_callback(trace)

    def on_checkin(dbapi_conn: Any, *_args: Any) -> None:
        dbapi_conn.set_trace_callback(None)

    sqlite = ctx.db.is_sqlite
    listeners = [("checkout", on_checkout), ("checkin", on_checkin)] if sqlite else [("before_cursor_execute", count)]
    for name, fn in listeners:
        event.listen(ctx.db.engine, name, fn)
    try:
        yield seen
    finally:
        for name, fn in listeners:
            event.remove(ctx.db.engine, name, fn)


def test_next_and_submit_statement_counts(world: Any) -> None:
    """Pinned so that an extra round trip on the hot path is a visible choice (BEGIN/COMMIT not counted)."""
    ctx, manager, annotator = world.ctx, world.manager.actor, world.annotator.actor
    imports.import_records(ctx, manager, "demo", [{"text": "one"}, {"text": "two"}])
    with _statements(ctx) as seen:
        task = annotation.next_task(ctx, annotator, "demo")
        assert task is not None
        n_next = len(seen)
        annotation.submit(ctx, annotator, "demo", task["id"], POS)
        n_submit = len(seen) - n_next
    # next: project, own rows, pick, lease, mark started, item with predictions
    #   (PostgreSQL: + the fresh free-slot check of the picked item)
    # submit: project, item, slots, mark submitted, final labels (delete, insert), item update, audit
    pg = ctx.db.engine.dialect.name == "postgresql"
    assert (n_next, n_submit) == (6 + (1 if pg else 0), 8)


def test_own_open_rows_are_two_index_lookups_on_sqlite(world: Any) -> None:
    """Not a scan of every row the annotator has in the project, which grows with their work."""
    from sqlalchemy.dialects import sqlite

    from labelwise.store import annotations as rows

    if not world.ctx.db.is_sqlite:
        pytest.skip("SQLite's query plan")
    sql = rows._MY_OPEN_ROWS.stmt.compile(dialect=sqlite.dialect()).string
    with world.ctx.db.read() as conn:
        plan = [r[3] for r in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + sql, (1,) * sql.count("?")).all()]
    assert [p for p in plan if p.startswith("SEARCH")] == [
        "SEARCH annotations USING INDEX ix_annotations_user (project_id=? AND user_id=? AND status=?)",
        "SEARCH annotations USING INDEX ix_annotations_review (project_id=? AND status=? AND review_status=?)",
    ]
    assert not any("TEMP B-TREE" in p for p in plan)


def test_own_open_rows_are_leases_and_rejected_submissions_oldest_first(world: Any) -> None:
    from labelwise.services import review
    from labelwise.store import annotations as rows

    ctx, manager, annotator = world.ctx, world.manager.actor, world.annotator.actor
    imports.import_records(ctx, manager, "demo", [{"text": f"t{i}"} for i in range(4)])
    done = []
    for _ in range(3):
        task = annotation.next_task(ctx, annotator, "demo")
        assert task is not None
        done.append((task["id"], annotation.submit(ctx, annotator, "demo", task["id"], POS)["id"]))
    review.review(ctx, world.reviewer.actor, "demo", done[1][1], "reject", comment="no")
    done = [item for item, _ in done]
    leased = annotation.next_task(ctx, annotator, "demo")  # the rejected one comes back first, no new lease
    assert leased is not None and leased["id"] == done[1]
    with ctx.db.read() as conn:
        mine = rows.my_open_rows(conn, world.project["id"], annotator.id)
    assert [(r["item_id"], r["status"], r["review_status"]) for r in mine] == [(done[1], "submitted", "rejected")]
