from __future__ import annotations

import io

import pytest
import spacy
from hypothesis import given, settings
from hypothesis import strategies as st
from spacy.tokens import DocBin

from labelwise.domain.schema import parse_schema
from labelwise.formats import conll
from labelwise.formats.base import ExportReport, FormatError
from labelwise.formats.conll import read_conll, write_conll
from labelwise.formats.folder import Folder, zip_stream
from labelwise.formats.ner_jsonl import read_ner_jsonl, write_ner_jsonl
from labelwise.formats.spacy_docbin import read_spacy, write_spacy
from labelwise.formats.tokens import tokenize

from .conftest import as_pages, joined, pages, rec, stream

SCHEMA = parse_schema({"fields": {"text": "text"},
                       "labels": [{"name": "ents", "kind": "spans", "field": "text",
                                   "options": ["PER", "ORG", "LOC"]}]})


def span(text: str, word: str, label: str, nth: int = 0) -> dict:
    start = -1
    for _ in range(nth + 1):
        start = text.index(word, start + 1)
    return {"start": start, "end": start + len(word), "label": label}


EN = "Alice Smith works at Acme Corp today.\nShe lives in Paris."
AR = "يعيش مُحَمَّد في القاهرة."  # with Arabic vowel points (combining marks)
HE = "דוד גר בירושלים, ישראל."
RECORDS = [
    rec("en", {"text": EN}, {"ents": [span(EN, "Alice Smith", "PER"), span(EN, "Acme Corp", "ORG"),
                                      span(EN, "Paris", "LOC")]}),
    rec("ar", {"text": AR}, {"ents": [span(AR, "مُحَمَّد", "PER"), span(AR, "القاهرة", "LOC")]}),
    rec("he", {"text": HE}, {"ents": [span(HE, "בירושלים", "LOC"), span(HE, "ישראל", "LOC")]}),
]


def test_tokenizer_keeps_rtl_words_with_marks_whole() -> None:
    assert [AR[s:e] for s, e in tokenize(AR)] == ["يعيش", "مُحَمَّد", "في", "القاهرة", "."]
    assert [EN[s:e] for s, e in tokenize("Dr. O'Neil")] != []
    assert ["Dr. O'Neil"[s:e] for s, e in tokenize("Dr. O'Neil")] == ["Dr", ".", "O", "'", "Neil"]


def test_conll_writes_bio_and_round_trips_unicode_and_rtl() -> None:
    report = ExportReport()
    first = joined(write_conll(pages(RECORDS), SCHEMA, report))
    assert report.ok and report.items == 3
    text = first.decode()
    assert "Alice _ _ B-PER\nSmith _ _ I-PER\n" in text
    assert "مُحَمَّد _ _ B-PER\n" in text and "القاهرة _ _ B-LOC\n" in text
    assert "ישראל _ _ B-LOC\n" in text
    assert text.count("-DOCSTART-") == 3
    back = list(read_conll(stream(first, "ner.conll"), SCHEMA))
    assert [r["annotations"][0]["result"]["ents"][0]["label"] for r in back] == ["PER", "PER", "LOC"]
    ar = back[1]
    got = [ar["data"]["text"][s["start"]:s["end"]] for s in ar["annotations"][0]["result"]["ents"]]
    assert got == ["مُحَمَّد", "القاهرة"]
    assert joined(write_conll(as_pages(back), SCHEMA, ExportReport())) == first


def test_conll_reports_spans_crossing_tokens_and_overlaps() -> None:
    text = "New Yorkers like pizza"
    r = rec("x", {"text": text}, {"ents": [{"start": 0, "end": 8, "label": "LOC"},
                                          {"start": 4, "end": 11, "label": "ORG"}]})
    report = ExportReport()
    out = joined(write_conll([[r]], SCHEMA, report)).decode()
    assert "Yorkers _ _ I-LOC" in out
    msgs = report.messages()
    assert any("crosses token boundaries" in m and "'New York'" in m for m in msgs)
    assert any("overlaps another span" in m for m in msgs)


@pytest.mark.parametrize(("body", "where", "reason"), [
    (b"-DOCSTART- -X- -X- O\n\nAlice _ _ B-PER\nbad\n", "line 4", "expected a token and a tag"),
    (b"Alice _ _ X-PER\n", "line 1", "is not O, B-X"),
    (b"Alice _ _ B-FOO\n", "line 1", "'FOO' is not an option"),
    (b"Alice _ _ \xff\n", "line 1", "not valid UTF-8"),
])
def test_conll_malformed(body: bytes, where: str, reason: str) -> None:
    with pytest.raises(FormatError) as err:
        list(read_conll(stream(body, "bad.conll"), SCHEMA))
    assert err.value.file == "bad.conll" and err.value.where == where and reason in err.value.reason


def test_conll_without_docstart_reads_each_sentence_as_an_item() -> None:
    body = b"Alice B-PER\nruns O\n\nBob B-PER\n"
    got = list(read_conll(stream(body, "s.txt"), SCHEMA, model="m1"))
    assert [r["data"]["text"] for r in got] == ["Alice runs", "Bob"]
    assert got[0]["predictions"][0]["result"]["ents"] == [{"start": 0, "end": 5, "label": "PER"}]


