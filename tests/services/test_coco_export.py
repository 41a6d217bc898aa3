"""A COCO export of a live project takes the fast path (items as stored, ``exports.iter_stored``) and gives
the bytes of the general path (records), of a snapshot of the same project, and the same bytes run to run:
plain boxes stored with ints and floats in several JSON styles, several annotations, reviews, rotated
boxes, polygons, items without annotations or size, filters (one of them an EXISTS on annotations), pages
small enough to cut an item's annotations."""

from __future__ import annotations

import contextlib
import io
import json
from typing import Any

from pycocotools.coco import COCO

from labelwise.formats import registry
from labelwise.services import exports, snapshots
from labelwise.store.items import ItemFilter

from .fast_path_projects import reviewed_project, set_result

SCHEMA = {"fields": {"image": "image"}, "labels": [
    {"name": "boxes", "kind": "bbox", "field": "image", "options": ["cat", "dog"]},
    {"name": "shapes", "kind": "polygon", "field": "image", "options": ["road"]}]}
SIZE = {"media": {"image": {"width": 640, "height": 480}}}


def _box(x: float, label: str = "cat", **more: Any) -> dict[str, Any]:
    return {"x": x, "y": x + 1, "width": 10.5, "height": 20, "label": label, **more}


def _rows(world: Any) -> list[dict[str, Any]]:
    one, two = world.annotator.actor.email, world.annotator2.actor.email
    rows = [{"key": f"plain{i}", "image": f"http://x/{i}.jpg", "meta": SIZE,
             "annotations": [{"annotator": one, "result": {"boxes": [_box(i + j, "dog" if j % 2 else "cat")
                                                                     for j in range(i % 4)]}}]}
            for i in range(12)]
    rows += [
        {"key": "two", "image": "http://x/two.jpg", "meta": SIZE,
         "annotations": [{"annotator": one, "result": {"boxes": [_box(1)]}},
                         {"annotator": two, "result": {"boxes": [_box(2, "dog")]}}]},
        {"key": "rotated", "image": "http://x/r.jpg", "meta": SIZE,
         "annotations": [{"annotator": one, "result": {"boxes": [_box(50, rotation=30)]}}]},
        {"key": "empty", "image": "http://x/e.jpg", "meta": SIZE},
        {"key": "nosize", "image": "s3://bucket/n.png?v=2",
         "annotations": [{"annotator": one, "result": {"boxes": [_box(3)]}}]},
        {"key": "accepted", "image": "http://x/a.jpg", "meta": SIZE,
         "annotations": [{"annotator": one, "result": {"boxes": [_box(4)]}}]},
        {"key": "corrected", "image": "http://x/c.jpg", "meta": SIZE,
         "annotations": [{"annotator": one, "result": {"boxes": [_box(5)]}},
                         {"annotator": two, "result": {"boxes": [_box(6)]}}]},
        {"key": "polygon", "image": "http://x/p.jpg", "meta": SIZE,
         "annotations": [{"annotator": two, "result": {"shapes": [
             {"points": [[0, 0], [10, 0], [10, 10]], "label": "road"}], "boxes": [_box(7, score=0.5)]}}]},
    ]
    return rows


def _project(world: Any) -> Any:
    access, records = reviewed_project(world, "img", SCHEMA, _rows(world), {"boxes": [_box(8, "dog")]})
    ctx = world.ctx
    with ctx.db.write() as conn:  # the app writes floats; older rows and other writers may hold ints, spaces
        set_result(conn, records["plain1"]["annotations"][0]["id"],
                   json.dumps({"boxes": [{"x": 1, "y": 2, "width": 30, "height": 4.5, "label": "dog"}]}))
        set_result(conn, records["plain2"]["annotations"][0]["id"],
                   json.dumps({"boxes": [_box(1e16), _box(-0.0), _box(0.1 + 0.2)]}, separators=(", ", " : ")))
        set_result(conn, records["plain3"]["annotations"][0]["id"], "null")
    return access


def _general(world: Any, access: Any, f: ItemFilter, **options: Any) -> bytes:
    pages = exports.iter_records(world.ctx, access, f, lean=True)
    return b"".join(registry.export("coco", pages, access.schema, **options))


def test_the_fast_path_gives_the_general_paths_bytes(world: Any, tmp_path: Any) -> None:
    ctx, manager = world.ctx, world.manager.actor
    access = _project(world)
    general = _general(world, access, ItemFilter())
    full = b"".join(registry.export("coco", exports.iter_records(ctx, access, ItemFilter()), access.schema))
    fast = b"".join(exports.export(ctx, manager, "img", "coco").chunks)
    assert fast == general == full
    assert b"".join(exports.export(ctx, manager, "img", "coco").chunks) == fast  # run to run
    for page in (1, 2, 3, 5):  # an item's annotations cut by the page, or one item more than a page
        pages = exports.iter_stored(ctx, access, ItemFilter(), page=page)
        assert b"".join(registry.export("coco", pages, access.schema)) == general, page
    path = tmp_path / "coco.json"
    path.write_bytes(fast)
    with contextlib.redirect_stdout(io.StringIO()):
        coco = COCO(str(path))
    assert len(coco.imgs) == 19
    by_key = {img["key"]: img for img in coco.dataset["images"]}
    assert coco.imgToAnns[by_key["plain1"]["id"]][0]["bbox"] == [1, 2, 30, 4.5]
    assert coco.imgToAnns[by_key["plain1"]["id"]][0]["area"] == 135.0
    assert [a["bbox"][0] for a in coco.imgToAnns[by_key["plain2"]["id"]]] == [1e16, -0.0, 0.30000000000000004]
    assert coco.imgToAnns[by_key["corrected"]["id"]][0]["bbox"][0] == 8.0
    assert by_key["nosize"]["width"] is None and by_key["nosize"]["file_name"] == "n.png"
    assert not coco.imgToAnns[by_key["plain3"]["id"]] and not coco.imgToAnns[by_key["empty"]["id"]]


def test_filters_options_and_snapshots_give_the_same_bytes_on_both_paths(world: Any) -> None:
    ctx, manager = world.ctx, world.manager.actor
    access = _project(world)
    filters = [({"label": "dog"}, ItemFilter(label="dog")), ({"state": "annotated"}, ItemFilter(state="annotated")),
               ({"annotator": world.annotator2.actor.email},
                ItemFilter(annotator_id=world.annotator2.actor.id))]
    for given, f in filters:
        general = _general(world, access, f)
        assert b"".join(exports.export(ctx, manager, "img", "coco", **given).chunks) == general, given
        assert general.count(b'"file_name"') >= 2, given
    for options in ({"labels": "boxes"}, {"which": "final"}, {"which": "all"}, {"field": "image"}):
        assert (b"".join(exports.export(ctx, manager, "img", "coco", options=options).chunks)
                == _general(world, access, ItemFilter(), **options)), options
    snap = snapshots.create_snapshot(ctx, manager, "img")
    frozen = b"".join(snapshots.export_snapshot(ctx, manager, "img", snap["id"], "coco").chunks)
    assert frozen == b"".join(exports.export(ctx, manager, "img", "coco").chunks)
