"""The SDK's dataset calls over real HTTP: labeled imports (file and folder formats), Label Studio
projects, snapshots."""

from __future__ import annotations

import json

import pytest

from labelwise.client import Client
from labelwise.client.errors import ApiError

LS_CONFIG = ('<View><Text name="text" value="$text"/>'
             '<Choices name="sentiment" toName="text"><Choice value="pos"/><Choice value="neg"/></Choices></View>')


def test_labeled_import_snapshot_export_diff_card(admin: Client, client_for, tmp_path) -> None:  # type: ignore[no-untyped-def]
    project = admin.get_project("demo")
    rows = [{"key": f"k{i}", "data": {"text": f"t {i}"},
             "annotations": [{"annotator": "annotator@example.org", "result": {"sentiment": "positive"}}]}
            for i in range(3)]
    report = project.import_items(rows, labels="annotations")
    assert (report.created, report.annotations) == (3, 3)
    unknown = [{"key": "x", "data": {"text": "x"},
                "annotations": [{"annotator": "ghost", "result": {"sentiment": "negative"}}]}]
    with pytest.raises(ApiError) as err:
        project.import_items(unknown, labels="annotations")
    assert "'ghost'" in err.value.message
    first = project.create_snapshot("v1")
    assert first["items"] == 3 and [s["id"] for s in project.snapshots()] == [first["id"]]
    assert project.snapshot(first["id"])["content_sha256"] == first["content_sha256"]
    a = project.export_snapshot(first["id"], tmp_path / "a.jsonl")
    project.import_items([{"key": "k9", "text": "more"}])
    second = project.create_snapshot()
    b = project.export_snapshot(first["id"], tmp_path / "b.jsonl")
    assert a.read_bytes() == b.read_bytes() and a.read_bytes().count(b"\n") == 3
    diff = project.diff_snapshots(first["id"], second["id"])
    assert [x["key"] for x in diff["added"]] == ["k9"] and diff["counts"]["relabelled"] == 0
    assert "## Known limits" in project.snapshot_card(second["id"])


def test_folder_format_and_labelstudio_project(admin: Client, tmp_path) -> None:  # type: ignore[no-untyped-def]
    project = admin.create_project("boxes", schema={"fields": {"image": "image"}, "labels": [
        {"name": "boxes", "kind": "bbox", "field": "image", "options": ["cat"]}]})
    rows = [{"key": f"im{i}", "data": {"image": f"http://x/{i}.jpg"},
             "meta": {"media": {"image": {"width": 100, "height": 50}}},
             "annotations": [{"annotator": "admin@example.org", "result": {"boxes": [
                 {"x": 10, "y": 5, "width": 20, "height": 10, "label": "cat"}]}}]} for i in range(2)]
    project.import_items(rows, labels="annotations")
    zipped = project.export("voc", tmp_path / "voc.zip")
    folder = tmp_path / "voc"
    import zipfile

    zipfile.ZipFile(zipped).extractall(folder)
    copy = admin.create_project("boxes2", schema=project.schema)  # type: ignore[arg-type]
    report = copy.import_items(folder, format="voc", labels="predictions", model="detector")
    assert report.created == 2 and report.annotations == 0
    assert copy.get_item(next(iter(copy.items())).id)["predictions"][0]["model"] == "detector"

    export = tmp_path / "ls.json"
    export.write_text(json.dumps([{"data": {"text": "good"}, "annotations": [
        {"completed_by": {"email": "annotator@example.org"},
         "result": [{"from_name": "sentiment", "to_name": "text", "type": "choices",
                     "value": {"choices": ["pos"]}}]}]}]))
    got = admin.import_labelstudio(export, LS_CONFIG, "ls-sdk")
    assert got["project"].name == "ls-sdk" and got["untranslated"] == []
    assert got["import"]["annotations"] == 1
