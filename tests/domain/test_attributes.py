"""Per-object attributes: their definitions, results that carry them, and schema changes to them."""

from __future__ import annotations

from typing import Any

import pytest

from labelwise.domain.schema import LabelSchema, parse_schema
from labelwise.errors import Invalid

ATTRS = [
    {"name": "occluded", "type": "boolean", "default": False},
    {"name": "color", "type": "choice", "options": ["red", "blue"], "required": True},
    {"name": "count", "type": "number", "min": 0, "max": 10, "integer": True},
    {"name": "note", "type": "text", "max_length": 5},
    {"name": "tags", "type": "multi_choice", "options": ["a", "b", "c"]},
    {"name": "plate", "type": "text", "only_for": ["car"]},
]
SCHEMA: dict[str, Any] = {
    "fields": {"image": "image", "audio": "audio", "video": "video"},
    "labels": [
        {"name": "objects", "kind": "bbox", "field": "image", "options": ["car", "person"], "attributes": ATTRS},
        {"name": "shapes", "kind": "polygon", "field": "image", "options": ["road"],
         "attributes": [{"name": "wet", "type": "boolean", "required": True}]},
        {"name": "pose", "kind": "keypoints", "field": "image", "options": ["p"], "keypoints": ["a"],
         "attributes": [{"name": "visible", "type": "choice", "options": ["yes", "no"]}]},
        {"name": "brush", "kind": "mask", "field": "image", "options": ["sky"],
         "attributes": [{"name": "cloudy", "type": "boolean"}]},
        {"name": "speech", "kind": "audio_ranges", "field": "audio", "options": ["talk"],
         "attributes": [{"name": "speaker", "type": "choice", "options": ["A", "B"], "required": True}]},
        {"name": "tracks", "kind": "video_boxes", "field": "video", "options": ["car"],
         "attributes": [{"name": "parked", "type": "boolean", "required": True}]},
    ],
}  # fmt: skip
DATA = {"image": "x.png", "audio": "a.wav", "video": "v.mp4"}


def schema(**changes: Any) -> LabelSchema:
    labels = [{**lab, **changes.get(lab["name"], {})} for lab in SCHEMA["labels"]]
    return parse_schema({**SCHEMA, "labels": labels})


S = schema()


def box(label: str = "car", **attributes: Any) -> dict:
    return {"x": 1, "y": 1, "width": 5, "height": 5, "label": label, "attributes": attributes}


def errors(result: dict, partial: bool = False) -> list[dict]:
    with pytest.raises(Invalid) as exc:
        S.validate_result(result, DATA, partial=partial)
    return exc.value.errors


def test_every_attribute_type_is_normalised() -> None:
    out = S.validate_result(
        {"objects": [box(occluded=True, color="red", count=3.0, note="dent", tags=["c", "a"], plate="AB1")]}, DATA
    )
    assert out["objects"][0]["attributes"] == {
        "occluded": True, "color": "red", "count": 3, "note": "dent", "tags": ["a", "c"], "plate": "AB1",
    }  # fmt: skip
    assert type(out["objects"][0]["attributes"]["count"]) is int
    assert S.validate_result(out, DATA) == out


def test_null_values_and_empty_attributes_are_dropped() -> None:
    out = S.validate_result({"objects": [box(color="blue", note=None)]}, DATA)
    assert out["objects"][0]["attributes"] == {"color": "blue"}
    plain = S.validate_result({"shapes": [{"points": [[0, 0], [1, 0], [1, 1]], "label": "road",
                                           "attributes": {"wet": False}}]}, DATA)  # fmt: skip
    assert plain["shapes"][0]["attributes"] == {"wet": False}
    no_attrs = S.validate_result({"brush": [{"label": "sky", "rle": {"counts": [0, 4], "size": [2, 2]},
                                             "attributes": {}}]}, DATA)  # fmt: skip
    assert "attributes" not in no_attrs["brush"][0]


@pytest.mark.parametrize(
    ("attributes", "key", "fragment"),
    [
        ({"color": "red", "size": 3}, "size", "object 0: unknown attribute 'size'"),
        ({"color": "green"}, "color", "'green' is not one of the options (red, blue)"),
        ({"color": 1}, "color", "must be one of the options (red, blue), got a number"),
        ({"color": "red", "occluded": "yes"}, "occluded", "must be true or false, got a string"),
        ({"color": "red", "count": 11}, "count", "11 is out of range (0 to 10)"),
        ({"color": "red", "count": -1}, "count", "-1 is out of range (0 to 10)"),
        ({"color": "red", "count": 2.5}, "count", "must be a whole number, got 2.5"),
        ({"color": "red", "count": True}, "count", "must be a finite number, got a boolean"),
        ({"color": "red", "note": "too long"}, "note", "8 characters long, more than max_length 5"),
        ({"color": "red", "note": 5}, "note", "must be a string, got a number"),
        ({"color": "red", "tags": ["a", "z"]}, "tags", "'z' is not one of the options (a, b, c)"),
        ({"color": "red", "tags": ["a", "a"]}, "tags", "lists an option twice"),
        ({"color": "red", "tags": "a"}, "tags", "must be a list of options"),
        ({}, "color", "object 0: attribute 'color' is required"),
    ],
)
def test_attribute_errors_name_label_object_attribute_and_why(attributes: dict, key: str, fragment: str) -> None:
    errs = errors({"objects": [box(**attributes)]})
    assert [e["loc"] for e in errs] == [["objects", 0, "attributes", key]]
    assert errs[0]["msg"].startswith("objects: object 0: ")
    assert fragment in errs[0]["msg"]


