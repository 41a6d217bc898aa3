"""Per-object attributes through Label Studio and a new project, over the API: labelwise -> Label Studio JSON
-> a new project from that export and a labeling config with per-region tags -> Label Studio JSON again."""

from __future__ import annotations

from typing import Any

import orjson

from tests.api.helpers import API

P = f"{API}/projects"
SCHEMA = {"fields": {"image": "image"}, "labels": [
    {"name": "objects", "kind": "bbox", "field": "image", "options": ["car", "person"], "attributes": [
        {"name": "occluded", "type": "boolean"},
        {"name": "color", "type": "choice", "options": ["red", "blue"]},
        {"name": "plate", "type": "text", "only_for": ["car"]},
        {"name": "passengers", "type": "number", "min": 0, "max": 10, "integer": True}]},
    {"name": "pose", "kind": "keypoints", "field": "image", "options": ["pose"], "keypoints": ["head", "hand"],
     "attributes": [{"name": "side", "type": "choice", "options": ["left", "right"]}]}]}
CONFIG = """<View>
  <Image name="image" value="$image"/>
  <RectangleLabels name="objects" toName="image"><Label value="car"/><Label value="person"/></RectangleLabels>
  <KeyPointLabels name="pose" toName="image"><Label value="head"/><Label value="hand"/></KeyPointLabels>
  <View visibleWhen="region-selected" whenTagName="objects">
    <Choices name="occluded" toName="image" perRegion="true"><Choice value="occluded"/></Choices>
    <Choices name="color" toName="image" perRegion="true"><Choice value="red"/><Choice value="blue"/></Choices>
    <TextArea name="plate" toName="image" perRegion="true" whenLabelValue="car"/>
    <Number name="passengers" toName="image" perRegion="true" min="0" max="10" step="1"/>
  </View>
  <Choices name="side" toName="image" perRegion="true" whenTagName="pose">
    <Choice value="left"/><Choice value="right"/></Choices>
</View>"""
RESULT = {
    "objects": [{"x": 10, "y": 20, "width": 50, "height": 40, "label": "car",
                 "attributes": {"occluded": True, "color": "red", "plate": "LW-1", "passengers": 2}},
                {"x": 100, "y": 10, "width": 20, "height": 60, "label": "person", "attributes": {"color": "blue"}}],
    "pose": [{"points": {"head": [4, 6], "hand": None}, "label": "pose", "attributes": {"side": "right"}}],
}


def _strip(doc: bytes) -> Any:
    """Label Studio tasks without what a new project renumbers (ids, times)."""
    out = orjson.loads(doc)
    for task in out:
        task.pop("id", None)
        for a in task["annotations"]:
            for k in ("id", "created_at", "lead_time"):
                a.pop(k, None)
    return out


def _stored(world: Any, project: str) -> list[dict[str, Any]]:
    r = world.admin.client.get(f"{P}/{project}/export", params={"format": "jsonl"})
    assert r.status_code == 200, r.text
    return [orjson.loads(line)["annotations"][0]["result"] for line in r.content.splitlines()]


def test_attributes_survive_labelstudio_and_a_new_project(world: Any) -> None:
    admin = world.admin.client
    assert admin.post(P, json={"name": "lw", "schema": SCHEMA}).status_code == 201
    admin.post(f"{P}/lw/members", json={"email": world.member("annotator").actor.email, "role": "annotator"})
    row = {"key": "k1", "data": {"image": "street.jpg"}, "meta": {"media": {"image": {"width": 200, "height": 100}}},
           "annotations": [{"annotator": "annotator@example.org", "result": RESULT}]}
    r = admin.post(f"{P}/lw/import", params={"format": "jsonl", "labels": "annotations"}, content=orjson.dumps(row))
    assert r.status_code == 201 and r.json()["annotations"] == 1, r.text
    first = admin.get(f"{P}/lw/export", params={"format": "labelstudio"}).content
    froms = [it["from_name"] for it in orjson.loads(first)[0]["annotations"][0]["result"]]
    assert froms == ["objects", "occluded", "color", "plate", "passengers", "objects", "color", "pose", "side"]

    r = admin.post(f"{API}/labelstudio/import", params={"name": "from-ls"},
                   files={"export": ("lw.json", first), "config": ("config.xml", CONFIG.encode())})
    assert r.status_code == 201, r.text
    assert r.json()["untranslated"] == [] and r.json()["import"]["annotations"] == 1
    labels = {lab["name"]: lab for lab in r.json()["project"]["schema"]["labels"]}
    assert labels["objects"]["attributes"] == SCHEMA["labels"][0]["attributes"]
    assert _stored(world, "from-ls") == _stored(world, "lw")
    assert _stored(world, "from-ls")[0]["objects"][0]["attributes"]["plate"] == "LW-1"
    again = admin.get(f"{P}/from-ls/export", params={"format": "labelstudio"}).content
    assert _strip(again) == _strip(first)