def test_spacy_docbin_loads_with_spacy_and_round_trips(tmp_path) -> None:
    report = ExportReport()
    entries = list(write_spacy(pages(RECORDS), SCHEMA, report))
    assert report.ok and [n for n, _ in entries] == ["docs-00001.spacy"]
    path = tmp_path / "train.spacy"
    path.write_bytes(entries[0][1])
    docs = list(DocBin().from_disk(path).get_docs(spacy.blank("en").vocab))
    assert [[(e.text, e.label_) for e in d.ents] for d in docs] == [
        [("Alice Smith", "PER"), ("Acme Corp", "ORG"), ("Paris", "LOC")],
        [("مُحَمَّد", "PER"), ("القاهرة", "LOC")],
        [("בירושלים", "LOC"), ("ישראל", "LOC")],
    ]
    back = list(read_spacy(path, SCHEMA))
    assert [r["key"] for r in back] == ["en", "ar", "he"]
    assert back[0]["annotations"][0]["result"] == RECORDS[0]["annotations"][0]["result"]
    again = list(write_spacy(as_pages(back), SCHEMA, ExportReport()))
    assert again == entries


def test_spacy_shards_zip_and_misaligned_spans(tmp_path) -> None:
    text = "New Yorkers like pizza"
    recs = [rec(f"k{i}", {"text": text}, {"ents": [{"start": 0, "end": 8, "label": "LOC"},
                                                  {"start": 4, "end": 11, "label": "ORG"}]})
            for i in range(3)]
    report = ExportReport()
    blob = joined(zip_stream(write_spacy(pages(recs), SCHEMA, report, shard_size=2)))
    assert Folder(io.BytesIO(blob)).names() == ["docs-00001.spacy", "docs-00002.spacy"]
    assert any("crosses spaCy token boundaries" in m for m in report.messages())
    assert any("kept in doc.spans only" in m for m in report.messages())
    back = list(read_spacy(io.BytesIO(blob), SCHEMA))
    assert len(back) == 3
    # doc.spans keeps both (overlapping) spans, widened to tokens
    assert back[0]["annotations"][0]["result"]["ents"] == [{"start": 0, "end": 11, "label": "LOC"},
                                                           {"start": 4, "end": 11, "label": "ORG"}]


def test_spacy_malformed(tmp_path) -> None:
    path = tmp_path / "bad.spacy"
    path.write_bytes(b"not a docbin")
    with pytest.raises(FormatError) as err:
        list(read_spacy(path, SCHEMA))
    assert err.value.file.endswith("bad.spacy") and "not a spaCy DocBin" in err.value.reason


def test_ner_jsonl_round_trip_and_all_annotations() -> None:
    both = rec("two", {"text": EN}, {"ents": [span(EN, "Alice", "PER")]}, {"ents": [span(EN, "Paris", "LOC")]})
    first = joined(write_ner_jsonl(pages([*RECORDS, both]), SCHEMA, ExportReport()))
    back = list(read_ner_jsonl(stream(first, "n.jsonl"), SCHEMA))
    assert joined(write_ner_jsonl(as_pages(back), SCHEMA, ExportReport())) == first
    assert "مُحَمَّد" in first.decode()
    every = joined(write_ner_jsonl([[both]], SCHEMA, ExportReport(), which="all"))
    got = next(iter(read_ner_jsonl(stream(every, "a.jsonl"), SCHEMA)))
    assert [a["annotator"] for a in got["annotations"]] == ["a1", "a2"]


@pytest.mark.parametrize(("body", "reason"), [
    (b'{"text": "ab", "spans": [{"start": 0, "end": 9, "label": "PER"}]}\n', "outside the text"),
    (b'{"text": "ab", "spans": [{"start": 0, "end": 1, "label": "X"}]}\n', "is not one of"),
    (b'{"text": "ab", "spans": [{"start": 0, "end": 1, "label": "PER", "text": "b"}]}\n', "does not match"),
    (b"{nope\n", "not valid JSON"),
])
def test_ner_jsonl_malformed(body: bytes, reason: str) -> None:
    with pytest.raises(FormatError) as err:
        list(read_ner_jsonl(stream(b"\n" + body, "x.jsonl"), SCHEMA))
    assert err.value.file == "x.jsonl" and err.value.where.startswith("line 2") and reason in err.value.reason


@settings(max_examples=300, deadline=None)
@given(text=st.text(alphabet="ab_1 .,'\t-é\n", max_size=30),
       cuts=st.lists(st.tuples(st.integers(0, 31), st.integers(0, 31), st.sampled_from(["PER", "LOC"])), max_size=4))
def test_conll_fast_path_writes_what_the_token_by_token_path_writes(text: str, cuts: list) -> None:
    """The segment-at-a-time writer for one-line ASCII text is a shortcut: same bytes, same problems."""
    spans = [{"start": s, "end": e, "label": lab} for s, e, lab in cuts if s < e <= len(text)]
    fast, slow = [], []
    fast_report, slow_report = ExportReport(), ExportReport()
    if not (text.isascii() and "\n" not in text and conll._aligned(text, spans, fast)):
        conll._general(text, spans, fast, fast_report, "k", "ents")
    conll._general(text, spans, slow, slow_report, "k", "ents")
    assert "".join(fast) == "".join(slow)
    assert fast_report.messages() == slow_report.messages()
