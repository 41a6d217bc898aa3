"""COCO's fast path (pages of items as stored) gives the bytes and the report of the general path (pages of
records) on generated items: plain boxes with ints and floats, rotated and scored boxes, attributes, other
image kinds, several or reviewed annotations, missing sizes, stored JSON written in several styles."""

from __future__ import annotations

import contextlib
import io
import random
from typing import Any

import orjson
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pycocotools.coco import COCO

from labelwise.domain.schema import parse_schema
from labelwise.formats.base import ExportReport
from labelwise.formats.coco import write_coco
from labelwise.formats.stored import StoredPage

from .stored_pages import STYLES, general_and_fast

SCHEMA = parse_schema({
    "fields": {"image": "image"},
    "labels": [
        {"name": "boxes", "kind": "bbox", "field": "image", "options": ["cat", "dog"],
         "attributes": [{"name": "occluded", "type": "boolean"}]},
        {"name": "faces", "kind": "bbox", "field": "image", "options": ["face", "dog"]},
        {"name": "shapes", "kind": "polygon", "field": "image", "options": ["road"]},
    ]})

numbers = st.one_of(st.integers(-5, 5000), st.integers(-(2**62), 2**62),
                    st.floats(allow_nan=False, allow_infinity=False, width=64),
                    st.integers(0, 3000).map(float), st.sampled_from([0.0, -0.0, 1e16, 1e-7, 123456789.125]))


@st.composite
def boxes(draw: Any, options: tuple[str, ...]) -> dict[str, Any]:
    box = {"x": draw(numbers), "y": draw(numbers), "width": draw(numbers), "height": draw(numbers),
           "label": draw(st.sampled_from(options))}
    extra = draw(st.sampled_from(["", "", "", "rotation0", "rotation", "score", "id", "attributes", "order"]))
    if extra == "rotation0":
        box["rotation"] = draw(st.sampled_from([0, 0.0, None]))
    elif extra == "rotation":
        box["rotation"] = draw(st.floats(1, 359))
    elif extra == "score":
        box["score"] = draw(st.floats(0, 1))
    elif extra == "id":
        box["id"] = "r1"
    elif extra == "attributes":
        box["attributes"] = {"occluded": draw(st.booleans())}
    elif extra == "order":  # the same five keys in another order
        box = dict(reversed(list(box.items())))
    return box


results = st.fixed_dictionaries({}, optional={
    "boxes": st.lists(boxes(("cat", "dog")), max_size=6),
    "faces": st.lists(boxes(("face", "dog")), max_size=3),
    "shapes": st.lists(st.fixed_dictionaries({
        "points": st.lists(st.tuples(st.integers(0, 50), st.integers(0, 50)).map(list), min_size=3, max_size=5),
        "label": st.just("road"), "closed": st.booleans()}), max_size=2),
    "other": st.just("a label COCO does not write"),
})
metas = st.one_of(
    st.just({"media": {"image": {"width": 640, "height": 480}}}),
    st.fixed_dictionaries({"media": st.fixed_dictionaries({"image": st.fixed_dictionaries(
        {"width": st.one_of(st.integers(0, 900), st.floats(1, 900), st.none()),
         "height": st.one_of(st.integers(1, 900), st.just(480.0))})})}),
    st.just({}), st.none())
datas = st.one_of(st.builds(lambda n: {"image": f"http://x/img/{n}.jpg?sig=1"}, st.integers(0, 99)),
                  st.just({"image": {"url": "s3://b/a.png", "width": 20, "height": 10}}),
                  st.just({"image": "c:\\photos\\c.png"}), st.just({}), st.none())


@st.composite
def items(draw: Any) -> dict[str, Any]:
    """One item as the database holds it: its JSON as text, and its submitted annotations."""
    style = draw(st.sampled_from(STYLES))
    anns = []
    for i in range(draw(st.sampled_from([0, 1, 1, 1, 1, 2, 3]))):
        result = draw(st.one_of(results, st.none()))
        review = draw(st.sampled_from([None, None, None, "accepted", "rejected", "corrected"]))
        anns.append({"annotator": f"a{i}@x", "result": None if result is None else style(result),
                     "submitted_at": f"2026-01-0{i + 1}T00:00:00.000000Z", "review": review,
                     "correction": draw(results) if review == "corrected" else None})
    data, meta = draw(datas), draw(metas)
    return {"key": draw(st.one_of(st.builds(lambda n: f"k{n}", st.integers(0, 9)), st.none())),
            "data": None if data is None else style(data), "meta": None if meta is None else style(meta),
            "annotations": anns}