def test_only_for_scopes_an_attribute_to_some_options() -> None:
    assert S.validate_result({"objects": [box("car", color="red", plate="X")]}, DATA)
    errs = errors({"objects": [box("car", color="red"), box("person", color="red", plate="X")]})
    assert [e["loc"] for e in errs] == [["objects", 1, "attributes", "plate"]]
    assert "object 1: attribute 'plate' is not allowed for 'person' (only for car)" in errs[0]["msg"]


def test_attributes_must_be_an_object() -> None:
    errs = errors({"objects": [{**box(), "attributes": ["red"]}]})
    assert errs[0]["loc"] == ["objects", 0, "attributes"]
    assert "attributes must be an object, got a list" in errs[0]["msg"]


def test_drafts_forgive_missing_required_attributes_only() -> None:
    draft = {"objects": [box()], "speech": [{"start": 0, "end": 1, "label": "talk"}]}
    assert S.validate_result(draft, DATA, partial=True)["objects"] == [
        {"x": 1.0, "y": 1.0, "width": 5.0, "height": 5.0, "label": "car"}
    ]
    assert [e["loc"] for e in errors(draft)] == [
        ["objects", 0, "attributes", "color"],
        ["speech", 0, "attributes", "speaker"],
    ]
    assert [e["loc"] for e in errors({"objects": [box(color="x")]}, partial=True)] == [
        ["objects", 0, "attributes", "color"]
    ]
    assert all("draft_ok" not in e for e in errors(draft))


def test_every_object_kind_checks_attributes() -> None:
    errs = errors({
        "shapes": [{"points": [[0, 0], [1, 0], [1, 1]], "label": "road", "attributes": {"wet": 1}}],
        "pose": [{"label": "p", "points": {"a": [1, 1]}, "attributes": {"visible": "maybe"}}],
        "brush": [{"label": "sky", "rle": {"counts": [0, 4], "size": [2, 2]}, "attributes": {"cloudy": "x"}}],
        "speech": [{"start": 0, "end": 1, "label": "talk", "attributes": {"speaker": "C"}}],
        "tracks": [{"track_id": 1, "label": "car", "frames": [{"frame": 0, "x": 0, "y": 0, "width": 2, "height": 2}],
                    "attributes": {}}],
    })  # fmt: skip
    assert [e["loc"] for e in errs] == [
        ["shapes", 0, "attributes", "wet"],
        ["pose", 0, "attributes", "visible"],
        ["brush", 0, "attributes", "cloudy"],
        ["speech", 0, "attributes", "speaker"],
        ["tracks", 0, "attributes", "parked"],
    ]
    ok = S.validate_result({"tracks": [{"track_id": 1, "label": "car", "attributes": {"parked": True},
                                        "frames": [{"frame": 0, "x": 0, "y": 0, "width": 2, "height": 2}]}]},
                           DATA)  # fmt: skip
    assert ok["tracks"][0]["attributes"] == {"parked": True}


@pytest.mark.parametrize(
    ("attrs", "fragment"),
    [
        ([{"name": "a", "type": "choice"}], "attribute 'a' of type choice needs options"),
        ([{"name": "a", "type": "boolean", "options": ["x"]}], "of type boolean takes no options"),
        ([{"name": "a", "type": "text", "min": 1}], "min, max and integer are for number attributes"),
        ([{"name": "a", "type": "number", "max_length": 3}], "max_length is for text attributes"),
        ([{"name": "a", "type": "number", "min": 5, "max": 1}], "min 5 is above max 1"),
        ([{"name": "a", "type": "choice", "options": ["x", "x"]}], "lists an option twice"),
        ([{"name": "a", "type": "number", "max": 3, "default": 4}], "default 4 is out of range"),
        ([{"name": "a", "type": "boolean"}, {"name": "a", "type": "text"}], "attribute 'a' is declared twice"),
        ([{"name": "a", "type": "text", "only_for": ["bike"]}], "only_for 'bike', which is not an option"),
        ([{"name": "a", "type": "colour"}], "type"),
        ([{"name": "a", "type": "text", "hint": "x"}], "hint"),
    ],
)
def test_bad_attribute_definitions(attrs: list, fragment: str) -> None:
    with pytest.raises(Invalid) as exc:
        schema(objects={"attributes": attrs})
    assert any(fragment in e["msg"] for e in exc.value.errors), exc.value.errors
    assert exc.value.errors[0]["msg"].startswith("label 'objects': ")


