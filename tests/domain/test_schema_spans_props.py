"""Property tests: spans validate exactly when their offsets fit the text, and validation is idempotent."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwise.domain.schema import parse_schema
from labelwise.errors import Invalid

SCHEMA = parse_schema(
    {
        "fields": {"text": "text"},
        "labels": [
            {"name": "ents", "kind": "spans", "field": "text", "options": ["A", "B"]},
            {"name": "rels", "kind": "relations", "spans_label": "ents"},
        ],
    }
)
LABELS = st.sampled_from(["A", "B"])


@st.composite
def text_and_valid_spans(draw: st.DrawFn) -> tuple[str, list[dict[str, Any]]]:
    text = draw(st.text(min_size=1, max_size=40))
    n = len(text)
    spans = []
    for _ in range(draw(st.integers(0, 6))):
        start = draw(st.integers(0, n - 1))
        end = draw(st.integers(start + 1, n))
        span: dict[str, Any] = {"start": start, "end": end, "label": draw(LABELS)}
        if draw(st.booleans()):
            span["text"] = text[start:end]
        spans.append(span)
    return text, spans


@settings(max_examples=200, deadline=None)
@given(text_and_valid_spans())
def test_spans_inside_the_text_validate_and_normalise_idempotently(case: tuple[str, list[dict]]) -> None:
    text, spans = case
    out = SCHEMA.validate_result({"ents": spans}, {"text": text})
    assert out["ents"] == spans
    assert SCHEMA.validate_result(out, {"text": text}) == out
    assert sorted(SCHEMA.options_used(out)) == sorted(("ents", s["label"]) for s in spans)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=30), st.integers(-5, 40), st.integers(-5, 40))
def test_a_span_is_valid_iff_0_le_start_lt_end_le_len(text: str, start: int, end: int) -> None:
    valid = 0 <= start < end <= len(text)
    try:
        SCHEMA.validate_result({"ents": [{"start": start, "end": end, "label": "A"}]}, {"text": text})
    except Invalid as exc:
        assert not valid
        assert all(e["loc"][:2] == ["ents", 0] for e in exc.errors)
        assert all(str(e["value"]) in e["msg"] for e in exc.errors)
    else:
        assert valid


@settings(max_examples=200, deadline=None)
@given(text_and_valid_spans(), st.data())
def test_relations_by_index_are_valid_iff_in_range_and_not_self(
    case: tuple[str, list[dict]], data: st.DataObject
) -> None:
    text, spans = case
    a = data.draw(st.integers(-1, len(spans) + 1))
    b = data.draw(st.integers(-1, len(spans) + 1))
    valid = 0 <= a < len(spans) and 0 <= b < len(spans) and a != b
    result = {"ents": spans, "rels": [{"from": a, "to": b}]}
    if valid:
        assert SCHEMA.validate_result(result, {"text": text})["rels"] == [{"from": a, "to": b}]
    else:
        with pytest.raises(Invalid):
            SCHEMA.validate_result(result, {"text": text})


@settings(max_examples=100, deadline=None)
@given(text_and_valid_spans(), st.integers(0, 5), st.text(min_size=1, max_size=3))
def test_quoted_text_must_match(case: tuple[str, list[dict]], i: int, junk: str) -> None:
    text, spans = case
    if not spans:
        return
    span = dict(spans[i % len(spans)])
    span["text"] = text[span["start"] : span["end"]] + junk
    with pytest.raises(Invalid) as exc:
        SCHEMA.validate_result({"ents": [span]}, {"text": text})
    assert exc.value.errors[0]["loc"] == ["ents", 0, "text"]
