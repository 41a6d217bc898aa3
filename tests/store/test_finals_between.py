"""``quality.finals_between``, the final labels an export's page reads by its id range: only its project's,
when another project's items have ids inside that range."""

from __future__ import annotations

from typing import Any

from labelwise.services import imports
from labelwise.services.projects import list_projects
from labelwise.store import quality


def test_a_range_reads_its_projects_finals_only(world: Any) -> None:
    ids: dict[str, list[int]] = {"demo": [], "other": []}
    for n in range(6):  # the two projects' items take turns, so each project's ids interleave the other's
        project = ("demo", "other")[n % 2]
        report = imports.import_records(world.ctx, world.admin.actor, project, [{"key": f"k{n}", "text": "t"}])
        ids[project] += [i for written, _ in report.written for i in written]
    projects = {p["name"]: p["id"] for p in list_projects(world.ctx, world.admin.actor)}
    with world.ctx.db.write() as conn:
        for project, project_ids in ids.items():
            project_id = projects[project]
            rows = [{"item_id": i, "label": "sentiment", "value": project, "method": "majority_vote",
                     "confidence": 0.5 + n / 10, "n_annotations": n} for n, i in enumerate(project_ids)]
            quality.write_finals(conn, project_id, rows, replace_items=project_ids)
    demo = ids["demo"]
    with world.ctx.db.read() as conn:
        between = quality.finals_between(conn, projects["demo"], demo[0], demo[-1])
        listed = quality.finals_for(conn, demo)
    assert between == listed
    assert sorted(between) == demo
    assert {f["sentiment"]["value"] for f in between.values()} == {"demo"}
    assert between[demo[2]]["sentiment"] == {"value": "demo", "method": "majority_vote", "confidence": 0.7,
                                             "n_annotations": 2}
