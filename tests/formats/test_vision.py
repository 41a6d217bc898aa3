from __future__ import annotations

import contextlib
import io
import xml.etree.ElementTree as ET

import numpy as np
import orjson
import pytest
import yaml
from PIL import Image
from pycocotools import mask as mask_utils
from pycocotools.coco import COCO
from pycocotools.cocoeval import COCOeval

from labelwise.domain.schema import parse_schema
from labelwise.formats.base import ExportReport, FormatError
from labelwise.formats.coco import read_coco, write_coco
from labelwise.formats.folder import Folder, zip_stream
from labelwise.formats.images import displayed_size
from labelwise.formats.voc import read_voc, write_voc
from labelwise.formats.yolo import read_yolo, write_yolo

from .conftest import as_pages, joined, pages, rec, stream

SCHEMA = parse_schema({
    "fields": {"image": "image"},
    "labels": [
        {"name": "boxes", "kind": "bbox", "field": "image", "options": ["cat", "dog"]},
        {"name": "shapes", "kind": "polygon", "field": "image", "options": ["road", "lake"]},
        {"name": "masks", "kind": "mask", "field": "image", "options": ["sky"]},
        {"name": "pose", "kind": "keypoints", "field": "image", "options": ["person"],
         "keypoints": ["head", "hand", "foot"], "skeleton": [["head", "hand"], ["head", "foot"]]},
    ]})
MEDIA = {"media": {"image": {"width": 10, "height": 8}}}
MASK = {"counts": [10, 5, 20, 5, 40], "size": [8, 10]}
RESULT = {
    "boxes": [{"x": 1, "y": 1, "width": 4, "height": 3, "label": "cat"},
              {"x": 5, "y": 2, "width": 4.5, "height": 5, "label": "dog"}],
    "shapes": [{"points": [[0, 0], [6, 0], [6, 4]], "closed": True, "label": "road"}],
    "masks": [{"rle": MASK, "label": "sky"}],
    "pose": [{"points": {"head": [2, 1], "hand": [3.5, 4], "foot": None}, "label": "person"}],
}


def records() -> list[dict]:
    return [
        rec("a", {"image": "http://x/img/photo.jpg"}, RESULT, meta=MEDIA),
        rec("b", {"image": "s3://other/photo.jpg"}, {"boxes": [{"x": 0, "y": 0, "width": 2, "height": 2,
                                                                "label": "dog"}]}, meta=MEDIA),
        rec("c", {"image": "c.png"}, {"boxes": [{"x": 3, "y": 3, "width": 3, "height": 3, "label": "cat"}]},
            meta={"media": {"image": {"width": 20, "height": 16}}}),
    ]


def load_coco(tmp_path, blob: bytes) -> COCO:
    path = tmp_path / "coco.json"
    path.write_bytes(blob)
    with contextlib.redirect_stdout(io.StringIO()):
        return COCO(str(path))


def ap(gt: COCO, results: list[dict], iou: str) -> float:
    with contextlib.redirect_stdout(io.StringIO()):
        dt = gt.loadRes(results)
        ev = COCOeval(gt, dt, iou)
        ev.params.catIds = sorted({r["category_id"] for r in results})
        ev.evaluate()
        ev.accumulate()
        ev.summarize()
    return float(ev.stats[0])


# pycocotools' mask decoder (a Cython extension) trips a numpy 2 deprecation of its own
PYCOCO_NUMPY2 = "ignore:__array__ implementation doesn't accept a copy keyword:DeprecationWarning"


