"""``export_scan.scan_final``, what the fast paths of COCO and CoNLL read: an item's rows are never split by a
page (a page that holds one item only is read again with twice the rows), items come in id order with
their annotations in id order, and on SQLite the query reads the indexes in that order with no sort; and
``export_scan.scan``'s annotations, read unordered, in id order too."""

from __future__ import annotations

import io
from typing import Any

import orjson
import pytest

from labelwise.services import imports
from labelwise.store import export_scan
from labelwise.store.items import ItemFilter
from tests.query_plans import plan_of


def _project(world: Any) -> int:
    one, two = world.annotator.actor.email, world.annotator2.actor.email
    rows = [{"key": "none", "text": "a"},
            {"key": "one", "text": "b", "annotations": [{"annotator": one, "result": {"sentiment": "positive"}}]},
            {"key": "two", "text": "c", "annotations": [{"annotator": two, "result": {"sentiment": "negative"}},
                                                         {"annotator": one, "result": {"sentiment": "neutral"}}]},
            {"key": "last", "text": "d", "annotations": [{"annotator": two, "result": {"sentiment": "neutral"}}]}]
    body = b"\n".join(orjson.dumps(row) for row in rows)
    imports.import_stream(world.ctx, world.manager.actor, "demo", io.BytesIO(body), "jsonl", labels="annotations")
    return int(world.project["id"])


@pytest.mark.parametrize("page", [1, 2, 3, 4, 100])
def test_pages_never_split_an_item(world: Any, page: int) -> None:
    project_id = _project(world)
    with world.ctx.db.read() as conn:
        pages = list(export_scan.scan_final(conn, project_id, ItemFilter(), page=page))
    rows = [row for chunk in pages for row in chunk]
    assert [(key, orjson.loads(result)["sentiment"] if result else None, status)
            for _, key, _, _, result, status in rows] == [
        ("none", None, None), ("one", "positive", None), ("two", "negative", None), ("two", "neutral", None),
        ("last", "neutral", None)]
    assert [orjson.loads(data)["text"] for _, _, data, _, _, _ in rows] == ["a", "b", "c", "c", "d"]
    ids = [row[0] for row in rows]
    assert ids == sorted(ids)
    keys = [[row[1] for row in chunk] for chunk in pages]
    # a full page leaves its last item to the next one (it may go on); a page of one item reads twice the rows
    assert keys == {1: [["none"], ["one"], ["two", "two", "last"]],
                    2: [["none"], ["one"], ["two", "two", "last"]],
                    3: [["none", "one"], ["two", "two"], ["last"]],
                    4: [["none", "one"], ["two", "two", "last"]],
                    100: [["none", "one", "two", "two", "last"]]}[page]


def test_the_query_reads_indexes_in_order_on_sqlite(world: Any) -> None:
    """No sort of a page's rows: items by (project_id, id), annotations by (item_id, status) in id order."""
    if not world.ctx.db.is_sqlite:
        pytest.skip("SQLite's query plan")
    project_id = _project(world)
    plan = plan_of(world.ctx.db, lambda conn: next(export_scan.scan_final(conn, project_id, ItemFilter(), page=2)),
                   "LEFT OUTER JOIN annotations AS a")
    assert plan == ["SEARCH items USING INDEX ix_items_project (project_id=? AND id>?)",
                    "SEARCH item_payloads USING INTEGER PRIMARY KEY (rowid=?)",
                    "SEARCH a USING INDEX ix_annotations_item (item_id=? AND status=?) LEFT-JOIN"]


@pytest.mark.parametrize("page", [1, 2, 100])
def test_scan_gives_an_items_annotations_in_id_order(world: Any, page: int) -> None:
    """``scan`` reads a page's annotations unordered; an item's come in id order whatever its annotators'
    ids: "two" was annotated by annotator2 first, whose user id is the larger."""
    project_id = _project(world)
    with world.ctx.db.read() as conn:
        pages = list(export_scan.scan(conn, project_id, ItemFilter(), page=page))
    by_key = {key: [(a[1], orjson.loads(a[2])["sentiment"]) for a in chunk.annotations.get(item_id, ())]
              for chunk in pages for item_id, key, *_ in chunk.items}
    one, two = world.annotator.actor.email, world.annotator2.actor.email
    assert world.annotator.actor.id < world.annotator2.actor.id
    assert by_key == {"none": [], "one": [(one, "positive")], "two": [(two, "negative"), (one, "neutral")],
                      "last": [(two, "neutral")]}
    ids = [a[0] for chunk in pages for group in chunk.annotations.values() for a in group]
    assert sorted(ids) == sorted(set(ids)) and len(ids) == 4
