"""The Hugging Face reader keeps every annotation of the ``annotations`` column and each row's confidence;
malformed cells name the file, the row and the column."""

from __future__ import annotations

import io
from typing import Any

import orjson
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from labelwise.domain.schema import parse_schema
from labelwise.formats.base import ExportReport, FormatError
from labelwise.formats.hf import read_hf_parquet, write_hf_parquet

from .conftest import joined, pages, rec, stream

SCHEMA = parse_schema({
    "fields": {"text": "text"},
    "labels": [
        {"name": "sentiment", "kind": "choice", "options": ["pos", "neg", "neu"]},
        {"name": "topics", "kind": "multi_choice", "options": ["sport", "politics"]},
        {"name": "kind", "kind": "taxonomy", "options": ["Animal/Dog", "Animal/Cat"]},
    ]})


def _disagreeing() -> list[dict[str, Any]]:
    majority = rec("m", {"text": "two of three"}, {"sentiment": "neg", "topics": ["sport"]},
                   {"sentiment": "pos"}, {"sentiment": "pos", "topics": ["politics", "sport"]})
    tie = rec("t", {"text": "a tie"}, {"sentiment": "neu", "kind": ["Animal", "Cat"]}, {"sentiment": "pos"})
    # a2 submitted before a1 (its annotation row came later): the tie goes to a2's value
    tie["annotations"][0]["submitted_at"] = "2024-01-02T00:00:00Z"
    nobody = rec("n", {"text": "nobody"})
    return [majority, tie, nobody]


def _export(records: list[dict[str, Any]]) -> bytes:
    return joined(write_hf_parquet(pages(records), SCHEMA, ExportReport(), annotations=True))


def _table(first: bytes) -> list[dict[str, Any]]:
    return pq.read_table(io.BytesIO(first)).to_pylist()


def test_annotations_are_read_back_by_their_annotators_and_write_the_same_file() -> None:
    first = _export(_disagreeing())
    back = list(read_hf_parquet(stream(first, "train.parquet"), SCHEMA))
    assert [r["key"] for r in back] == ["m", "t", "n"]
    assert back[0]["annotations"] == [
        {"annotator": "a1", "result": {"sentiment": "neg", "topics": ["sport"]}},
        {"annotator": "a2", "result": {"sentiment": "pos"}},
        {"annotator": "a3", "result": {"sentiment": "pos", "topics": ["politics", "sport"]}}]
    assert back[1]["annotations"] == [  # in the order they were submitted
        {"annotator": "a2", "result": {"sentiment": "pos"}},
        {"annotator": "a1", "result": {"sentiment": "neu", "kind": ["Animal", "Cat"]}}]
    assert back[2]["annotations"] == [] and back[2]["data"] == {"text": "nobody"}
    rows = _table(first)
    assert [(r["sentiment"], r["sentiment_confidence"]) for r in rows] == [(0, 2 / 3), (0, 0.5), (None, None)]
    assert rows[0]["topics"] == [0] and rows[0]["topics_confidence"] == 0.5
    # read back as a project would store them (one submission time: list order breaks ties), same bytes
    stored = [rec(r["key"], r["data"], *(a["result"] for a in r["annotations"])) for r in back]
    for record, read in zip(stored, back, strict=True):
        for ann, original in zip(record["annotations"], read["annotations"], strict=True):
            ann["annotator"], ann["submitted_at"] = original["annotator"], "2025-01-01T00:00:00Z"
    assert _export(stored) == first


def test_without_the_annotations_column_the_final_values_carry_the_lowest_confidence() -> None:
    first = joined(write_hf_parquet(pages(_disagreeing()), SCHEMA, ExportReport()))
    back = list(read_hf_parquet(io.BytesIO(first), SCHEMA, annotator="someone@example.org"))
    assert back[0]["annotations"] == [{"annotator": "someone@example.org", "score": 0.5,
                                       "result": {"sentiment": "pos", "topics": ["sport"]}}]
    assert back[1]["annotations"][0]["score"] == 0.5 and back[2]["annotations"][0]["score"] is None
    preds = list(read_hf_parquet(io.BytesIO(_export(_disagreeing())), SCHEMA, model="m1"))
    assert preds[0]["annotations"] == []
    assert preds[0]["predictions"] == [{"model": "m1", "score": 0.5,
                                        "result": {"sentiment": "pos", "topics": ["sport"]}}]
    assert preds[1]["predictions"][0]["result"] == {"sentiment": "pos", "kind": ["Animal", "Cat"]}


def test_a_null_annotations_cell_falls_back_to_the_final_values() -> None:
    sink = io.BytesIO()
    pq.write_table(pa.table({"key": ["a", "b"], "sentiment": [1, 2], "sentiment_confidence": [1.0, 0.25],
                             "annotations": [None, '[{"annotator": "x@example.org", "result": {}}]']}), sink)
    a, b = read_hf_parquet(io.BytesIO(sink.getvalue()), SCHEMA)
    assert a["annotations"] == [{"annotator": "hf", "result": {"sentiment": "neg"}, "score": 1.0}]
    assert b["annotations"] == [{"annotator": "x@example.org", "result": {}}]


def _parquet(**columns: list[Any]) -> io.BytesIO:
    sink = io.BytesIO()
    pq.write_table(pa.table({"key": ["a", "b"], **columns}), sink)
    out = io.BytesIO(sink.getvalue())
    out.name = "bad.parquet"
    return out


@pytest.mark.parametrize("columns, message", [
    ({"annotations": ["[]", "{not json"]}, "row 2: annotations: not valid JSON"),
    ({"annotations": ["[]", '{"annotator": "x"}']}, "row 2: annotations: expected a JSON list of annotations"),
    ({"annotations": ['[{"annotator": "x", "result": "pos"}]', "[]"]},
     "row 1: annotations: annotation 0 must be an object with an 'annotator' string and a 'result' object"),
    ({"annotations": ["[]", '[{"result": {}}]']}, "row 2: annotations: annotation 0 must be an object"),
    ({"annotations": [1, 2]}, "row 1: annotations: expected JSON text, got int"),
    ({"sentiment_confidence": [0.5, 1.5]}, "row 2: sentiment_confidence: expected a number from 0 to 1, got '1.5'"),
    ({"sentiment_confidence": ["high", None]}, "row 1: sentiment_confidence: expected a number from 0 to 1, got 'hi"),
    ({"topics": [0, 1]}, "row 1: topics: expected a list of class indices, got '0'"),
    ({"kind": [None, 3]}, "row 2: kind: expected a path, got '3'"),
])
def test_malformed_cells_name_the_file_row_and_column(columns: dict[str, list[Any]], message: str) -> None:
    with pytest.raises(FormatError) as caught:
        list(read_hf_parquet(_parquet(**columns), SCHEMA))
    assert str(caught.value).startswith(f"bad.parquet: {message}")


def test_review_statuses_in_the_annotations_column_are_not_read() -> None:
    anns = [{"annotator": "a@example.org", "result": {"sentiment": "pos"}, "review": "accepted"}]
    back = list(read_hf_parquet(_parquet(annotations=[orjson.dumps(anns).decode(), "[]"]), SCHEMA))
    assert back[0]["annotations"] == [{"annotator": "a@example.org", "result": {"sentiment": "pos"}}]
    assert back[1]["annotations"] == []