@pytest.mark.filterwarnings(PYCOCO_NUMPY2)
def test_coco_loads_in_pycocotools_and_scores_ap_1_against_itself(tmp_path) -> None:
    report = ExportReport()
    blob = joined(write_coco(pages(records()), SCHEMA, report))
    assert report.ok, report.messages()
    gt = load_coco(tmp_path, blob)
    assert len(gt.getImgIds()) == 3 and len(gt.getAnnIds()) == 7
    assert [c["name"] for c in gt.loadCats(gt.getCatIds())] == ["cat", "dog", "road", "lake", "sky", "person"]
    person = gt.loadCats(gt.getCatIds(catNms=["person"]))[0]
    assert person["keypoints"] == ["head", "hand", "foot"] and person["skeleton"] == [[1, 2], [1, 3]]
    kp = gt.loadAnns(gt.getAnnIds(catIds=[person["id"]]))[0]
    assert kp["keypoints"] == [2, 1, 2, 3.5, 4, 2, 0, 0, 0] and kp["num_keypoints"] == 2
    sky = gt.loadAnns(gt.getAnnIds(catIds=gt.getCatIds(catNms=["sky"])))[0]
    assert gt.annToMask(sky).sum() == sky["area"] == 10
    assert sky["bbox"] == [1.0, 2.0, 4.0, 6.0] == list(mask_utils.toBbox(gt.annToRLE(sky)))
    boxes = [{**a, "score": 1.0} for a in gt.loadAnns(gt.getAnnIds())]
    assert ap(gt, [{k: b[k] for k in ("image_id", "category_id", "bbox", "score")} for b in boxes],
              "bbox") == pytest.approx(1.0)
    segs = [{"image_id": a["image_id"], "category_id": a["category_id"], "segmentation": gt.annToRLE(a),
             "score": 1.0} for a in gt.loadAnns(gt.getAnnIds()) if a["segmentation"]]
    assert ap(gt, segs, "segm") == pytest.approx(1.0)


def test_coco_round_trip_and_every_annotation(tmp_path) -> None:
    first = joined(write_coco(pages(records()), SCHEMA, ExportReport()))
    back = list(read_coco(stream(first, "coco.json"), SCHEMA))
    assert [r["key"] for r in back] == ["a", "b", "c"]
    assert back[0]["annotations"][0]["result"]["pose"] == RESULT["pose"]
    assert joined(write_coco(as_pages(back), SCHEMA, ExportReport())) == first
    two = rec("t", {"image": "t.jpg"}, {"boxes": RESULT["boxes"][:1]}, {"boxes": RESULT["boxes"][1:]}, meta=MEDIA)
    every = joined(write_coco([[two]], SCHEMA, ExportReport(), which="all"))
    got = next(iter(read_coco(stream(every, "all.json"), SCHEMA)))
    assert [a["annotator"] for a in got["annotations"]] == ["a1", "a2"]
    as_preds = next(iter(read_coco(stream(every, "all.json"), SCHEMA, model="det")))
    assert as_preds["annotations"] == [] and as_preds["predictions"][0]["model"] == "det"


class _Pipe(io.RawIOBase):
    """A stream that cannot seek, as a pipe."""

    def __init__(self, data: bytes) -> None:
        self._data, self.name = io.BytesIO(data), "pipe.json"

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[no-untyped-def]
        chunk = self._data.read(len(buffer))
        buffer[:len(chunk)] = chunk
        return len(chunk)


@pytest.mark.filterwarnings(PYCOCO_NUMPY2)
def test_coco_reader_streams_in_order_and_groups_shuffled_annotations() -> None:
    first = joined(write_coco(pages(records()), SCHEMA, ExportReport()))
    in_order = list(read_coco(stream(first, "coco.json"), SCHEMA))
    doc = orjson.loads(first)
    doc["annotations"].reverse()  # valid COCO, not grouped by image: read through the in-memory path
    shuffled = list(read_coco(stream(orjson.dumps(doc), "coco.json"), SCHEMA))
    assert [r["key"] for r in shuffled] == ["a", "b", "c"]
    assert [{k: sorted(v, key=repr) for k, v in r["annotations"][0]["result"].items()} for r in shuffled] == \
        [{k: sorted(v, key=repr) for k, v in r["annotations"][0]["result"].items()} for r in in_order]
    piped = list(read_coco(_Pipe(first), SCHEMA))  # not seekable: copied to a temporary file first
    assert piped == in_order


