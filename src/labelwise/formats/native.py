"""Writers for labelwise's own item records (JSONL, CSV, Parquet), streamed a page at a time.

A record is what one exported item looks like::

    {"id": 7, "key": "a-7", "state": "accepted", "data": {...}, "meta": {...},
     "annotations": [{"id": 3, "annotator": "ann@x.org", "result": {...}, "lead_time": 4.2,
                      "schema_version": 1, "submitted_at": "...", "review": {...} | None}],
     "predictions": [{"model": "m", "score": 0.8, "result": {...}}]}

CSV and Parquet have one row per item: ``id, key, state``, one column per data field (text as
is, anything else as JSON), then ``annotations``, ``predictions`` and ``meta`` as JSON text.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from typing import Any

import orjson

EXPORT_FORMATS = ("jsonl", "csv", "parquet")
FIXED = ("id", "key", "state")
JSON_COLUMNS = ("annotations", "predictions", "meta")


def _dumps(value: Any) -> bytes:
    return orjson.dumps(value, option=orjson.OPT_NAIVE_UTC | orjson.OPT_UTC_Z)


def _cell(value: Any) -> str | None:
    if value is None:
        return None
    return value if isinstance(value, str) else _dumps(value).decode()


def flat_row(record: dict[str, Any], fields: list[str]) -> dict[str, Any]:
    row: dict[str, Any] = {k: record.get(k) for k in FIXED}
    data = record.get("data") or {}
    for name in fields:
        row[name if name not in FIXED + JSON_COLUMNS else f"data.{name}"] = _cell(data.get(name))
    for name in JSON_COLUMNS:
        row[name] = _cell(record.get(name))
    return row


def columns(fields: list[str]) -> list[str]:
    return [*FIXED, *(f if f not in FIXED + JSON_COLUMNS else f"data.{f}" for f in fields), *JSON_COLUMNS]


def write_jsonl(pages: Iterable[list[dict[str, Any]]]) -> Iterator[bytes]:
    for page in pages:
        yield b"".join(_dumps(r) + b"\n" for r in page)


def write_csv(pages: Iterable[list[dict[str, Any]]], fields: list[str]) -> Iterator[bytes]:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns(fields), extrasaction="ignore")
    writer.writeheader()
    for page in pages:
        writer.writerows(flat_row(r, fields) for r in page)
        yield buffer.getvalue().encode()
        buffer.seek(0)
        buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue().encode()


def write_parquet(pages: Iterable[list[dict[str, Any]]], fields: list[str]) -> Iterator[bytes]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    names = columns(fields)
    schema = pa.schema([("id", pa.int64()), ("key", pa.string()), ("state", pa.string()),
                        *((n, pa.string()) for n in names[3:])])
    sink = io.BytesIO()
    with pq.ParquetWriter(sink, schema, compression="zstd") as writer:
        for page in pages:
            rows = [flat_row(r, fields) for r in page]
            writer.write_table(pa.Table.from_pylist(rows, schema=schema))
            yield sink.getvalue()
            sink.seek(0)
            sink.truncate()
    yield sink.getvalue()