def test_definitions_round_trip_with_falsy_defaults() -> None:
    s = schema(objects={"attributes": [{"name": "o", "type": "boolean", "default": False},
                                       {"name": "n", "type": "number", "default": 0}]})  # fmt: skip
    dumped = s.model_dump(mode="json")["labels"][0]["attributes"]
    assert dumped == [
        {"name": "o", "type": "boolean", "default": False},
        {"name": "n", "type": "number", "default": 0.0},
    ]
    assert parse_schema(s.model_dump(mode="json")) == s


def test_options_used_marks_the_attributes_a_result_sets() -> None:
    out = S.validate_result({"objects": [box(color="red"), box("person", color="blue", occluded=True)]}, DATA)
    assert list(S.options_used(out)) == [
        ("objects", "car"), ("objects", "person"), ("objects", "attribute:color"), ("objects", "attribute:occluded"),
    ]  # fmt: skip


# ---- schema changes ------------------------------------------------------------------------------


def changed(attrs: list[dict]) -> LabelSchema:
    return schema(objects={"attributes": attrs})


def test_adding_an_optional_attribute_is_not_breaking() -> None:
    d = changed([*ATTRS, {"name": "size", "type": "number", "min": 0}]).diff(S)
    assert d.attributes_added == {"objects": ["size"]}
    assert not d.breaking
    cosmetic = changed([{**a, "description": "x"} if a["name"] == "note" else a for a in ATTRS]).diff(S)
    assert not cosmetic


def test_adding_a_required_attribute_breaks_every_object_of_the_label() -> None:
    d = changed([*ATTRS, {"name": "size", "type": "number", "required": True}]).diff(S)
    assert d.breaking == [("objects", None, "new required attribute 'size': stored objects do not have it")]
    assert d.affects(S.options_used({"objects": [box(color="red")]}))
    assert not d.affects(S.options_used({"objects": []}))


def test_removing_an_attribute_breaks_results_that_use_it() -> None:
    d = changed([a for a in ATTRS if a["name"] != "occluded"]).diff(S)
    assert d.attributes_removed == {"objects": ["occluded"]}
    assert d.breaking == [("objects", "attribute:occluded", "attribute 'occluded' removed")]
    used = S.validate_result({"objects": [box(color="red", occluded=True)]}, DATA)
    unused = S.validate_result({"objects": [box(color="red")]}, DATA)
    assert d.affects(S.options_used(used))
    assert not d.affects(S.options_used(unused))


@pytest.mark.parametrize(
    ("edit", "scope", "reason"),
    [
        ({"name": "count", "type": "number", "min": 0, "max": 5, "integer": True}, "attribute:count",
         "range narrowed to 0 to 5"),
        ({"name": "color", "type": "choice", "options": ["red"], "required": True}, "attribute:color",
         "option(s) blue removed"),
        ({"name": "note", "type": "number"}, "attribute:note", "type changed from text to number"),
        ({"name": "occluded", "type": "boolean", "required": True}, None, "became required"),
        ({"name": "note", "type": "text", "max_length": 5, "only_for": ["person"]}, "attribute:note",
         "only_for narrowed"),
    ],
)  # fmt: skip
def test_tightening_an_attribute_is_breaking(edit: dict, scope: str | None, reason: str) -> None:
    d = changed([edit if a["name"] == edit["name"] else a for a in ATTRS]).diff(S)
    assert d.attributes_changed == {"objects": [edit["name"]]}
    assert d.breaking == [("objects", scope, f"attribute '{edit['name']}': {reason}")]


def test_loosening_an_attribute_is_not_breaking() -> None:
    looser = [
        {"name": "count", "type": "number", "min": -5},
        {"name": "color", "type": "choice", "options": ["red", "blue", "green"]},
        {"name": "plate", "type": "text"},
        {"name": "occluded", "type": "boolean", "default": True},
    ]
    by_name = {a["name"]: a for a in looser}
    d = changed([by_name.get(a["name"], a) for a in ATTRS]).diff(S)
    assert d.attributes_changed == {"objects": ["color", "count", "plate"]}
    assert not d.breaking


def test_attribute_options_are_strings() -> None:
    s = schema(objects={"attributes": [{"name": "lanes", "type": "choice", "options": [1, 2, {"value": "many"}]}]})
    assert s.labels[0].attributes[0].options == ["1", "2", "many"]  # type: ignore[union-attr]
    out = s.validate_result({"objects": [{**box(), "attributes": {"lanes": "2"}}]}, DATA)
    assert out["objects"][0]["attributes"] == {"lanes": "2"}
    assert [e["loc"] for e in errors_of(s, {"objects": [{**box(), "attributes": {"lanes": 2}}]})] == [
        ["objects", 0, "attributes", "lanes"]
    ]


def errors_of(s: LabelSchema, result: dict) -> list[dict]:
    with pytest.raises(Invalid) as exc:
        s.validate_result(result, DATA)
    return exc.value.errors
