"""Changing a project's overlap reopens or closes its items and keeps their states true."""

from __future__ import annotations

from labelwise.services import annotation, browse, imports, projects


def _state(world, item_id: int) -> str:
    return browse.item_view(world.ctx, world.manager.actor, "demo", item_id)["state"]


def test_overlap_change_moves_items_between_in_progress_and_annotated(world) -> None:
    ctx, manager = world.ctx, world.manager.actor
    imports.import_records(ctx, manager, "demo", [{"text": "one"}, {"text": "two"}])
    projects.update_project(ctx, manager, "demo", overlap=2)
    task = annotation.next_task(ctx, world.annotator.actor, "demo")
    done = annotation.submit(ctx, world.annotator.actor, "demo", task["id"], {"sentiment": "positive"})
    assert done["item_state"] == "in_progress"

    projects.update_project(ctx, manager, "demo", overlap=1)  # one submission is now enough
    assert _state(world, task["id"]) == "annotated"
    other = annotation.next_task(ctx, world.annotator2.actor, "demo")
    assert other["id"] != task["id"]  # closed: not handed out again

    projects.update_project(ctx, manager, "demo", overlap=2)  # and now it is not
    assert _state(world, task["id"]) == "in_progress"
    annotation.skip(ctx, world.annotator2.actor, "demo", other["id"])
    again = annotation.next_task(ctx, world.annotator2.actor, "demo")
    assert again["id"] == task["id"]
