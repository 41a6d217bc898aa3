"""An export leaves no reference cycles behind per page: with the cyclic collector paused while each page
is made (``collector.paused``), per-page cycles would hold every page's objects until a full collection,
and the server's memory would grow with the project instead of staying flat."""

from __future__ import annotations

import gc

from labelwise.domain.permissions import Action
from labelwise.services import annotation, exports, imports, review
from labelwise.services.access import open_project
from labelwise.store.items import ItemFilter


def _garbage_after_export(world, page: int) -> int:
    with world.ctx.db.read() as conn:
        access = open_project(world.ctx, conn, world.manager.actor, "demo", Action.manage)
    gc.collect()
    enabled = gc.isenabled()
    gc.disable()
    try:
        lines = sum(chunk.count(b"\n") for chunk in exports.iter_jsonl(world.ctx, access, ItemFilter(), page=page))
        assert lines == 60
        return gc.collect()  # what only the cyclic collector could free
    finally:
        if enabled:
            gc.enable()


def test_export_garbage_does_not_grow_with_its_pages(world) -> None:
    imports.import_records(world.ctx, world.manager.actor, "demo",
                           [{"key": f"k{i}", "text": f"text {i}"} for i in range(60)])
    for i in range(5):  # final labels and reviews too: their per-page lookups run with rows to read
        task = annotation.next_task(world.ctx, world.annotator.actor, "demo")
        done = annotation.submit(world.ctx, world.annotator.actor, "demo", task["id"], {"sentiment": "positive"})
        if i % 2:
            review.review(world.ctx, world.reviewer.actor, "demo", done["id"], "accept")
    exports_of_3_pages = _garbage_after_export(world, page=20)
    exports_of_30_pages = _garbage_after_export(world, page=2)
    assert exports_of_30_pages <= exports_of_3_pages
