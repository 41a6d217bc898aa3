"""SchemaDiff: what changed, and which changes may invalidate stored results."""

from __future__ import annotations

from labelwise.domain.schema import SchemaDiff, parse_schema

BASE = {
    "fields": {"text": "text", "image": "image"},
    "labels": [
        {"name": "sentiment", "kind": "choice", "options": ["positive", "negative", "neutral"]},
        {"name": "entities", "kind": "spans", "field": "text", "options": ["PER", "ORG"]},
        {"name": "stars", "kind": "rating", "max": 5},
        {"name": "score", "kind": "number", "min": 0, "max": 10},
        {"name": "order", "kind": "ranking", "options": ["x", "y"]},
        {"name": "pose", "kind": "keypoints", "field": "image", "options": ["p"], "keypoints": ["a", "b"]},
    ],
}


def changed(**edits: dict) -> dict:
    labels = []
    for label in BASE["labels"]:
        edit = edits.get(label["name"], {})
        if edit is not None:
            labels.append({**label, **edit})
    return {**BASE, "labels": labels}


def diff(new: dict, old: dict = BASE) -> SchemaDiff:
    return parse_schema(new).diff(parse_schema(old))


def test_identical_and_cosmetic_changes_are_empty() -> None:
    assert not diff(BASE)
    cosmetic = changed(
        sentiment={
            "description": "tone",
            "shortcuts": {"positive": "p"},
            "options": ["positive", {"value": "negative", "color": "red"}, "neutral"],
        },
        pose={"skeleton": [["a", "b"]]},
    )
    assert not diff(cosmetic)


def test_options_added_are_safe_and_removed_are_breaking() -> None:
    d = diff(changed(sentiment={"options": ["positive", "negative", "mixed"]}))
    assert d.options_added == {"sentiment": ["mixed"]}
    assert d.options_removed == {"sentiment": ["neutral"]}
    assert d.breaking == [("sentiment", "neutral", "option removed")]


def test_labels_added_removed_and_kind_changes() -> None:
    new = changed(entities=None, stars={"kind": "number"})
    new["labels"].append({"name": "notes", "kind": "text"})
    new["labels"].append({"name": "topic", "kind": "choice", "options": ["a"], "required": True})
    d = diff(new)
    assert d.labels_added == ["notes", "topic"]
    assert d.labels_removed == ["entities"]
    assert d.kinds_changed == {"stars": ("rating", "number")}
    assert {(label, opt) for label, opt, _ in d.breaking} == {
        ("entities", None),
        ("stars", None),
        ("topic", None),
    }


def test_tightening_is_breaking_and_loosening_is_not() -> None:
    tighter = diff(changed(score={"max": 5}, sentiment={"required": True}))
    assert ("score", None, "max changed from 10.0 to 5.0") in tighter.breaking
    assert "sentiment" in tighter.breaking_labels()
    looser = diff(changed(score={"max": 100, "min": None}))
    assert looser.settings_changed["score"] and not looser.breaking
    assert diff(changed(sentiment={"required": True}), old=changed()).breaking
    assert not diff(changed(), old=changed(sentiment={"required": True})).breaking


def test_rating_max_lowered_removes_the_top_values() -> None:
    d = diff(changed(stars={"max": 3}))
    assert [(label, opt) for label, opt, _ in d.breaking] == [("stars", "4"), ("stars", "5")]
    assert not diff(changed(stars={"max": 10})).breaking


def test_ranking_options_added_are_breaking() -> None:
    d = diff(changed(order={"options": ["x", "y", "z"]}))
    assert d.breaking and d.breaking[0][0] == "order"


def test_keypoints_added_are_safe_removed_are_breaking() -> None:
    assert not diff(changed(pose={"keypoints": ["a", "b", "c"]})).breaking
    assert diff(changed(pose={"keypoints": ["a"]})).breaking


def test_field_rebinding_and_field_kind_change() -> None:
    new = {**BASE, "fields": {"text": "text", "body": "text", "image": "image"}}
    new = changed(entities={"field": "body"}) | {"fields": new["fields"]}
    d = diff(new)
    assert d.fields_added == ["body"]
    assert ("entities", None, "field changed from 'text' to 'body'") in d.breaking


def test_affects_counts_results_using_broken_options() -> None:
    schema = parse_schema(BASE)
    d = parse_schema(changed(sentiment={"options": ["positive", "negative"]}, score={"max": 5})).diff(schema)
    data = {"text": "Ada"}
    neutral = schema.validate_result({"sentiment": "neutral"}, data)
    positive = schema.validate_result({"sentiment": "positive"}, data)
    scored = schema.validate_result({"score": 3}, data)
    assert d.affects(schema.options_used(neutral))
    assert not d.affects(schema.options_used(positive))
    assert d.affects(schema.options_used(scored))


def test_diff_is_json_serialisable() -> None:
    d = diff(changed(sentiment={"options": ["positive"]}))
    dumped = d.model_dump(mode="json")
    assert dumped["breaking"][0] == ["sentiment", "negative", "option removed"]
