"""Label Studio brush masks: our codec against Label Studio's SDK, and masks through the Label Studio format.

``labelstudio_brush_reference.json`` holds masks (COCO run lengths, column-major) and byte streams with the
``rle`` lists that label-studio-sdk 2.1.2 gives for them (``mask2rle`` for a mask, its pixels 255;
``encode_rle`` for a stream). It was made in a throwaway virtualenv, never in labelwise's install::

    python -m venv /tmp/lsvenv && /tmp/lsvenv/bin/pip install numpy pillow
    /tmp/lsvenv/bin/pip install --no-deps label-studio-sdk==2.1.2
    /tmp/lsvenv/bin/python make_reference.py \\
        /tmp/lsvenv/lib/python3.11/site-packages/label_studio_sdk/converter/brush.py \\
        > tests/formats/labelstudio_brush_reference.json

with ``make_reference.py``::

    import importlib.util, json, sys
    import numpy as np
    spec = importlib.util.spec_from_file_location("brush", sys.argv[1])  # label_studio_sdk/converter/brush.py
    brush = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(brush)
    rng = np.random.default_rng(5)

    def coco(mask):  # column-major run lengths, zeros first
        flat, runs, cur, n = mask.T.ravel(), [], 0, 0
        for v in flat.tolist():
            if v != cur:
                runs.append(n)
                cur, n = v, 0
            n += 1
        return [*runs, n]

    def blobs(h, w):
        yy, xx = np.mgrid[:h, :w]
        return ((yy - h / 3) ** 2 + (xx - w / 2) ** 2 < (min(h, w) / 3) ** 2) | ((yy > h * 0.7) & (xx % 3 == 0))

    masks = {"empty 1x1": np.zeros((1, 1), bool), "full 1x1": np.ones((1, 1), bool),
             "one pixel 5x7": np.zeros((5, 7), bool), "full 4x3": np.ones((4, 3), bool),
             "noise 9x13": rng.random((9, 13)) < 0.5, "blobs 31x17": blobs(31, 17),
             "empty 130x140": np.zeros((130, 140), bool), "full 200x200": np.ones((200, 200), bool),
             "lower part 150x150": np.zeros((150, 150), bool), "full 128x128": np.ones((128, 128), bool)}
    masks["one pixel 5x7"][2, 3] = True
    masks["lower part 150x150"][30:] = True
    labels = ["sky", "road", "car"]
    out = {"masks": [], "streams": []}
    for i, (name, m) in enumerate(masks.items()):
        out["masks"].append({"name": name, "label": labels[i % 3], "size": list(m.shape), "counts": coco(m),
                             "rle": brush.mask2rle(m.astype(np.uint8) * 255)})
    red = np.zeros((6, 5, 4), np.uint8)
    red[1:4, 2:] = (255, 0, 0, 255)
    soft = rng.integers(0, 256, (4, 4, 4)).astype(np.uint8)
    soft[..., 3] *= rng.random((4, 4)) < 0.5
    streams = {"red RGBA 5x6": red, "random alpha RGBA 4x4": soft,
               "alternating 300": np.arange(300) % 2, "random 200": rng.integers(0, 256, 200)}
    for name, v in streams.items():
        flat = np.asarray(v, np.uint8).ravel()
        out["streams"].append({"name": name, "shape": list(np.shape(v)), "values": flat.tolist(),
                               "rle": brush.encode_rle(flat)})
    print("{" + ",\\n".join(f'"{k}": [\\n' + ",\\n".join(json.dumps(e) for e in v) + "]"
                           for k, v in out.items()) + "}")

The large masks (72,800 to 160,000 values) have runs past the codec's largest run (65,536 values).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import orjson
import pytest

from labelwise.domain.schema import parse_schema
from labelwise.formats.base import ExportReport, FormatError
from labelwise.formats.contours import to_mask
from labelwise.formats.labelstudio import write_labelstudio
from labelwise.formats.labelstudio_brush import BrushRLEError, coco_rle, decode, encode, mask_rle
from labelwise.formats.labelstudio_config import translate_config
from labelwise.formats.labelstudio_read import read_labelstudio
from tests.api.test_labelstudio_attributes import _strip

from .conftest import as_pages, joined, pages, rec, stream

REFERENCE = orjson.loads((Path(__file__).parent / "labelstudio_brush_reference.json").read_bytes())
MASKS, STREAMS = REFERENCE["masks"], REFERENCE["streams"]
CONFIG = """<View>
  <Image name="image" value="$image"/>
  <BrushLabels name="brush" toName="image"><Label value="sky"/><Label value="road"/><Label value="car"/></BrushLabels>
