"""validate_result for choice, multi_choice, spans, relations, rating, number and text."""

from __future__ import annotations

from typing import Any

import pytest

from labelwise.domain.schema import parse_schema
from labelwise.errors import Invalid

SCHEMA = parse_schema("""
fields: {text: text}
labels:
  - {name: sentiment, kind: choice, options: [positive, negative, neutral], required: true}
  - {name: topics, kind: multi_choice, options: [sport, politics, tech], min: 1, max: 2}
  - {name: entities, kind: spans, field: text, options: [PER, ORG, LOC]}
  - {name: links, kind: relations, spans_label: entities, options: [works_for]}
  - {name: stars, kind: rating, max: 5}
  - {name: confidence, kind: number, min: 0, max: 1}
  - {name: count, kind: number, integer: true, min: 0}
  - {name: comment, kind: text, max_length: 20}
  - {name: code, kind: text, regex: "[A-Z]{3}"}
""")
DATA = {"text": "Ada works for IBM."}


def ok(result: dict[str, Any], *, partial: bool = False) -> dict[str, Any]:
    return SCHEMA.validate_result(result, DATA, partial=partial)


def problems(
    result: dict[str, Any], data: dict[str, Any] | None = None, *, partial: bool = False
) -> list[dict]:
    with pytest.raises(Invalid) as exc:
        SCHEMA.validate_result(result, DATA if data is None else data, partial=partial)
    assert exc.value.status == 422
    return exc.value.errors


def locs(errors: list[dict]) -> list[list]:
    return [e["loc"] for e in errors]


def test_valid_result_is_normalised_in_schema_order() -> None:
    out = ok(
        {
            "comment": "fine",
            "topics": ["tech", "sport"],
            "sentiment": "positive",
            "stars": 4.0,
            "count": 3.0,
            "confidence": 1,
            "entities": [
                {"start": 0, "end": 3, "label": "PER", "text": "Ada", "id": "e1"},
                {"start": 14, "end": 17, "label": "ORG"},
            ],
            "links": [{"from": "e1", "to": 1, "label": "works_for"}],
            "code": None,
        }
    )
    assert list(out) == [
        "sentiment",
        "topics",
        "entities",
        "links",
        "stars",
        "confidence",
        "count",
        "comment",
    ]
    assert out["topics"] == ["sport", "tech"]
    assert out["stars"] == 4 and type(out["stars"]) is int
    assert out["count"] == 3 and type(out["count"]) is int
    assert out["confidence"] == 1.0 and type(out["confidence"]) is float
    assert out["entities"][0] == {"start": 0, "end": 3, "label": "PER", "text": "Ada", "id": "e1"}


def test_unknown_label_and_missing_required_label() -> None:
    errs = problems({"mood": "happy"})
    assert ["mood"] in locs(errs)
    assert ["sentiment"] in locs(errs)
    assert any("required" in e["msg"] and "sentiment" in e["msg"] for e in errs)


def test_partial_skips_required_but_not_other_checks() -> None:
    assert ok({}, partial=True) == {}
    assert locs(problems({"stars": 9}, partial=True)) == [["stars"]]


@pytest.mark.parametrize(
    ("label", "value", "loc", "fragment"),
    [
        ("sentiment", "happy", ["sentiment"], "not one of the options"),
        ("sentiment", 1, ["sentiment"], "must be a string"),
        ("topics", "sport", ["topics"], "expected a list"),
        ("topics", ["sport", "sport"], ["topics", 1], "chosen twice"),
        ("topics", ["sport", "art"], ["topics", 1], "not one of the options"),
        ("topics", [], ["topics"], "at least 1"),
        ("topics", ["sport", "tech", "politics"], ["topics"], "at most 2"),
        ("stars", 6, ["stars"], "outside 1..5"),
        ("stars", 0, ["stars"], "outside 1..5"),
        ("stars", 2.5, ["stars"], "whole number"),
        ("stars", True, ["stars"], "whole number"),
        ("stars", "5", ["stars"], "whole number"),
        ("confidence", 1.5, ["confidence"], "above the maximum"),
        ("confidence", -0.1, ["confidence"], "below the minimum"),
        ("confidence", float("nan"), ["confidence"], "finite number"),
        ("confidence", "0.5", ["confidence"], "finite number"),
        ("count", 1.5, ["count"], "whole number"),
        ("comment", "x" * 21, ["comment"], "longer than the maximum 20"),
        ("comment", 5, ["comment"], "expected text"),
        ("code", "abc", ["code"], "does not match"),
        ("code", "ABCD", ["code"], "does not match"),
    ],
)
def test_invalid_scalar_values(label: str, value: Any, loc: list, fragment: str) -> None:
    errs = problems({"sentiment": "neutral", label: value})
    assert len(errs) == 1, errs
    assert errs[0]["loc"] == loc
    assert fragment in errs[0]["msg"] and label in errs[0]["msg"]


def test_span_past_the_end_names_label_value_and_reason() -> None:
    errs = problems(
        {
            "sentiment": "neutral",
            "entities": [
                {"start": 0, "end": 3, "label": "PER"},
                {"start": 1, "end": 2, "label": "LOC"},
                {"start": 10, "end": 99, "label": "ORG"},
            ],
        }
    )
    assert errs == [
        {
            "loc": ["entities", 2, "end"],
            "value": 99,
            "msg": "entities: span end 99 is past the end of the text (length 18)",
        }
    ]


