"""Items of a running import are invisible to every read until it publishes them: staged, they are written
with the state they will have, carry the import's id and are left out of the visible-item indexes
(ix_items_queue, ix_items_state), which publishing enters them into. On SQLite the reads still use
those indexes, counts without reading a row."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from labelwise.errors import NotFound
from labelwise.services import annotation, browse, exports, imports, review
from labelwise.store import annotations as annotation_rows
from labelwise.store import items as item_rows
from labelwise.store.tables import items
from tests.conftest import World
from tests.query_plans import explain, plan_of, statements
from tests.services.import_streams import PausingFile, jsonl_lines


def _staged_ids(world: World) -> list[int]:
    with world.ctx.db.read() as conn:
        return list(conn.execute(select(items.c.id).where(items.c.import_id.is_not(None))).scalars())


def _nothing_visible(world: World) -> dict[str, Any]:
    """What every read of the project shows, asserting it shows no item."""
    ctx, manager, annotator = world.ctx, world.manager.actor, world.annotator.actor
    staged = _staged_ids(world)
    counts = browse.count_items(ctx, manager, "demo")
    assert counts["total"] == 0 and set(counts["by_state"].values()) == {0}
    for state in ("new", "in_progress", "annotated"):
        assert browse.count_items(ctx, manager, "demo", state=state)["total"] == 0
    assert browse.list_items(ctx, manager, "demo", with_total=True) == {"items": [], "next": None, "total": 0}
    assert browse.list_items(ctx, manager, "demo", text="row")["items"] == []
    assert review.review_queue(ctx, world.reviewer.actor, "demo") == []
    assert annotation.next_task(ctx, annotator, "demo") is None
    for item_id in staged[:3]:
        with pytest.raises(NotFound):
            browse.item_view(ctx, manager, "demo", item_id)
    assert b"".join(exports.export(ctx, manager, "demo", "jsonl").chunks) == b""
    return {"staged": len(staged)}


def test_a_running_imports_items_are_invisible_then_new_and_open(world: World) -> None:
    world.ctx.settings = world.ctx.settings.model_copy(update={"import_batch_size": 2})
    seen: list[dict[str, Any]] = []
    stream = PausingFile(jsonl_lines(7), pause=6, at_line=lambda: seen.append(_nothing_visible(world)))
    report = imports.import_stream(world.ctx, world.manager.actor, "demo", stream, "jsonl")  # type: ignore[arg-type]
    assert seen == [{"staged": 4}]  # two batches of two were staged when line 6 was read
    assert report.created == 7
    assert _staged_ids(world) == []
    counts = browse.count_items(world.ctx, world.manager.actor, "demo")
    assert counts["total"] == 7 and counts["by_state"]["new"] == 7
    assert [i["key"] for i in browse.list_items(world.ctx, world.manager.actor, "demo")["items"]] == [
        f"k{i}" for i in range(7)]
    task = annotation.next_task(world.ctx, world.annotator.actor, "demo")
    assert task is not None and task["data"] == {"text": "row 0"}


def test_a_running_imports_annotated_items_are_invisible_then_settled(world: World) -> None:
    """With submitted annotations, publishing gives each item the state they imply."""
    world.ctx.settings = world.ctx.settings.model_copy(update={"import_batch_size": 2})
    seen: list[dict[str, Any]] = []
    lines = jsonl_lines(5, annotated_by=world.annotator.actor.email)
    stream = PausingFile(lines, pause=4, at_line=lambda: seen.append(_nothing_visible(world)))
    report = imports.import_stream(world.ctx, world.manager.actor, "demo", stream, "jsonl",  # type: ignore[arg-type]
                                   labels="annotations")
    assert seen == [{"staged": 2}]
    assert (report.created, report.annotations) == (5, 5)
    counts = browse.count_items(world.ctx, world.manager.actor, "demo")
    assert counts["total"] == 5 and counts["by_state"]["annotated"] == 5
    assert len(review.review_queue(world.ctx, world.reviewer.actor, "demo")) == 5
    assert annotation.next_task(world.ctx, world.annotator2.actor, "demo") is None  # overlap 1: all done


def test_a_failed_imports_staged_items_are_removed(world: World) -> None:
    world.ctx.settings = world.ctx.settings.model_copy(update={"import_batch_size": 2})
    lines = [*jsonl_lines(5), b'{"key": "bad"}\n']
    with pytest.raises(Exception, match="rows are invalid"):
        imports.import_stream(world.ctx, world.manager.actor, "demo", PausingFile(lines, 0, lambda: None),  # type: ignore[arg-type]
                              "jsonl")
    with world.ctx.db.read() as conn:
        assert conn.execute(select(func.count()).select_from(items)).scalar() == 0
    report = imports.import_stream(world.ctx, world.manager.actor, "demo", iter(lines[:5]), "jsonl")  # type: ignore[arg-type]
    assert report.created == 5  # no staged key was left to block them


@pytest.mark.parametrize("known", [True, False])
def test_discarding_an_import_reads_its_range_or_its_project_on_sqlite(world: World, known: bool) -> None:
    """The importing process removes its staged items by their id range; ``recover_stale_imports``, which
    does not know it, by the import's project; neither reads the other projects' items."""
    if not world.ctx.db.is_sqlite:
        pytest.skip("SQLite's query plan")
    world.ctx.settings = world.ctx.settings.model_copy(update={"import_batch_size": 2})
    imports.import_records(world.ctx, world.outsider.actor, "other", [{"text": f"t{i}"} for i in range(3)])

    def give_up() -> None:  # another process takes the import for dead, between two batches
        assert imports.recover_stale_imports(world.ctx, silent_seconds=-1) == 1

    lines = [*jsonl_lines(5), b'{"key": "bad"}\n']
    stream = PausingFile(lines, 0, lambda: None) if known else PausingFile(lines, 4, give_up)
    with statements(world.ctx.db, "DELETE FROM items") as seen, \
            pytest.raises(Exception, match="rows are invalid" if known else "was given up"):
        imports.import_stream(world.ctx, world.manager.actor, "demo", stream, "jsonl")  # type: ignore[arg-type]
    assert _staged_ids(world) == []
    plan = explain(world.ctx.db, *seen[0])
    assert plan[0] == ("SEARCH items USING INTEGER PRIMARY KEY (rowid>? AND rowid<?)" if known
                       else "SEARCH items USING INDEX ix_items_project (project_id=?)"), plan


def test_reads_use_the_visible_item_indexes_on_sqlite(world: World) -> None:
    """Counts read ix_items_state alone (no row); the queue searches ix_items_queue."""
    if not world.ctx.db.is_sqlite:
        pytest.skip("SQLite's query plan")
    imports.import_records(world.ctx, world.manager.actor, "demo", [{"text": f"t{i}"} for i in range(3)])
    project_id = int(world.project["id"])
    state_counts = plan_of(world.ctx.db, lambda conn: item_rows.counts_by_state(conn, project_id), "GROUP BY")
    assert state_counts == ["SEARCH items USING COVERING INDEX ix_items_state (project_id=?)"]
    every, new = item_rows.ItemFilter(), item_rows.ItemFilter(state="new")
    total = plan_of(world.ctx.db, lambda conn: item_rows.count_items(conn, project_id, every), "count(")
    assert total == ["SEARCH items USING COVERING INDEX ix_items_state (project_id=?)"]
    by_state = plan_of(world.ctx.db, lambda conn: item_rows.count_items(conn, project_id, new), "count(")
    assert by_state == ["SEARCH items USING COVERING INDEX ix_items_state (project_id=? AND state=?)"]
    from sqlalchemy.dialects import sqlite

    compiled = annotation_rows._PICK.stmt.compile(dialect=sqlite.dialect())
    params = {"project_id": project_id, "user_id": 1, "at": "2026-01-01", "overlap": 1}
    values = compiled.construct_params(params)
    ordered = tuple(values[name] for name in compiled.positiontup or ())
    plan = explain(world.ctx.db, compiled.string, ordered)
    assert plan[0] == "SEARCH items USING INDEX ix_items_queue (project_id=? AND is_open=?)"
