"""COCO keeps per-object attributes: written in each annotation's ``attributes`` (as CVAT does), loaded by
pycocotools, read back identical, and valid against the schema."""

from __future__ import annotations

import contextlib
import io

import orjson
import pytest
from pycocotools.coco import COCO

from labelwise.domain.schema import parse_schema
from labelwise.formats.base import ExportReport
from labelwise.formats.coco import read_coco, write_coco
from labelwise.formats.native import write_jsonl
from labelwise.formats.voc import write_voc
from labelwise.formats.yolo import write_yolo

from .conftest import as_pages, joined, pages, rec, stream
from .test_vision import folder_of

SCHEMA = parse_schema({
    "fields": {"image": "image"},
    "labels": [
        {"name": "boxes", "kind": "bbox", "field": "image", "options": ["car", "person"], "attributes": [
            {"name": "occluded", "type": "boolean", "default": False},
            {"name": "color", "type": "choice", "options": ["red", "blue"]},
            {"name": "count", "type": "number", "min": 0, "max": 10, "integer": True},
            {"name": "tags", "type": "multi_choice", "options": ["a", "b"]},
            {"name": "plate", "type": "text", "only_for": ["car"]},
        ]},
        {"name": "shapes", "kind": "polygon", "field": "image", "options": ["road"],
         "attributes": [{"name": "wet", "type": "boolean"}]},
        {"name": "masks", "kind": "mask", "field": "image", "options": ["sky"],
         "attributes": [{"name": "cloudy", "type": "boolean"}]},
        {"name": "pose", "kind": "keypoints", "field": "image", "options": ["p"], "keypoints": ["h", "f"],
         "attributes": [{"name": "side", "type": "choice", "options": ["left", "right"]}]},
    ]})  # fmt: skip
MEDIA = {"media": {"image": {"width": 10, "height": 8}}}
RAW = {
    "boxes": [{"x": 1, "y": 1, "width": 4, "height": 3, "label": "car",
               "attributes": {"occluded": True, "color": "red", "count": 2, "tags": ["a", "b"], "plate": "LW 1"}},
              {"x": 5, "y": 2, "width": 4, "height": 5, "label": "person"}],
    "shapes": [{"points": [[0, 0], [6, 0], [6, 4]], "label": "road", "attributes": {"wet": False}}],
    "masks": [{"rle": {"counts": [10, 5, 20, 5, 40], "size": [8, 10]}, "label": "sky",
               "attributes": {"cloudy": True}}],
    "pose": [{"points": {"h": [2, 1], "f": None}, "label": "p", "attributes": {"side": "left"}}],
}  # fmt: skip
RESULT = SCHEMA.validate_result(RAW, {"image": "x.jpg"}, MEDIA["media"])


def records() -> list[dict]:
    return [
        rec("a", {"image": "a.jpg"}, RESULT, meta=MEDIA),
        rec("b", {"image": "b.jpg"}, {"boxes": [{"x": 0, "y": 0, "width": 2, "height": 2, "label": "person",
                                                 "attributes": {"color": "blue"}}]}, meta=MEDIA),
    ]  # fmt: skip


# pycocotools' mask decoder (a Cython extension) trips a numpy 2 deprecation of its own
PYCOCO_NUMPY2 = "ignore:__array__ implementation doesn't accept a copy keyword:DeprecationWarning"


@pytest.mark.filterwarnings(PYCOCO_NUMPY2)
def test_coco_attributes_load_in_pycocotools(tmp_path) -> None:
    report = ExportReport()
    blob = joined(write_coco(pages(records()), SCHEMA, report))
    assert report.ok, report.messages()
    path = tmp_path / "coco.json"
    path.write_bytes(blob)
    with contextlib.redirect_stdout(io.StringIO()):
        gt = COCO(str(path))
    anns = gt.loadAnns(gt.getAnnIds())
    assert len(anns) == 6
    by_cat = {gt.loadCats(a["category_id"])[0]["name"]: a for a in anns if a["image_id"] == 1}
    assert by_cat["car"]["attributes"] == {"occluded": True, "color": "red", "count": 2, "tags": ["a", "b"],
                                           "plate": "LW 1"}  # fmt: skip
    assert "attributes" not in by_cat["person"]
    assert by_cat["road"]["attributes"] == {"wet": False}
    assert by_cat["sky"]["attributes"] == {"cloudy": True}
    assert gt.annToMask(by_cat["sky"]).sum() == 10
    assert by_cat["p"]["attributes"] == {"side": "left"}
    second = [a for a in anns if a["image_id"] == 2]
    assert [a["attributes"] for a in second] == [{"color": "blue"}]


def test_coco_round_trip_with_attributes_is_identical_and_valid() -> None:
    first = joined(write_coco(pages(records()), SCHEMA, ExportReport()))
    back = list(read_coco(stream(first, "coco.json"), SCHEMA))
    got = back[0]["annotations"][0]["result"]
    assert got["boxes"] == RESULT["boxes"]
    assert got["pose"] == RESULT["pose"] and got["shapes"] == RESULT["shapes"]
    for r in back:
        result = r["annotations"][0]["result"]
        assert SCHEMA.validate_result(result, r["data"], r["meta"]["media"]) == result
    assert joined(write_coco(as_pages(back), SCHEMA, ExportReport())) == first


def test_coco_reader_keeps_declared_attributes_only() -> None:
    doc = (b'{"images": [{"id": 1, "file_name": "a.jpg", "width": 10, "height": 8}],'
           b' "categories": [{"id": 1, "name": "car", "supercategory": "boxes"}],'
           b' "annotations": [{"id": 1, "image_id": 1, "category_id": 1, "bbox": [1, 1, 2, 2],'
           b' "attributes": {"occluded": false, "rotation": 0.0, "color": "red"}}]}')  # fmt: skip
    (record,) = read_coco(stream(doc, "cvat.json"), SCHEMA)
    assert record["annotations"][0]["result"]["boxes"][0]["attributes"] == {"occluded": False, "color": "red"}


def test_native_jsonl_carries_attributes_as_they_are() -> None:
    blob = joined(write_jsonl(pages(records())))
    back = [orjson.loads(line) for line in blob.splitlines()]
    assert [r["annotations"][0]["result"] for r in back] == [r["annotations"][0]["result"] for r in records()]
    assert back[0]["annotations"][0]["result"]["boxes"][0]["attributes"]["tags"] == ["a", "b"]


def test_formats_without_a_place_for_attributes_report_leaving_them_out() -> None:
    box_only = [rec("b", {"image": "b.jpg"}, {"boxes": [{"x": 0, "y": 0, "width": 2, "height": 2, "label": "car",
                                                         "attributes": {"color": "red"}}]}, meta=MEDIA),
                rec("c", {"image": "c.jpg"}, {"boxes": [{"x": 0, "y": 0, "width": 2, "height": 2, "label": "car"}]},
                    meta=MEDIA)]  # fmt: skip
    writers = {
        "YOLO": lambda r: folder_of(write_yolo(pages(box_only), SCHEMA, r, labels=["boxes"])),
        "VOC": lambda r: folder_of(write_voc(pages(box_only), SCHEMA, r, labels=["boxes"])),
    }
    for name, write in writers.items():
        report = ExportReport()
        write(report)
        left_out = [m for m in report.messages() if "attributes left out" in m]
        assert left_out and all(m.startswith("b: boxes: ") for m in left_out), (name, report.messages())
