"""CoNLL's fast path (pages of items as stored) gives the bytes and the report of the general path (pages of
records) on generated items: one-line ASCII text, several lines, Arabic with vowel points, Hebrew, Persian
with a zero-width non-joiner, emoji; spans on token boundaries, crossing them, overlapping, out of order,
malformed; several or reviewed annotations, items without text or annotations; stored JSON in several
styles."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from labelwise.domain.schema import parse_schema
from labelwise.formats.base import ExportReport
from labelwise.formats.conll import read_conll, write_conll
from labelwise.formats.stored import StoredPage

from .conftest import stream
from .stored_pages import STYLES, general_and_fast

SCHEMA = parse_schema({
    "fields": {"text": "text", "title": "text"},
    "labels": [
        {"name": "ents", "kind": "spans", "field": "text", "options": ["PER", "ORG", "LOC"]},
        {"name": "heads", "kind": "spans", "field": "title", "options": ["PER"]},
        {"name": "topic", "kind": "choice", "options": ["a", "b"]},
    ]})

AR = "يعيش مُحَمَّد في القاهرة."  # with Arabic vowel points (combining marks)
FA = "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645"  # Persian "I want", a zero-width non-joiner inside
#: ASCII words, punctuation, tabs and line breaks; Arabic, Hebrew, Persian, an emoji, an accented letter
#: written as a combining mark
ALPHABETS = ("ab_1 .,'-", "ab_1 .,'\t-\n", AR, "דוד גר בירושלים,", FA + " ", "ab 😀e\u0301")


@st.composite
def texts(draw: Any) -> Any:
    return draw(st.one_of(st.text(alphabet=st.sampled_from(ALPHABETS).flatmap(st.sampled_from), max_size=30),
                          st.text(alphabet=draw(st.sampled_from(ALPHABETS)), max_size=30),
                          st.sampled_from([None, 7, ["a list"]])))


@st.composite
def spans(draw: Any, n: int, labels: tuple[str, ...]) -> dict[str, Any]:
    """A span of a text ``n`` characters long: mostly in range, sometimes not, now and then malformed."""
    start = draw(st.integers(0, max(n, 0)))
    span: dict[str, Any] = {"start": start, "end": draw(st.integers(start + 1, max(n, start + 1))),
                            "label": draw(st.sampled_from(labels))}
    odd = draw(st.sampled_from(["", "", "", "", "", "beyond", "float", "swapped", "id"]))
    if odd == "beyond":
        span["end"] = n + 3
    elif odd == "float":
        span["start"] = float(start)
    elif odd == "swapped":
        span["start"], span["end"] = span["end"], span["start"]
    elif odd == "id":
        span = {"id": "r1", **span}
    return span


@st.composite
def results(draw: Any, text: Any) -> dict[str, Any]:
    n = len(text) if isinstance(text, str) else 5
    out: dict[str, Any] = {}
    if draw(st.booleans()) or not n:
        out["ents"] = draw(st.lists(spans(n, ("PER", "ORG", "LOC")), max_size=5))
        if draw(st.integers(0, 3)) == 0:  # in order, as an annotator's tool usually gives them
            out["ents"] = sorted(out["ents"], key=lambda s: (s["start"], -s["end"]))
    if draw(st.booleans()):
        out["heads"] = draw(st.lists(spans(4, ("PER",)), max_size=2))
    if draw(st.booleans()):
        out["topic"] = "a"
    return out


@st.composite
def items(draw: Any) -> dict[str, Any]:
    """One item as the database holds it: its JSON as text, and its submitted annotations."""
    style = draw(st.sampled_from(STYLES))
    text, title = draw(texts()), draw(st.sampled_from(["Ada", "Mr. Smith"]))
    data = draw(st.sampled_from([{"text": text, "title": title}, {"title": title}, None]))
    anns = []
    for i in range(draw(st.sampled_from([0, 1, 1, 1, 1, 2, 3]))):
        result = draw(st.one_of(results(text), st.none()))
        review = draw(st.sampled_from([None, None, None, "accepted", "rejected", "corrected"]))
        anns.append({"annotator": f"a{i}@x", "result": None if result is None else style(result),
                     "submitted_at": f"2026-01-0{i + 1}T00:00:00.000000Z", "review": review,
                     "correction": draw(results(text)) if review == "corrected" else None})
    return {"key": draw(st.one_of(st.builds(lambda n: f"k{n}", st.integers(0, 9)), st.none())),
            "data": None if data is None else style(data), "meta": None, "annotations": anns}


def both(pages: list[list[dict[str, Any]]], **options: Any) -> tuple[Any, Any]:
    """(bytes or exception type, report) of the general path, then of the fast path."""
    return general_and_fast(write_conll, SCHEMA, pages, **options)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(items(), max_size=4), max_size=3), st.sampled_from([{}, {"label": "heads"}]))
def test_fast_path_gives_the_general_paths_bytes_and_report(pages: list[list[dict[str, Any]]],
                                                           options: dict[str, Any]) -> None:
    general, fast = both(pages, **options)
    assert fast == general


def item(text: Any, result: dict[str, Any] | None, key: str = "k") -> dict[str, Any]:
    anns = [] if result is None else [{"annotator": "a@x", "result": STYLES[0](result), "submitted_at": "t",
                                       "review": None, "correction": None}]
    return {"key": key, "data": STYLES[0]({"text": text}), "meta": None, "annotations": anns}


def test_known_items_give_these_bytes_and_problems_on_both_paths() -> None:
    """Exact lines for the cases the generated ones cover: BIO tags, a span crossing token boundaries
    (widened and reported), overlapping spans (the later one left out and reported), spans out of order,
    several lines, right-to-left text, an item without text, one without annotations."""
    words = AR[:-1].split()
    pages = [[item("Ada Lovelace met Charles Babbage.", {"ents": [{"start": 17, "end": 32, "label": "PER"},
                                                                  {"start": 0, "end": 12, "label": "PER"}]}),
              item("New Yorkers like pizza", {"ents": [{"start": 0, "end": 8, "label": "LOC"},
                                                       {"start": 4, "end": 11, "label": "ORG"}]}, "cross")],
             [item("Paris.\nRome", {"ents": [{"start": 7, "end": 11, "label": "LOC"}]}),
              item(AR, {"ents": [{"start": 5, "end": 13, "label": "PER"}, {"start": 17, "end": 24, "label": "LOC"}]}),
              {"key": "none", "data": STYLES[0]({"title": "x"}), "meta": None, "annotations": []},
              item("not annotated", None)]]
    general, fast = both(pages)
    assert fast == general
    body, report = fast
    head = "-DOCSTART- -X- -X- O\n\n"
    assert body.decode() == (
        head + "Ada _ _ B-PER\nLovelace _ _ I-PER\nmet _ _ O\nCharles _ _ B-PER\nBabbage _ _ I-PER\n. _ _ O\n\n"
        + head + "New _ _ B-LOC\nYorkers _ _ I-LOC\nlike _ _ O\npizza _ _ O\n\n"
        + head + "Paris _ _ O\n. _ _ O\n\nRome _ _ B-LOC\n\n"
        + head + f"{words[0]} _ _ O\n{words[1]} _ _ B-PER\n{words[2]} _ _ O\n{words[3]} _ _ B-LOC\n. _ _ O\n\n"
        + head + head + "not _ _ O\nannotated _ _ O\n\n")
    assert report["items"] == 6
    assert [(p["key"], p["message"]) for p in report["problems"]] == [
        ("cross", "span 0:8 'New York' (LOC) crosses token boundaries; written as the tokens 0:11 'New Yorkers'"),
        ("cross", "span 4:11 'Yorkers' (ORG) overlaps another span, which BIO cannot write; left out"),
        ("none", "no text in data field 'text'; written as an empty document")]
    back = [r["annotations"][0]["result"]["ents"] for r in read_conll(stream(body, "x.conll"), SCHEMA)
            if r["annotations"][0]["result"]["ents"]]
    assert back[0] == [{"start": 0, "end": 12, "label": "PER"}, {"start": 17, "end": 32, "label": "PER"}]


def test_stored_pages_with_mismatched_columns_are_refused() -> None:
    with pytest.raises(ValueError, match="shorter"):
        b"".join(write_conll([StoredPage(["a", "b"], [None], [None], [None])], SCHEMA, ExportReport()))
