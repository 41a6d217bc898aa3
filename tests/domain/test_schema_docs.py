"""docs/schema.md is executable: every YAML block is a schema, every JSON block a result example for the
schema above it ({"data", "media"?, "result"}), and every kind is documented."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from labelwise.domain.kinds import KINDS
from labelwise.domain.schema import LabelSchema, parse_schema

DOC = Path(__file__).resolve().parents[2] / "docs" / "schema.md"
BLOCK = re.compile(r"^```(yaml|json)\n(.*?)^```", re.MULTILINE | re.DOTALL)


def blocks() -> list[tuple[str, str, int]]:
    text = DOC.read_text(encoding="utf-8")
    return [(m.group(1), m.group(2), text.count("\n", 0, m.start()) + 1) for m in BLOCK.finditer(text)]


def examples() -> list[tuple[int, str, dict]]:
    """(line, schema source, example) for every JSON block, paired with the nearest YAML block above."""
    out, schema = [], None
    for lang, body, line in blocks():
        if lang == "yaml":
            schema = body
        else:
            assert schema is not None, f"docs/schema.md:{line}: a result example before any schema"
            out.append((line, schema, json.loads(body)))
    return out


@pytest.mark.parametrize(("line", "body"), [(line, body) for lang, body, line in blocks() if lang == "yaml"])
def test_every_yaml_example_parses_and_round_trips(line: int, body: str) -> None:
    schema = parse_schema(body)
    assert parse_schema(schema.model_dump(mode="json")) == schema, f"docs/schema.md:{line}"


@pytest.mark.parametrize(("line", "source", "example"), examples())
def test_every_result_example_validates(line: int, source: str, example: dict) -> None:
    assert set(example) <= {"data", "media", "result"}, f"docs/schema.md:{line}"
    schema: LabelSchema = parse_schema(source)
    out = schema.validate_result(example["result"], example["data"], example.get("media"))
    assert schema.validate_result(out, example["data"], example.get("media")) == out
    assert schema.bound_fields() <= set(example["data"]), f"docs/schema.md:{line}: data lacks a bound field"


def test_every_kind_has_an_example() -> None:
    shown = {lab.kind for lang, body, _ in blocks() if lang == "yaml" for lab in parse_schema(body).labels}
    assert shown == set(KINDS)
    text = DOC.read_text(encoding="utf-8")
    for kind in KINDS:
        assert re.search(rf"^###.*\b{kind}\b", text, re.MULTILINE), f"no section for {kind}"