</View>"""
SCHEMA = parse_schema(translate_config(CONFIG)[0])


def _coco(m: dict[str, Any]) -> dict[str, Any]:
    return {"counts": m["counts"], "size": m["size"]}


@pytest.mark.parametrize("m", MASKS, ids=[m["name"] for m in MASKS])
def test_mask_encodes_as_the_sdk_and_decodes_back(m: dict[str, Any]) -> None:
    mask = to_mask(_coco(m))
    assert mask_rle(mask) == m["rle"]
    h, w = m["size"]
    assert decode(m["rle"]).tolist() == np.repeat(mask.ravel() * 255, 4).tolist()
    assert coco_rle({"format": "rle", "rle": m["rle"]}, w, h) == _coco(m)


@pytest.mark.parametrize("s", STREAMS, ids=[s["name"] for s in STREAMS])
def test_stream_encodes_as_the_sdk_and_decodes_back(s: dict[str, Any]) -> None:
    assert encode(np.array(s["values"], dtype=np.uint8)) == s["rle"]
    assert decode(s["rle"]).tolist() == s["values"]


def test_a_coloured_mask_is_read_from_its_alpha_channel() -> None:
    for s in STREAMS[:2]:
        h, w, _ = s["shape"]
        alpha = np.array(s["values"]).reshape(h, w, 4)[:, :, 3]
        got = coco_rle({"rle": s["rle"]}, w, h)
        assert to_mask(got).tolist() == (alpha > 0).tolist()
    assert to_mask(coco_rle({"rle": STREAMS[0]["rle"]}, 5, 6))[1:4, 2:].all()


def _bits(*fields: tuple[int, int]) -> list[int]:
    text = "".join(format(v, f"0{n}b") for v, n in fields)
    text += "0" * (-len(text) % 8)
    return [int(text[i:i + 8], 2) for i in range(0, len(text), 8)]


def test_literal_chunks_of_many_values_and_other_classes_are_read() -> None:
    """Label Studio's editor (thi.ng's JavaScript encoder) packs neighbouring values alone into one literal
    chunk; the header may also name other widths."""
    values = [7, 8, 9, *[5] * 20, 1, 2]
    header = [(len(values), 32), (7, 5), (2, 4), (3, 4), (7, 4), (15, 4)]
    rle = _bits(*header, (0, 1), (0, 2), (2, 3), (7, 8), (8, 8), (9, 8),  # a chunk of 3
                (1, 1), (2, 2), (19, 8), (5, 8),  # a run of 20 in class 2
                (0, 1), (0, 2), (1, 3), (1, 8), (2, 8))
    assert decode(rle).tolist() == values
    two_pixels = _bits((8, 32), *header[1:], (1, 1), (0, 2), (2, 3), (9, 8),  # 9 x3, then 5 literals: alphas 0, 200
                       (0, 1), (0, 2), (4, 3), (0, 8), (1, 8), (2, 8), (3, 8), (200, 8))
    assert decode(two_pixels).tolist() == [9, 9, 9, 0, 1, 2, 3, 200]
    assert coco_rle({"rle": two_pixels}, 2, 1) == {"counts": [1, 1], "size": [1, 2]}
    wide = _bits((3, 32), (15, 5), (0, 4), (1, 4), (2, 4), (3, 4), (1, 1), (1, 2), (2, 2), (40000, 16))
    assert decode(wide).tolist() == [40000] * 3


@pytest.mark.parametrize(("rle", "reason"), [
    ("abc", "must be a non-empty list of whole numbers 0..255"),
    ([], "must be a non-empty list"),
    ([1, 2, 300], "whole numbers 0..255"),
    ([1.5, 2], "whole numbers 0..255"),
    ([[1], [1, 2]], "whole numbers 0..255"),
    ([0, 0, 0], "fewer than its 53-bit header"),
    (MASKS[6]["rle"][:-4], "rle ends after 65536 of the 72800 values"),
    (_bits((4, 32), (7, 5), (2, 4), (3, 4), (7, 4), (15, 4), (1, 1), (0, 2), (5, 3), (0, 8)),
     "more values than the 4"),
])
def test_malformed_rle_says_why(rle: Any, reason: str) -> None:
    with pytest.raises(BrushRLEError) as err:
        decode(rle)
    assert reason in str(err.value)


def _task(value: dict[str, Any], width: Any = 1, height: Any = 1) -> bytes:
    item = {"id": "r", "from_name": "brush", "to_name": "image", "type": "brushlabels", "value": value,
            "original_width": width, "original_height": height}
    return orjson.dumps([{"data": {"image": "a.png"}, "annotations": [{"result": [item]}]}])


@pytest.mark.parametrize(("doc", "reason"), [
    (_task({"format": "rle", "rle": [0, 0, 0], "brushlabels": ["sky"]}),
     "brush mask of label 'brush': rle has 3 bytes, fewer than its 53-bit header"),
    (_task({"format": "rle", "rle": MASKS[2]["rle"], "brushlabels": ["sky"]}, 4, 4),
     "rle holds 140 values, but the image has 64 (4 a pixel)"),
    (_task({"format": "png", "rle": [], "brushlabels": ["sky"]}), "value.format is 'png'"),
    (_task({"format": "rle", "brushlabels": ["sky"]}), "value.rle is missing"),
    (_task({"format": "rle", "rle": MASKS[0]["rle"], "brushlabels": ["sky"]}, 0.5, 1),
     "original_width/height must be positive whole numbers"),
    (_task({"format": "rle", "rle": [0, 0, 0], "brushlabels": ["sky"]}, 100_000, 100_000),
     "an image of 100000x100000 has 10,000,000,000 pixels, more than the 268,435,456 a mask may have"),
    (_task({"format": "rle", "rle": MASKS[0]["rle"], "brushlabels": ["sky", "car"]}),
     "value.brushlabels must be a list of one label"),
])
def test_malformed_brush_result_names_the_task_and_result(doc: bytes, reason: str) -> None:
    with pytest.raises(FormatError) as err:
        list(read_labelstudio(stream(doc, "ls.json"), SCHEMA))
    assert err.value.file == "ls.json" and err.value.where == "task 0, annotation 0, result 0"
    assert reason in err.value.reason


def _record(key: str, masks: list[dict[str, Any]], size: list[int] | None) -> dict[str, Any]:
    meta = {"media": {"image": {"width": size[1], "height": size[0]}}} if size else {}
    result = {"brush": [{"rle": _coco(m), "label": m["label"]} for m in masks]}
    return rec(key, {"image": f"{key}.png"}, result, meta=meta)


def test_masks_of_several_labels_are_written_as_the_sdk_and_read_back() -> None:
    by_size: dict[tuple[int, ...], list[dict[str, Any]]] = {}
    for m in MASKS:
        by_size.setdefault(tuple(m["size"]), []).append(m)
    records = [_record(f"k{i}", ms, list(size)) for i, (size, ms) in enumerate(by_size.items())]
    report = ExportReport()
    first = joined(write_labelstudio(pages(records), SCHEMA, report))
    assert report.messages() == []
    tasks = orjson.loads(first)
    for task, ms in zip(tasks, by_size.values(), strict=True):
        regions = task["annotations"][0]["result"]
        assert [r["value"] for r in regions] == [{"format": "rle", "rle": m["rle"], "brushlabels": [m["label"]]}
                                                for m in ms]
        h, w = ms[0]["size"]
        assert {(r["type"], r["original_width"], r["original_height"]) for r in regions} == {("brushlabels", w, h)}
    back = list(read_labelstudio(stream(first, "ls.json"), SCHEMA))
    for got, ms in zip(back, by_size.values(), strict=True):
        assert got["annotations"][0]["result"] == {"brush": [{"rle": _coco(m), "label": m["label"]} for m in ms]}
        assert got["meta"]["media"]["image"] == {"width": ms[0]["size"][1], "height": ms[0]["size"][0]}
    for got, orig in zip(back, records, strict=True):
        got["id"] = orig["id"]
        for a, o in zip(got["annotations"], orig["annotations"], strict=True):
            a.update({k: o[k] for k in ("id", "lead_time", "submitted_at")})
    assert joined(write_labelstudio(as_pages(back), SCHEMA, ExportReport())) == first


def test_masks_without_an_image_size_or_of_another_size_are_reported() -> None:
    report = ExportReport()
    wrong = _record("wrong", [MASKS[2]], [7, 5])
    tasks = orjson.loads(joined(write_labelstudio(pages([_record("nosize", [MASKS[0]], None), wrong]),
                                                  SCHEMA, report)))
    assert [t["annotations"][0]["result"] for t in tasks] == [[], []]
    assert report.messages() == [
        "nosize: brush: no image size: Label Studio needs original_width/height; left out",
        "wrong: brush: mask 0: its size [5, 7] (height, width) is not the image's 7x5; left out"]


API = "/api/v1"
PROJECT_SCHEMA = {"fields": {"image": "image"}, "labels": [
    {"name": "brush", "kind": "mask", "field": "image", "options": ["sky", "road", "car"],
     "attributes": [{"name": "clear", "type": "boolean"}]}]}
PROJECT_CONFIG = CONFIG.replace("</View>", """  <Choices name="clear" toName="image" perRegion="true">
    <Choice value="clear"/></Choices>
