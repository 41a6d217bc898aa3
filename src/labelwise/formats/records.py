"""Stream rows out of JSON, JSONL, CSV and Parquet files in constant memory.

Each reader yields ``(row_number, row)`` where ``row`` is a dict, or a ``RowError`` when the row
cannot be parsed. Row numbers are 1-based and count data rows (for CSV, the header is not a row;
the error message also names the physical line where it helps).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import ijson
import orjson

FORMATS = ("json", "jsonl", "csv", "parquet")


@dataclass(frozen=True, slots=True)
class RowError:
    """A row that could not be read: where, and why."""

    message: str


Row = tuple[int, dict[str, Any] | RowError]


def detect_format(name: str) -> str:
    """The format implied by a file name's extension."""
    suffix = Path(name).suffix.lower().lstrip(".")
    aliases = {"ndjson": "jsonl", "pq": "parquet", "tsv": "csv"}
    fmt = aliases.get(suffix, suffix)
    if fmt not in FORMATS:
        raise ValueError(f"cannot tell the format of {name!r}: use one of {', '.join(FORMATS)}")
    return fmt


def read_rows(stream: IO[bytes], fmt: str) -> Iterator[Row]:
    """Rows of a binary stream in the given format."""
    readers = {"json": _read_json, "jsonl": _read_jsonl, "csv": _read_csv, "parquet": _read_parquet}
    if fmt not in readers:
        raise ValueError(f"unknown format {fmt!r}: use one of {', '.join(FORMATS)}")
    return readers[fmt](stream)


def _read_jsonl(stream: IO[bytes]) -> Iterator[Row]:
    number = 0
    loads = orjson.loads
    for line_no, raw in enumerate(stream, start=1):
        try:
            value = loads(raw)
        except orjson.JSONDecodeError as exc:
            if not raw.strip():  # a blank line (looked at only when a line does not parse)
                continue
            number += 1
            yield number, RowError(f"line {line_no}: not valid JSON ({_utf8_hint(raw, exc)})")
            continue
        number += 1
        if value.__class__ is not dict:
            yield number, RowError(f"line {line_no}: expected a JSON object, got {type(value).__name__}")
            continue
        yield number, value


def _utf8_hint(raw: bytes, exc: Exception) -> str:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as err:
        return f"invalid UTF-8 at byte {err.start}"
    return str(exc)


def _read_json(stream: IO[bytes]) -> Iterator[Row]:
    """A top-level JSON array of objects, parsed incrementally."""
    head = stream.read(1)
    while head and head.isspace():
        head = stream.read(1)
    if head != b"[":
        if not head:
            return
        yield 1, RowError("expected a JSON array of objects at the top level")
        return
    number = 0
    try:
        for value in ijson.items(_Prepend(b"[", stream), "item", use_float=True):
            number += 1
            if not isinstance(value, dict):
                yield number, RowError(f"item {number}: expected a JSON object, got {type(value).__name__}")
                continue
            yield number, value
    except (ijson.JSONError, UnicodeDecodeError) as exc:
        yield number + 1, RowError(f"item {number + 1}: not valid JSON ({exc})")


class _Prepend(io.RawIOBase):
    """A stream that first returns ``prefix``, then the rest of ``stream``."""

    def __init__(self, prefix: bytes, stream: IO[bytes]) -> None:
        self._prefix = prefix
        self._stream = stream

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        if size == 0:  # a probe (ijson reads 0 bytes to tell bytes from text): must not eat the prefix
            return b""
        if self._prefix:
            out, self._prefix = self._prefix, b""
            return out
        return self._stream.read(size)

    def readinto(self, buffer: Any) -> int:
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


# Bytes that are not UTF-8 are decoded as lone surrogates, so that the row holding them is named.
_NOT_UTF8 = re.compile("[\udc80-\udcff]")


def _not_utf8(values: list[str]) -> str | None:
    for value in values:
        bad = _NOT_UTF8.search(value)
        if bad:
            return f"byte 0x{ord(bad.group()) - 0xDC00:02x} in {value[:40]!r}"
    return None


def _read_csv(stream: IO[bytes]) -> Iterator[Row]:
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="", errors="surrogateescape")
    try:
        yield from _csv_rows(text)
    finally:
        text.detach()  # the caller owns (and closes) the byte stream


def _csv_rows(text: IO[str]) -> Iterator[Row]:
    reader = csv.reader(text)
    try:
        header = next(reader)
    except StopIteration:
        return
    except (UnicodeDecodeError, csv.Error) as exc:
        yield 1, RowError(f"header: cannot read ({exc})")
        return
    if _not_utf8(header):
        yield 1, RowError(f"header: not valid UTF-8 ({_not_utf8(header)})")
        return
    dupes = sorted({h for h in header if header.count(h) > 1})
    if dupes:
        yield 1, RowError(f"header: duplicate column names {dupes}")
        return
    number = 0
    while True:
        try:
            values = next(reader)
        except StopIteration:
            return
        except UnicodeDecodeError as exc:
            yield number + 1, RowError(f"row {number + 1}: not valid UTF-8 ({exc.reason} at byte {exc.start})")
            return
        except csv.Error as exc:
            yield number + 1, RowError(f"row {number + 1} (line {reader.line_num}): {exc}")
            return
        if not values:
            continue
        number += 1
        if (bad := _not_utf8(values)) is not None:
            yield number, RowError(f"row {number} (line {reader.line_num}): not valid UTF-8 ({bad})")
            continue
        if len(values) != len(header):
            yield number, RowError(
                f"row {number} (line {reader.line_num}): {len(values)} values for {len(header)} columns"
            )
            continue
        yield number, dict(zip(header, values, strict=True))


def _read_parquet(stream: IO[bytes]) -> Iterator[Row]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        parquet = pq.ParquetFile(stream)
    except (pa.ArrowInvalid, OSError) as exc:
        yield 1, RowError(f"not a readable Parquet file ({exc})")
        return
    number = 0
    for batch in parquet.iter_batches(batch_size=2048):
        for row in batch.to_pylist():
            number += 1
            yield number, row
