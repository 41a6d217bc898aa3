"""Spans <-> token tags, shared by the token-based NER formats (CoNLL, spaCy).

Tags are BIO, also called IOB2: ``B-X`` starts an entity of type ``X``, ``I-X`` continues it, ``O`` is
outside. A span that does not start and end on token boundaries is widened to the tokens it touches and
reported; a span that overlaps an earlier one cannot be written in BIO and is reported and left out.
"""

from __future__ import annotations

import re
from typing import Any

from labelwise.formats.base import ExportReport
from labelwise.formats.tokens import covering_sorted

TAG = re.compile(r"^(?:O|([BIES])-(.+))$")


def tags_for(text: str, tokens: list[tuple[int, int]], spans: list[dict[str, Any]],
             report: ExportReport, key: str, label: str) -> list[str]:
    """One BIO tag per token for ``spans``; problems go to ``report``."""
    tags = ["O"] * len(tokens)
    if not spans:
        return tags
    starts, ends = [s for s, _ in tokens], [e for _, e in tokens]
    for span in sorted(spans, key=lambda s: (s["start"], -s["end"])):
        start, end, lab = span["start"], span["end"], span["label"]
        cov = covering_sorted(starts, ends, start, end)
        if cov is None:
            report.warn(key, label, f"{_shown(text, start, end, lab)} covers no token; left out")
            continue
        a, b = cov
        if tags[a] != "O" or (b - a > 1 and tags[a:b].count("O") != b - a):
            report.warn(key, label, f"{_shown(text, start, end, lab)} overlaps another span, which BIO cannot "
                                    "write; left out")
            continue
        t0, t1 = starts[a], ends[b - 1]
        if t0 != start or t1 != end:
            report.warn(key, label, f"{_shown(text, start, end, lab)} crosses token boundaries; written as the "
                                    f"tokens {t0}:{t1} {text[t0:t1]!r}")
        tags[a] = f"B-{lab}"
        if b - a > 1:
            tags[a + 1:b] = [f"I-{lab}"] * (b - a - 1)
    return tags


def _shown(text: str, start: int, end: int, lab: str) -> str:
    return f"span {start}:{end} {text[start:end]!r} ({lab})"


def spans_from_tags(tokens: list[tuple[int, int]], tags: list[str]) -> list[dict[str, Any]]:
    """Spans from BIO/IOB1/BIOES tags (already checked against :data:`TAG`); a stray ``I-X`` after ``O`` or
    another type starts an entity, as conlleval and seqeval read it."""
    spans: list[dict[str, Any]] = []
    current: dict[str, Any] | None = None
    for (start, end), tag in zip(tokens, tags, strict=True):
        m = TAG.match(tag)
        prefix, lab = (m.group(1), m.group(2)) if m and m.group(1) else (None, None)
        if prefix is None:
            current = None
            continue
        if prefix in ("B", "S") or current is None or current["label"] != lab:
            current = {"start": start, "end": end, "label": lab}
            spans.append(current)
        else:
            current["end"] = end
        if prefix in ("E", "S"):
            current = None
    return spans
