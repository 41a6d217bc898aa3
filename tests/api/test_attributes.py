"""Per-object attributes through the API: submitted, stored, refused with 422s that say where and why,
and schema changes that add or remove attributes checked against the annotations that use them."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from labelwise.services import projects
from tests.api.helpers import API, import_records, next_task, safe_client, submit

SCHEMA: dict[str, Any] = {"fields": {"image": "image"}, "labels": [
    {"name": "objects", "kind": "bbox", "field": "image", "options": ["car", "person"], "attributes": [
        {"name": "occluded", "type": "boolean", "default": False},
        {"name": "color", "type": "choice", "options": ["red", "blue"], "required": True},
        {"name": "count", "type": "number", "min": 0, "max": 10, "integer": True},
        {"name": "plate", "type": "text", "only_for": ["car"]},
    ]},
]}  # fmt: skip
P = f"{API}/projects/cars"


def box(label: str = "car", **attributes: Any) -> dict[str, Any]:
    return {"x": 10, "y": 10, "width": 20, "height": 10, "label": label, "attributes": attributes}


def with_attributes(attrs: list[dict[str, Any]]) -> dict[str, Any]:
    schema = copy.deepcopy(SCHEMA)
    schema["labels"][0]["attributes"] = attrs
    return schema


@pytest.fixture
def cars(world: Any) -> Any:
    projects.create_project(world.ctx, world.admin.actor, name="cars", schema=SCHEMA)
    for who in ("annotator", "annotator2", "manager"):
        projects.add_member(world.ctx, world.admin.actor, "cars", email=world.member(who).actor.email,
                            role="manager" if who == "manager" else "annotator")
    import_records(world, [{"image": f"https://example.org/{i}.jpg",
                            "meta": {"media": {"image": {"width": 100, "height": 80}}}} for i in range(3)],
                   project="cars")  # fmt: skip
    return world


def test_submit_with_attributes_is_stored_normalised(cars: Any) -> None:
    a = cars.annotator.client
    task = next_task(a, "cars")
    assert task is not None
    r = submit(a, task["id"], {"objects": [box(color="red", count=2.0, plate="LW 1", occluded=True),
                                           box("person", color="blue")]}, project="cars")  # fmt: skip
    assert r.status_code == 201, r.text
    item = cars.manager.client.get(f"{P}/items/{task['id']}").json()
    assert [o["attributes"] for o in item["annotations"][0]["result"]["objects"]] == [
        {"occluded": True, "color": "red", "count": 2, "plate": "LW 1"},
        {"color": "blue"},
    ]


@pytest.mark.parametrize(
    ("objects", "loc", "fragment"),
    [
        ([box(color="red", size=3)], ["objects", 0, "attributes", "size"], "object 0: unknown attribute 'size'"),
        ([box(color=3)], ["objects", 0, "attributes", "color"], "must be one of the options (red, blue)"),
        ([box(color="red"), box(color="red", count=11)], ["objects", 1, "attributes", "count"],
         "object 1: attribute 'count' 11 is out of range (0 to 10)"),
        ([box()], ["objects", 0, "attributes", "color"], "object 0: attribute 'color' is required"),
        ([box("person", color="red", plate="X")], ["objects", 0, "attributes", "plate"],
         "attribute 'plate' is not allowed for 'person' (only for car)"),
    ],
)  # fmt: skip
def test_bad_attributes_are_422_naming_label_object_attribute(cars: Any, objects: list, loc: list,
                                                              fragment: str) -> None:
    a = safe_client(cars, cars.annotator)
    task = next_task(a, "cars")
    assert task is not None
    r = submit(a, task["id"], {"objects": objects}, project="cars")
    assert r.status_code == 422
    body = r.json()
    assert [e["loc"] for e in body["errors"]] == [loc]
    assert body["errors"][0]["msg"].startswith("objects: ") and fragment in body["errors"][0]["msg"]


def test_a_draft_may_lack_a_required_attribute(cars: Any) -> None:
    a = cars.annotator.client
    task = next_task(a, "cars")
    assert task is not None
    r = a.put(f"{P}/tasks/{task['id']}/draft", json={"draft": {"objects": [box()]}})
    assert r.status_code == 200, r.text
    assert a.put(f"{P}/tasks/{task['id']}/draft", json={"draft": {"objects": [box(color="x")]}}).status_code == 422
    assert submit(a, task["id"], {"objects": [box()]}, project="cars").status_code == 422


def test_schema_changes_to_attributes(cars: Any) -> None:
    a = cars.annotator.client
    task = next_task(a, "cars")
    assert task is not None
    assert submit(a, task["id"], {"objects": [box(color="red", occluded=True)]}, project="cars").status_code == 201
    m = safe_client(cars, cars.manager)
    attrs = SCHEMA["labels"][0]["attributes"]
    # an optional attribute added: a new version, nothing to confirm
    added = [*attrs, {"name": "note", "type": "text"}]
    r = m.put(f"{P}/schema", json={"schema": with_attributes(added)})
    assert r.status_code == 200, r.text
    assert r.json()["schema_version"] == 2
    # an attribute nobody set removed: not in use, so accepted
    r = m.put(f"{P}/schema", json={"schema": with_attributes([x for x in added if x["name"] != "plate"])})
    assert r.status_code == 200 and r.json()["schema_version"] == 3
    # an attribute the stored annotation sets removed: refused, naming it and the count
    kept = [x for x in added if x["name"] not in ("plate", "occluded")]
    r = m.put(f"{P}/schema", json={"schema": with_attributes(kept)})
    assert r.status_code == 409
    assert r.json()["errors"] == [
        {"loc": ["objects", "attribute:occluded"], "msg": "attribute 'occluded' removed", "value": 1}
    ]
    # a required attribute added: every stored object lacks it
    required = [*added, {"name": "size", "type": "number", "required": True}]
    r = m.put(f"{P}/schema", json={"schema": with_attributes(required)})
    assert r.status_code == 409
    assert r.json()["errors"] == [{"loc": ["objects"], "value": 1,
                                   "msg": "new required attribute 'size': stored objects do not have it"}]
    r = m.put(f"{P}/schema", json={"schema": with_attributes(kept), "allow_breaking": True})
    assert r.status_code == 200 and r.json()["schema_version"] == 4
    # the new schema applies to new work
    task = next_task(cars.annotator2.client, "cars")
    assert task is not None
    r = submit(safe_client(cars, cars.annotator2), task["id"], {"objects": [box(color="red", occluded=True)]},
               project="cars")
    assert r.status_code == 422 and "unknown attribute 'occluded'" in r.json()["detail"]