@pytest.mark.parametrize(
    ("span", "loc", "fragment"),
    [
        ({"start": -1, "end": 3, "label": "PER"}, ["entities", 0, "start"], "negative"),
        ({"start": 3, "end": 3, "label": "PER"}, ["entities", 0, "end"], "not after its start"),
        ({"start": 0, "end": 3, "label": "XXX"}, ["entities", 0, "label"], "not one of the options"),
        ({"start": 0, "end": 3}, ["entities", 0, "label"], "required"),
        ({"start": "0", "end": 3, "label": "PER"}, ["entities", 0, "start"], "whole number"),
        ({"start": 0.0, "end": 3, "label": "PER"}, ["entities", 0, "start"], "whole number"),
        ({"start": 0, "end": 3, "label": "PER", "text": "Adx"}, ["entities", 0, "text"], "does not match"),
        ({"start": 0, "end": 3, "label": "PER", "colour": 1}, ["entities", 0, "colour"], "unknown key"),
        ({"start": 0, "end": 3, "label": "PER", "score": 2}, ["entities", 0, "score"], "between 0 and 1"),
        ("PER", ["entities", 0], "must be an object"),
    ],
)
def test_invalid_spans(span: Any, loc: list, fragment: str) -> None:
    errs = problems({"sentiment": "neutral", "entities": [span]})
    assert [e for e in errs if e["loc"] == loc and fragment in e["msg"]], errs


def test_spans_need_the_text() -> None:
    errs = problems({"sentiment": "neutral", "entities": []}, data={})
    assert errs[0]["loc"] == ["entities"] and "no text" in errs[0]["msg"]


def test_overlapping_and_nested_spans_are_allowed_unless_disabled() -> None:
    spans = [
        {"start": 0, "end": 8, "label": "ORG"},
        {"start": 0, "end": 3, "label": "PER"},
        {"start": 2, "end": 5, "label": "LOC"},
    ]
    assert ok({"sentiment": "neutral", "entities": spans})["entities"] == spans
    strict = parse_schema(
        {
            "fields": {"t": "text"},
            "labels": [
                {"name": "e", "kind": "spans", "field": "t", "options": ["A"], "allow_overlap": False}
            ],
        }
    )
    with pytest.raises(Invalid) as exc:
        strict.validate_result(
            {"e": [{"start": 0, "end": 3, "label": "A"}, {"start": 2, "end": 4, "label": "A"}]},
            {"t": "abcdef"},
        )
    assert exc.value.errors[0]["loc"] == ["e", 1]
    strict.validate_result(
        {"e": [{"start": 0, "end": 3, "label": "A"}, {"start": 3, "end": 4, "label": "A"}]}, {"t": "abcdef"}
    )


def test_span_offsets_are_code_points() -> None:
    data = {"text": "naïve 👩‍💻 IBM"}
    start = data["text"].index("IBM")
    out = SCHEMA.validate_result(
        {
            "sentiment": "neutral",
            "entities": [{"start": start, "end": start + 3, "label": "ORG", "text": "IBM"}],
        },
        data,
    )
    assert out["entities"][0]["end"] == len(data["text"])


@pytest.mark.parametrize(
    ("relations", "loc", "fragment"),
    [
        ([{"from": "e1", "to": 5, "label": "works_for"}], ["links", 0, "to"], "out of range"),
        ([{"from": "zz", "to": 1, "label": "works_for"}], ["links", 0, "from"], "no span"),
        ([{"from": 0, "to": 1, "label": "hates"}], ["links", 0, "label"], "not one of the options"),
        ([{"from": 0, "to": 1}], ["links", 0, "label"], "required"),
        ([{"from": 0, "to": "e1", "label": "works_for"}], ["links", 0], "to itself"),
        (
            [{"from": 0, "to": 1, "label": "works_for"}, {"from": "e1", "to": 1, "label": "works_for"}],
            ["links", 1],
            "repeats",
        ),
        ([{"from": 0.5, "to": 1, "label": "works_for"}], ["links", 0, "from"], "span id or index"),
        ({"from": 0}, ["links"], "expected a list"),
    ],
)
def test_invalid_relations(relations: Any, loc: list, fragment: str) -> None:
    errs = problems(
        {
            "sentiment": "neutral",
            "links": relations,
            "entities": [
                {"start": 0, "end": 3, "label": "PER", "id": "e1"},
                {"start": 14, "end": 17, "label": "ORG"},
            ],
        }
    )
    assert [e for e in errs if e["loc"] == loc and fragment in e["msg"]], errs


def test_duplicate_span_ids() -> None:
    errs = problems(
        {
            "sentiment": "neutral",
            "entities": [
                {"start": 0, "end": 3, "label": "PER", "id": "a"},
                {"start": 14, "end": 17, "label": "ORG", "id": "a"},
            ],
        }
    )
    assert locs(errs) == [["entities", 1, "id"]]


def test_every_problem_is_listed() -> None:
    errs = problems(
        {"sentiment": "x", "stars": 7, "entities": [{"start": 5, "end": 1, "label": "Q"}], "zz": 1}
    )
    assert len(errs) == 5


def test_result_must_be_a_mapping() -> None:
    with pytest.raises(Invalid):
        SCHEMA.validate_result([], DATA)  # type: ignore[arg-type]
