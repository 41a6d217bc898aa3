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
    if value is None or isinstance(value, str):
        return value
    text = _dumps(value)
    if isinstance(value, orjson.Fragment) and (text == b"null" or text[:1] == b'"'):
        return _cell(orjson.loads(text))  # stored JSON null or string: as the parsed value gives it
    return text.decode()


def flat_row(record: dict[str, Any], fields: list[str]) -> dict[str, Any]:
    row: dict[str, Any] = {k: record.get(k) for k in FIXED}
    data = _data(record.get("data"))
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


def _data(value: Any) -> dict[str, Any]:
    """An item's data as a dict, also when the page keeps stored JSON as ``orjson.Fragment``."""
    if isinstance(value, orjson.Fragment):
        return orjson.loads(orjson.dumps(value))  # type: ignore[no-any-return]
    return value or {}


def write_parquet(pages: Iterable[list[dict[str, Any]]], fields: list[str]) -> Iterator[bytes]:
    """One row group per page, built column by column (Arrow arrays from lists, no row dicts).

    Pages may hold parsed JSON or, as ``services.exports.iter_records(raw_json=True)`` gives them, the
    stored JSON kept as ``orjson.Fragment``: ``annotations``, ``predictions`` and ``meta`` are then
    serialised without being parsed (only ``data`` is parsed, for its fields)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    names = columns(fields)
    schema = pa.schema([("id", pa.int64()), ("key", pa.string()), ("state", pa.string()),
                        *((n, pa.string()) for n in names[3:])])
    sink = io.BytesIO()
    with pq.ParquetWriter(sink, schema, compression="zstd") as writer:
        for page in pages:
            datas = [_data(r.get("data")) for r in page]
            cols = [[r.get(k) for r in page] for k in FIXED]
            cols += [[_cell(d.get(name)) for d in datas] for name in fields]
            cols += [[_cell(r.get(name)) for r in page] for name in JSON_COLUMNS]
            arrays = [pa.array(col, type=t) for col, t in zip(cols, schema.types, strict=True)]
            writer.write_table(pa.Table.from_arrays(arrays, schema=schema))
            del arrays, cols, datas
            yield sink.getvalue()
            sink.seek(0)
            sink.truncate()
    yield sink.getvalue()
