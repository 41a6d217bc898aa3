"""Automatic checks on a result: pure rule evaluation, no I/O.

A project lists rules in its ``checks`` setting; each is an object with ``rule`` (the kind),
``mode`` (``block``: the submission is refused with 422 naming the rule; ``warn``: it is stored with
the annotation), an optional ``name`` (default ``<rule>:<label>``) and ``message``:

- ``{"rule": "required", "label": L}``: L must have a value (not absent, empty or blank);
- ``{"rule": "min_box_size", "label": L, "min_width": W, "min_height": H}``: every box of L is at least W x H;
- ``{"rule": "span_tokens", "label": L}``: no span of L starts or ends inside a word (a run of letters
  and digits);
- ``{"rule": "forbidden_combination", "values": {L1: V1, L2: V2, ...}}``: the result must not hold all of
  these at once (a choice equal to V, a multi-choice or regions containing V);
- ``{"rule": "regex", "label": L, "pattern": P}``: the text of L, when given, matches P in full;
  with ``"forbid": true``, it must not contain a match of P.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

RULES = ("required", "min_box_size", "span_tokens", "forbidden_combination", "regex")
MODES = ("block", "warn")


@dataclass(frozen=True, slots=True)
class Rule:
    kind: str
    name: str
    mode: str
    label: str | None
    spec: dict[str, Any]
    message: str
    pattern: re.Pattern[str] | None = None


def parse_rules(raw: Iterable[dict[str, Any]]) -> list[Rule]:
    """Rules from the project setting; ValueError naming the first bad one."""
    out: list[Rule] = []
    for i, spec in enumerate(raw):
        if not isinstance(spec, dict):
            raise ValueError(f"check {i} must be an object")
        kind = spec.get("rule")
        if kind not in RULES:
            raise ValueError(f"check {i}: rule must be one of {', '.join(RULES)}, not {kind!r}")
        mode = spec.get("mode", "block")
        if mode not in MODES:
            raise ValueError(f"check {i}: mode must be block or warn, not {mode!r}")
        label = spec.get("label")
        if kind != "forbidden_combination" and not isinstance(label, str):
            raise ValueError(f"check {i} ({kind}) needs a 'label'")
        pattern = None
        if kind == "regex":
            try:
                pattern = re.compile(str(spec.get("pattern", "")))
            except re.error as exc:
                raise ValueError(f"check {i}: pattern does not compile: {exc}") from None
        if kind == "forbidden_combination":
            values = spec.get("values")
            if not isinstance(values, dict) or len(values) < 1:
                raise ValueError(f"check {i}: forbidden_combination needs 'values': {{label: value, ...}}")
        if kind == "min_box_size":
            for key in ("min_width", "min_height"):
                if not isinstance(spec.get(key, 0), int | float):
                    raise ValueError(f"check {i}: {key} must be a number")
        name = str(spec.get("name") or f"{kind}:{label or '+'.join(spec.get('values', {}))}")
        out.append(Rule(kind=kind, name=name, mode=mode, label=label, spec=spec,
                        message=str(spec.get("message") or ""), pattern=pattern))
    return out


def _blank(value: Any) -> bool:
    return value is None or value == [] or value == {} or (isinstance(value, str) and not value.strip())


def _holds(value: Any, wanted: Any) -> bool:
    if isinstance(value, list):
        return any(v == wanted or (isinstance(v, dict) and v.get("label") == wanted) for v in value)
    return bool(value == wanted)


_WORD = re.compile(r"\w")


def _inside_word(text: str, at: int) -> bool:
    return 0 < at < len(text) and bool(_WORD.match(text[at - 1])) and bool(_WORD.match(text[at]))


def _violations(rule: Rule, result: dict[str, Any], data: dict[str, Any], field_of: dict[str, str | None]
                ) -> Iterable[str]:
    value = result.get(rule.label) if rule.label else None
    if rule.kind == "required":
        if _blank(value):
            yield f"{rule.label} is required"
    elif rule.kind == "min_box_size":
        w, h = float(rule.spec.get("min_width", 0)), float(rule.spec.get("min_height", 0))
        for i, box in enumerate(value or []):
            if isinstance(box, dict) and (float(box.get("width", 0)) < w or float(box.get("height", 0)) < h):
                yield f"{rule.label}[{i}] is {box.get('width'):g}x{box.get('height'):g}, smaller than {w:g}x{h:g}"
    elif rule.kind == "span_tokens":
        text = data.get(field_of.get(rule.label or "") or "")
        if isinstance(text, str):
            for i, span in enumerate(value or []):
                if not isinstance(span, dict):
                    continue
                for key in ("start", "end"):
                    at = span.get(key)
                    if isinstance(at, int) and _inside_word(text, at):
                        yield f"{rule.label}[{i}] {key} {at} splits a word"
    elif rule.kind == "forbidden_combination":
        wanted = rule.spec["values"]
        if all(_holds(result.get(lab), v) for lab, v in wanted.items()):
            yield "forbidden combination " + ", ".join(f"{lab}={v}" for lab, v in wanted.items())
    elif rule.kind == "regex" and isinstance(value, str) and rule.pattern is not None:
        if rule.spec.get("forbid"):
            if rule.pattern.search(value):
                yield f"{rule.label} contains a match of {rule.pattern.pattern!r}"
        elif rule.pattern.fullmatch(value) is None:
            yield f"{rule.label} does not match {rule.pattern.pattern!r}"


def evaluate(rules: Iterable[Rule], result: dict[str, Any], data: dict[str, Any],
             field_of: dict[str, str | None] | None = None) -> list[dict[str, Any]]:
    """Every violation of ``rules`` by one result: ``{rule, kind, mode, label, message}``.

    ``field_of`` maps a spans label to the data field its text comes from.
    """
    out = []
    for rule in rules:
        for detail in _violations(rule, result, data, field_of or {}):
            out.append({"rule": rule.name, "kind": rule.kind, "mode": rule.mode, "label": rule.label,
                        "message": f"{rule.message} ({detail})" if rule.message else detail})
    return out
