"""The spans ``snap`` setting: token (default) or char; it guides the editor and never breaks results."""

from __future__ import annotations

import pytest

from labelwise.domain.schema import parse_schema
from labelwise.errors import Invalid


def schema(**spans: object) -> dict:
    return {"fields": {"text": "text"},
            "labels": [{"name": "ents", "kind": "spans", "field": "text", "options": ["PER"], **spans}]}


def test_snap_defaults_to_token_and_accepts_char() -> None:
    assert parse_schema(schema()).labels[0].snap == "token"
    assert parse_schema(schema(snap="char")).labels[0].snap == "char"


def test_an_unknown_snap_is_a_schema_error() -> None:
    with pytest.raises(Invalid) as info:
        parse_schema(schema(snap="word"))
    assert "snap" in str(info.value.errors if hasattr(info.value, "errors") else info.value)


def test_changing_snap_is_cosmetic() -> None:
    old, new = parse_schema(schema()), parse_schema(schema(snap="char"))
    assert not new.diff(old)


def test_snap_does_not_constrain_results() -> None:
    s = parse_schema(schema(snap="token"))
    assert s.validate_result({"ents": [{"start": 1, "end": 3, "label": "PER"}]}, {"text": "Zoe Ann"}) == {
        "ents": [{"start": 1, "end": 3, "label": "PER"}]}
