"""parse_schema: YAML/JSON/dict input, canonical dumps, and errors that name what is wrong."""

from __future__ import annotations

import json

import pytest

from labelwise.domain.schema import LabelSchema, parse_schema
from labelwise.errors import Invalid

YAML = """
fields: {text: text}          # data field name -> kind
labels:
  - {name: sentiment, kind: choice, options: [positive, negative, neutral]}
  - {name: entities, kind: spans, field: text, options: [PER, ORG, LOC]}
"""


def test_yaml_json_and_dict_give_the_same_schema() -> None:
    from_yaml = parse_schema(YAML)
    as_dict = from_yaml.model_dump(mode="json")
    assert parse_schema(json.dumps(as_dict)) == from_yaml
    assert parse_schema(as_dict) == from_yaml
    assert parse_schema(json.dumps(as_dict).encode()) == from_yaml
    assert parse_schema(from_yaml) is from_yaml
    assert isinstance(from_yaml, LabelSchema)
    assert from_yaml.label_names() == ["sentiment", "entities"]


def test_canonical_dump_round_trips_and_folds_shortcuts() -> None:
    schema = parse_schema(
        {
            "fields": {"text": "text"},
            "labels": [
                {
                    "name": "sentiment",
                    "kind": "choice",
                    "required": True,
                    "options": ["positive", {"value": "negative", "color": "#f00", "description": "bad"}, 3],
                    "shortcuts": {"positive": "p", "negative": "n"},
                }
            ],
        }
    )
    dumped = schema.model_dump(mode="json")
    label = dumped["labels"][0]
    assert label["options"] == [
        {"value": "positive", "shortcut": "p"},
        {"value": "negative", "description": "bad", "shortcut": "n", "color": "#f00"},
        {"value": "3"},
    ]
    assert label["shortcuts"] == {}
    assert parse_schema(dumped).model_dump(mode="json") == dumped


def test_bound_fields_and_label_lookup() -> None:
    schema = parse_schema(YAML)
    assert schema.bound_fields() == {"text"}
    assert schema.label("entities").kind == "spans"
    with pytest.raises(Invalid) as exc:
        schema.label("nope")
    assert exc.value.errors[0]["loc"] == ["nope"]


@pytest.mark.parametrize(
    ("source", "loc", "fragment"),
    [
        ({"labels": [{"name": "a", "kind": "foo"}]}, ["labels", 0, "kind"], "unknown kind 'foo'"),
        ({"labels": [{"name": "a"}]}, ["labels", 0, "kind"], "needs a `kind`"),
        (
            {"labels": [{"name": "a", "kind": "choice", "options": []}]},
            ["labels", 0, "options"],
            "at least one option",
        ),
        (
            {"labels": [{"name": "a", "kind": "choice", "options": ["x", "x"]}]},
            ["labels", 0, "options"],
            "listed twice",
        ),
        (
            {"labels": [{"name": "a", "kind": "choice", "options": ["x"], "colour": 1}]},
            ["labels", 0, "colour"],
            "Extra inputs",
        ),
        (
            {"labels": [{"name": "a", "kind": "choice", "options": ["x"], "shortcuts": {"y": "1"}}]},
            ["labels", 0],
            "not an option",
        ),
        (
            {
                "labels": [
                    {"name": "a", "kind": "choice", "options": ["x", "y"], "shortcuts": {"x": "1", "y": "1"}}
                ]
            },
            ["labels", 0],
            "more than one option",
        ),
        ({"labels": [{"name": "a", "kind": "spans", "options": ["x"]}]}, ["labels", 0, "field"], "required"),
        (
            {"labels": [{"name": "a", "kind": "spans", "field": "t", "options": ["x"]}]},
            ["labels", 0, "field"],
            "not declared",
        ),
        (
            {
                "fields": {"t": "image"},
                "labels": [{"name": "a", "kind": "spans", "field": "t", "options": ["x"]}],
            },
            ["labels", 0, "field"],
            "needs a field of kind text",
        ),
        (
            {"fields": {"t": "blob"}, "labels": [{"name": "a", "kind": "text"}]},
            ["fields"],
            "unknown kind 'blob'",
        ),
        (
            {"labels": [{"name": "a", "kind": "text"}, {"name": "a", "kind": "text"}]},
            ["labels", 1, "name"],
            "used twice",
        ),
        (
            {"labels": [{"name": "r", "kind": "relations", "spans_label": "e"}]},
            ["labels", 0, "spans_label"],
            "does not exist",
        ),
        (
            {
                "labels": [
                    {"name": "r", "kind": "relations", "spans_label": "e"},
                    {"name": "e", "kind": "text"},
                ]
            },
            ["labels", 0, "spans_label"],
            "must name a spans label",
        ),
        (
            {"labels": [{"name": "m", "kind": "multi_choice", "options": ["a"], "min": 2, "max": 1}]},
            ["labels", 0],
            "greater than max",
        ),
        (
            {"labels": [{"name": "t", "kind": "text", "regex": "("}]},
            ["labels", 0, "regex"],
            "does not compile",
        ),
        ({"labels": []}, ["labels"], "at least 1"),
        ({"fields": {}}, ["labels"], "required"),
    ],
)
def test_schema_errors_name_the_problem(source: dict, loc: list, fragment: str) -> None:
    with pytest.raises(Invalid) as exc:
        parse_schema(source)
    assert exc.value.status == 422
    hits = [e for e in exc.value.errors if e["loc"] == loc and fragment in e["msg"]]
    assert hits, exc.value.errors


def test_label_name_appears_in_schema_error_messages() -> None:
    with pytest.raises(Invalid) as exc:
        parse_schema({"labels": [{"name": "topic", "kind": "choice", "options": []}]})
    assert "topic" in exc.value.errors[0]["msg"]


@pytest.mark.parametrize("text", ["labels: [unclosed", "- just\n- a list", "42", '{"labels": [}'])
def test_unreadable_text_is_invalid(text: str) -> None:
    with pytest.raises(Invalid) as exc:
        parse_schema(text)
    assert exc.value.errors


def test_yaml_errors_give_a_line() -> None:
    with pytest.raises(Invalid) as exc:
        parse_schema("labels:\n  - {name: a, kind: text\n")
    assert "line" in exc.value.message


def test_every_error_is_reported_at_once() -> None:
    with pytest.raises(Invalid) as exc:
        parse_schema(
            {
                "labels": [
                    {"name": "a", "kind": "choice", "options": []},
                    {"name": "b", "kind": "nope"},
                    {"name": "c", "kind": "rating", "max": 1},
                ]
            }
        )
    assert {tuple(e["loc"][:2]) for e in exc.value.errors} == {("labels", 0), ("labels", 1), ("labels", 2)}