def both(pages: list[list[dict[str, Any]]], **options: Any) -> tuple[Any, Any]:
    """(bytes or exception type, report) of the general path, then of the fast path."""
    return general_and_fast(write_coco, SCHEMA, pages, **options)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(items(), max_size=4), max_size=3), st.sampled_from([{}, {"labels": ["faces"]}]))
def test_fast_path_gives_the_general_paths_bytes_and_report(pages: list[list[dict[str, Any]]],
                                                           options: dict[str, Any]) -> None:
    general, fast = both(pages, **options)
    assert fast == general


plain_boxes = st.builds(lambda x, y, w, h, label: {"x": x, "y": y, "width": w, "height": h, "label": label},
                        numbers, numbers, numbers, numbers, st.sampled_from(["cat", "dog"]))


def coco_of(box_lists: list[list[dict[str, Any]]]) -> Any:
    records = [{"key": f"k{i}", "data": {"image": f"{i}.jpg"}, "meta": {"media": {"image": {"width": 9, "height": 9}}},
                "annotations": [{"annotator": "a", "result": {"boxes": boxes}}]} for i, boxes in enumerate(box_lists)]
    try:
        return b"".join(write_coco([records], SCHEMA, ExportReport(), labels=["boxes"]))
    except Exception as exc:
        return type(exc)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(plain_boxes, max_size=5), max_size=4))
def test_plain_boxes_in_one_go_are_written_as_box_by_box(box_lists: list[list[dict[str, Any]]]) -> None:
    """Lists of plain boxes are written in one go (``_Writer._plain_boxes``, by both paths); a region
    ``id`` (which COCO does not write) sends the same boxes box by box."""
    with_ids = [[{**box, "id": f"r{i}"} for i, box in enumerate(boxes)] for boxes in box_lists]
    assert coco_of(box_lists) == coco_of(with_ids)


def plain_item(rng: random.Random, n: int) -> dict[str, Any]:
    def num() -> float | int:
        return rng.choice([rng.randint(0, 600), round(rng.uniform(0, 600), rng.randint(0, 3)),
                           float(rng.randint(0, 9))])

    result = {"boxes": [{"x": num(), "y": num(), "width": num() or 1, "height": num() or 1,
                         "label": rng.choice(["cat", "dog"])} for _ in range(rng.randint(0, 12))]}
    return {"key": f"k{n}", "data": orjson.dumps({"image": f"http://images/{n}.jpg"}),
            "meta": orjson.dumps({"media": {"image": {"width": 640, "height": 480}}}),
            "annotations": [{"annotator": "a@x", "result": orjson.dumps(result), "submitted_at": "2026-01-01T00:00:00Z",
                             "review": None, "correction": None}]}


def test_a_large_project_of_plain_boxes_is_the_same_and_loads_in_pycocotools(tmp_path) -> None:
    rng = random.Random(7)
    pages = [[plain_item(rng, p * 250 + i) for i in range(250)] for p in range(8)]
    pages[3][17]["annotations"][0]["review"] = "accepted"  # one item of one page goes as a record
    (general, _), (fast, report) = both(pages, labels=["boxes"])
    assert fast == general
    assert report["items"] == 2000 and not report["problems"]
    path = tmp_path / "coco.json"
    path.write_bytes(fast)
    with contextlib.redirect_stdout(io.StringIO()):
        coco = COCO(str(path))
    boxes = [box for page in pages for item in page for box in orjson.loads(item["annotations"][0]["result"])["boxes"]]
    assert len(coco.imgs) == 2000 and len(coco.anns) == len(boxes)
    assert [a["bbox"] for a in coco.dataset["annotations"]] == [[b["x"], b["y"], b["width"], b["height"]]
                                                                for b in boxes]
    assert [a["id"] for a in coco.dataset["annotations"]] == list(range(1, len(boxes) + 1))


def test_stored_pages_give_final_results_only() -> None:
    page = StoredPage(["a"], [None], [None], [None])
    try:
        b"".join(write_coco([page], SCHEMA, ExportReport(), which="all"))
    except ValueError as exc:
        assert "which='all'" in str(exc)
    else:
        raise AssertionError("stored pages with which='all' must be refused")