def test_coco_reports_missing_size_and_rotation(tmp_path) -> None:
    r = rec("r", {"image": "r.jpg"}, {"boxes": [{"x": 2, "y": 2, "width": 2, "height": 1, "rotation": 30,
                                                "label": "cat"}]})
    report = ExportReport()
    doc = orjson.loads(joined(write_coco([[r]], SCHEMA, report)))
    assert doc["images"][0]["width"] is None
    msgs = " ".join(report.messages())
    assert "no image size" in msgs and "rotated 30°" in msgs
    assert len(doc["annotations"][0]["segmentation"][0]) == 8


@pytest.mark.parametrize(("doc", "where", "reason"), [
    (b"{", "", "not valid JSON"),
    (b'{"images": []}', "", '"images" and "categories"'),
    (b'{"images": [{"id": 1}], "categories": [{"id": 1, "name": "horse"}], "annotations": []}',
     "categories[0]", "'horse' is not an option"),
    (b'{"images": [{"id": 1}], "categories": [{"id": 1, "name": "cat"}], '
     b'"annotations": [{"id": 5, "image_id": 2, "category_id": 1}]}', "annotations[0] (id 5)", "names no image"),
    (b'{"images": [{"id": 1}], "categories": [{"id": 1, "name": "cat"}], '
     b'"annotations": [{"id": 5, "image_id": 1, "category_id": 1, "bbox": [1, 2]}]}', "annotations[0] (id 5)",
     "bbox must be a list of 4 numbers"),
])
def test_coco_malformed(doc: bytes, where: str, reason: str) -> None:
    with pytest.raises(FormatError) as err:
        list(read_coco(stream(doc, "in.json"), SCHEMA))
    assert err.value.file == "in.json" and err.value.where == where and reason in err.value.reason


# ---- YOLO ----------------------------------------------------------------------------------------


def folder_of(entries) -> Folder:
    return Folder(io.BytesIO(joined(zip_stream(entries))), name="export.zip")


@pytest.mark.parametrize("task", ["detect", "segment", "pose"])
def test_yolo_variants_round_trip_and_keep_items_sharing_a_file_name(task: str) -> None:
    report = ExportReport()
    folder = folder_of(write_yolo(pages(records()), SCHEMA, report, task=task))
    names = folder.names()
    assert "labels/photo.txt" in names and "labels/photo__b.txt" in names  # same file name: two files
    assert any("'photo'" in m and "photo__b" in m for m in report.messages())
    config = yaml.safe_load(folder.read("data.yaml"))
    if task == "detect":
        assert config["names"] == {0: "cat", 1: "dog"}
        assert folder.read("labels/photo.txt").decode().splitlines() == [
            "0 0.300000 0.312500 0.400000 0.375000", "1 0.725000 0.562500 0.450000 0.625000"]
        assert folder.read("labels/photo__b.txt") == b"1 0.100000 0.125000 0.200000 0.250000\n"
    if task == "pose":
        assert config["kpt_shape"] == [3, 3] and config["names"] == {0: "person"}
        assert folder.read("labels/photo.txt").split()[-3:] == [b"0", b"0", b"0"]
    back = list(read_yolo(folder_name_stream(folder), SCHEMA))
    assert sorted(r["key"] for r in back) == ["a", "b", "c"]
    again = folder_of(write_yolo(as_pages(sorted(back, key=lambda r: r["key"])), SCHEMA, ExportReport(),
                                 task=task))
    assert {n: again.read(n) for n in again.names()} == {n: folder.read(n) for n in names}


def folder_name_stream(folder: Folder) -> io.BytesIO:
    buf = io.BytesIO()
    import zipfile

    with zipfile.ZipFile(buf, "w") as zf:
        for n in folder.names():
            zf.writestr(n, folder.read(n))
    buf.seek(0)
    return buf


def test_yolo_reports_missing_image_size() -> None:
    r = rec("nosize", {"image": "n.jpg"}, {"boxes": RESULT["boxes"]})
    report = ExportReport()
    folder = folder_of(write_yolo([[r]], SCHEMA, report))
    assert "labels/n.txt" not in folder.names()
    assert any("no image size" in m for m in report.messages())
    assert b'"key":"nosize"' in folder.read("manifest.jsonl")