</View>""")


def test_masks_survive_export_import_export_through_the_api(world: Any) -> None:
    admin = world.admin.client
    assert admin.post(f"{API}/projects", json={"name": "lw", "schema": PROJECT_SCHEMA}).status_code == 201
    blobs, noise, lower = (next(m for m in MASKS if m["name"] == n)
                           for n in ("blobs 31x17", "noise 9x13", "lower part 150x150"))
    rows = [{"key": key, "data": {"image": f"{key}.png"},
             "meta": {"media": {"image": {"width": ms[0]["size"][1], "height": ms[0]["size"][0]}}},
             "annotations": [{"annotator": "annotator@example.org", "result": {"brush": [
                 {"rle": _coco(m), "label": m["label"], **({"attributes": {"clear": True}} if i == 0 else {})}
                 for i, m in enumerate(ms)]}}]}
            for key, ms in (("small", [blobs]), ("noise", [noise, {**noise, "label": "car"}]), ("big", [lower]))]
    r = admin.post(f"{API}/projects/lw/import", params={"format": "jsonl", "labels": "annotations"},
                   content=b"\n".join(orjson.dumps(row) for row in rows))
    assert r.status_code == 201 and r.json()["annotations"] == 3, r.text
    first = admin.get(f"{API}/projects/lw/export", params={"format": "labelstudio"}).content
    regions = {t["meta"]["key"]: t["annotations"][0]["result"] for t in orjson.loads(first)}
    assert [(it["type"], it["value"]["rle"]) for it in regions["noise"]] == [
        ("brushlabels", noise["rle"]), ("choices", noise["rle"]), ("brushlabels", noise["rle"])]
    assert [it["value"]["rle"] for it in regions["big"] if it["type"] == "brushlabels"] == [lower["rle"]]
    assert [(it["from_name"], it["type"]) for it in regions["small"]] == [("brush", "brushlabels"),
                                                                          ("clear", "choices")]

    r = admin.post(f"{API}/labelstudio/import", params={"name": "from-ls"},
                   files={"export": ("lw.json", first), "config": ("config.xml", PROJECT_CONFIG.encode())})
    assert r.status_code == 201, r.text
    assert r.json()["untranslated"] == [] and r.json()["import"]["annotations"] == 3
    again = admin.get(f"{API}/projects/from-ls/export", params={"format": "labelstudio"}).content
    assert _strip(again) == _strip(first)
    stored = [orjson.loads(line) for line in
              admin.get(f"{API}/projects/from-ls/export", params={"format": "jsonl"}).content.splitlines()]
    assert {row["key"]: row["annotations"][0]["result"] for row in stored} == \
        {row["key"]: row["annotations"][0]["result"] for row in rows}
    broken = _task({"format": "rle", "rle": MASKS[6]["rle"][:-4], "brushlabels": ["sky"]}, 140, 130)
    r = admin.post(f"{API}/labelstudio/import", params={"name": "broken"},
                   files={"export": ("ls.json", broken), "config": ("config.xml", CONFIG.encode())})
    assert r.status_code == 422
    assert "task 0, annotation 0, result 0" in r.json()["detail"] and "rle ends after 65536 of the 72800" \
        in r.json()["detail"]
