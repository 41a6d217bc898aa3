"""Exports give what the rest of the app knows about each item: checked against the item view (an
independent read path), and the JSON Lines bytes against the parsed records."""

from __future__ import annotations

import orjson

from labelwise.domain.permissions import Action
from labelwise.services import annotation, browse, exports, imports, projects, review
from labelwise.services.access import open_project
from labelwise.store.items import ItemFilter


def _records(ctx, access, f):
    pages = exports.iter_records(ctx, access, f, page=3)
    return [orjson.loads(orjson.dumps(r, option=exports.JSON_OPTIONS)) for page in pages for r in page]


def _as_item_view_sees_it(world, item_id):
    view = browse.item_view(world.ctx, world.manager.actor, "demo", item_id)
    anns = [{"id": a["id"], "annotator": a["annotator"], "result": a["result"], "review": a["review_status"]}
            for a in view["annotations"] if a["status"] == "submitted"]
    return {"key": view["key"], "state": view["state"], "data": view["data"], "meta": view["meta"],
            "annotations": anns, "predictions": view["predictions"]}


def _comparable(record):
    anns = [{"id": a["id"], "annotator": a["annotator"], "result": a["result"],
             "review": a["review"]["status"] if a["review"] else None} for a in record["annotations"]]
    return {"key": record["key"], "state": record["state"], "data": record["data"], "meta": record["meta"],
            "annotations": anns, "predictions": record["predictions"]}


def test_exports_match_the_item_view(world) -> None:
    ctx, manager = world.ctx, world.manager.actor
    rows = [{"key": f"k{i}", "text": f"text number {i} é", "meta": {"source": "s" if i % 2 else "t"},
             "predictions": [{"model": "m", "score": i / 10, "result": {"sentiment": "neutral"}}] if i % 3 else []}
            for i in range(8)]
    imports.import_records(ctx, manager, "demo", rows)
    projects.update_project(ctx, manager, "demo", overlap=2)
    for who in (world.annotator.actor, world.annotator2.actor):
        for _ in range(5):
            task = annotation.next_task(ctx, who, "demo")
            annotation.submit(ctx, who, "demo", task["id"],
                              {"sentiment": "positive", "entities": [{"start": 0, "end": 4, "label": "ORG"}]},
                              lead_time=2.5)
    with ctx.db.read() as conn:
        access = open_project(ctx, conn, manager, "demo", Action.manage)
    first = next(iter(exports.iter_records(ctx, access, ItemFilter())))[0]
    review.review(ctx, world.reviewer.actor, "demo", first["annotations"][0]["id"], "reject", comment="too fast")
    review.review(ctx, world.reviewer.actor, "demo", first["annotations"][1]["id"], "correct",
                  result={"sentiment": "negative"})
    for f in (ItemFilter(), ItemFilter(state="annotated"), ItemFilter(meta={"source": "s"})):
        fast = [orjson.loads(line) for chunk in exports.iter_jsonl(ctx, access, f, page=3)
                for line in chunk.splitlines()]
        assert fast == _records(ctx, access, f)
        assert fast  # every filter matches something here
        for record in fast:
            assert _comparable(record) == _as_item_view_sees_it(world, record["id"])
    everything = [orjson.loads(line) for chunk in exports.iter_jsonl(ctx, access, ItemFilter(), page=3)
                  for line in chunk.splitlines()]
    assert len(everything) == 8
    reviewed = everything[0]["annotations"]
    assert reviewed[0]["review"]["status"] == "rejected" and reviewed[0]["review"]["comment"] == "too fast"
    assert reviewed[1]["review"]["result"] == {"sentiment": "negative"}
    assert everything[1]["predictions"] == [{"model": "m", "score": 0.1, "result": {"sentiment": "neutral"}}]