@pytest.mark.parametrize(("files", "where", "reason"), [
    ({"labels/a.txt": b"0 0.5 0.5 0.1 0.1\n"}, "export.zip", "no data.yaml"),
    ({"data.yaml": b"names: [cat, dog]\n", "labels/a.txt": b"0 0.5 0.5 0.1 0.1\n"}, "export.zip!labels/a.txt",
     "no image size"),
    ({"data.yaml": b"names: [horse]\n"}, "export.zip!data.yaml", "'horse' is not an option"),
    ({"data.yaml": b"names: [cat]\n", "manifest.jsonl": b'{"key": "a", "labels": "labels/a.txt", "width": 4, '
      b'"height": 4}\n', "labels/a.txt": b"0 0.5 0.5 0.1 0.1\n3 0.5 0.5 0.1 0.1\n"}, "export.zip!labels/a.txt",
     "class 3 is not in data.yaml"),
    ({"data.yaml": b"names: [cat]\n", "manifest.jsonl": b'{"key": "a", "labels": "labels/a.txt", "width": 4, '
      b'"height": 4}\n', "labels/a.txt": b"0 0.5 x 0.1 0.1\n"}, "export.zip!labels/a.txt", "expected a class"),
])
def test_yolo_malformed(files: dict, where: str, reason: str) -> None:
    folder = folder_of(iter(files.items()))
    with pytest.raises(FormatError) as err:
        list(read_yolo(folder_name_stream(folder), SCHEMA, labels=["boxes"]))
    got = err.value
    assert got.file.replace("<zip>", "export.zip") == where and reason in got.reason, str(got)


# ---- VOC -----------------------------------------------------------------------------------------


def test_voc_parses_with_etree_keeps_shared_names_and_round_trips() -> None:
    report = ExportReport()
    folder = folder_of(write_voc(pages(records()), SCHEMA, report))
    assert {"Annotations/photo.xml", "Annotations/photo__b.xml", "Annotations/c.xml"} <= set(folder.names())
    root = ET.fromstring(folder.read("Annotations/photo.xml"))
    assert root.findtext("size/width") == "10" and root.findtext("filename") == "photo.jpg"
    objs = [(o.findtext("name"), [o.findtext(f"bndbox/{t}") for t in ("xmin", "ymin", "xmax", "ymax")])
            for o in root.iter("object")]
    assert objs == [("cat", ["1", "1", "5", "4"]), ("dog", ["5", "2", "9.5", "7"])]
    assert ET.fromstring(folder.read("Annotations/photo__b.xml")).find("object/name").text == "dog"
    back = list(read_voc(folder_name_stream(folder), SCHEMA))
    assert sorted(r["key"] for r in back) == ["a", "b", "c"]
    again = folder_of(write_voc(as_pages(sorted(back, key=lambda r: r["key"])), SCHEMA, ExportReport()))
    assert {n: again.read(n) for n in again.names()} == {n: folder.read(n) for n in folder.names()}


@pytest.mark.parametrize(("xml", "where", "reason"), [
    (b'<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x "y">]><annotation/>', "", "DOCTYPE"),
    (b"<annotation><object>", "line 1, column 20", "not well-formed"),
    (b"<annotation><object><name>horse</name></object></annotation>", "object 1", "'horse' is not an option"),
    (b"<annotation><object><name>cat</name><bndbox><xmin>a</xmin></bndbox></object></annotation>", "object 1",
     "numeric xmin"),
])
def test_voc_malformed(xml: bytes, where: str, reason: str) -> None:
    folder = folder_of(iter([("Annotations/x.xml", xml)]))
    with pytest.raises(FormatError) as err:
        list(read_voc(folder_name_stream(folder), SCHEMA))
    assert err.value.file.endswith("!Annotations/x.xml") and err.value.where == where
    assert reason in err.value.reason


# ---- EXIF orientation ----------------------------------------------------------------------------


def test_exif_rotated_jpeg_uses_the_displayed_size(tmp_path) -> None:
    raw = Image.new("RGB", (40, 20), "white")  # stored landscape...
    exif = Image.Exif()
    exif[0x0112] = 6  # ...displayed rotated 90° clockwise: portrait 20 x 40
    path = tmp_path / "rotated.jpg"
    raw.save(path, exif=exif)
    with Image.open(path) as img:
        assert img.size == (40, 20)
    assert displayed_size(str(path)) == (20, 40)
    w, h = displayed_size(str(path))
    r = rec("rot", {"image": "rotated.jpg"}, {"boxes": [{"x": 0, "y": 30, "width": 20, "height": 10,
                                                        "label": "cat"}]},
            meta={"media": {"image": {"width": w, "height": h}}})
    doc = orjson.loads(joined(write_coco([[r]], SCHEMA, ExportReport(), labels=["boxes"])))
    assert (doc["images"][0]["width"], doc["images"][0]["height"]) == (20, 40)
    folder = folder_of(write_yolo([[r]], SCHEMA, ExportReport()))
    assert folder.read("labels/rotated.txt") == b"0 0.500000 0.875000 1.000000 0.250000\n"
    # reading a YOLO folder without manifest measures the image, EXIF-rotated
    files = {"data.yaml": folder.read("data.yaml"), "labels/rotated.txt": folder.read("labels/rotated.txt"),
             "images/rotated.jpg": path.read_bytes()}
    got = next(iter(read_yolo(folder_name_stream(folder_of(iter(files.items()))), SCHEMA)))
    assert got["meta"]["media"]["image"] == {"width": 20, "height": 40}
    assert got["annotations"][0]["result"]["boxes"] == [{"x": 0.0, "y": 30.0, "width": 20.0, "height": 10.0,
                                                         "label": "cat"}]


@pytest.mark.filterwarnings(PYCOCO_NUMPY2)
def test_yolo_segment_writes_masks_as_outlines_that_fill_back_the_same_pixels() -> None:
    grid = np.zeros((8, 10), dtype=np.uint8)
    grid[1:6, 2:5] = 1
    grid[3:5, 4:9] = 1  # an L shape
    ring = np.zeros((8, 10), dtype=np.uint8)
    ring[1:7, 1:7] = 1
    ring[3:5, 3:5] = 0  # a hole
    rles = [mask_utils.encode(np.asfortranarray(m)) for m in (grid, ring)]
    result = {"masks": [{"rle": {"counts": r["counts"].decode(), "size": list(r["size"])}, "label": "sky"}
                        for r in rles]}
    report = ExportReport()
    folder = folder_of(write_yolo([[rec("m", {"image": "m.png"}, result, meta=MEDIA)]], SCHEMA, report,
                                  task="segment"))
    lines = folder.read("labels/m.txt").decode().splitlines()
    assert lines[0] == "2 0.200000 0.125000 0.500000 0.125000 0.500000 0.375000 0.900000 0.375000 0.900000 " \
                       "0.625000 0.500000 0.625000 0.500000 0.750000 0.200000 0.750000"
    assert any("1 hole(s), left out" in m for m in report.messages())
    back = next(iter(read_yolo(folder_name_stream(folder), SCHEMA)))["annotations"][0]["result"]["masks"]
    got = [mask_utils.decode(mask_utils.frPyObjects(b["rle"], 8, 10)) for b in back]
    assert np.array_equal(got[0], grid)  # pycocotools decodes the same pixels
    filled = ring.copy()
    filled[3:5, 3:5] = 1
    assert np.array_equal(got[1], filled)  # its outline only: the hole filled


def test_voc_reports_the_objects_it_cannot_write() -> None:
    report = ExportReport()
    folder = folder_of(write_voc(pages(records()), SCHEMA, report))
    msgs = report.messages()
    for label, kind in (("shapes", "polygon"), ("masks", "mask"), ("pose", "keypoints")):
        assert f"a: {label}: 1 {kind} object(s) left out: VOC has only boxes" in msgs
    assert folder.read("Annotations/photo.xml").count(b"<object>") == 2
