"""Getting data to and from the server in constant memory: files and records in, exports out.

An import is all-or-nothing on the server only within one request. Records that fit in one chunk
go to ``POST /projects/{ref}/records``; more than that are written to a JSONL temporary file and
streamed to ``POST /projects/{ref}/import`` as one request, so a bad row still rejects everything.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from itertools import islice
from pathlib import Path
from typing import IO, Any

from pydantic_core import to_json

FILE_FORMATS = {"jsonl": "jsonl", "ndjson": "jsonl", "json": "json", "csv": "csv", "tsv": "csv",
                "parquet": "parquet", "pq": "parquet"}
CHUNK_BYTES = 1 << 20
FIXED_COLUMNS = ("id", "key", "state")
JSON_COLUMNS = ("annotations", "predictions", "meta")


def format_of(path: str | os.PathLike[str]) -> str:
    """The import format a file name implies; ``ValueError`` when its extension says nothing."""
    suffix = Path(path).suffix.lower().lstrip(".")
    if suffix not in FILE_FORMATS:
        raise ValueError(f"cannot tell the format of {os.fspath(path)!r} from its extension "
                         f"(use .jsonl, .json, .csv or .parquet, or pass format=...)")
    return FILE_FORMATS[suffix]


def is_dataframe(value: Any) -> bool:
    return type(value).__module__.partition(".")[0] == "pandas" and hasattr(value, "itertuples")


def dataframe_records(df: Any) -> Iterator[dict[str, Any]]:
    columns = [str(c) for c in df.columns]
    for row in df.itertuples(index=False, name=None):
        yield dict(zip(columns, row, strict=True))


def _fallback(value: Any) -> Any:
    """JSON for what pydantic does not know: numpy scalars and arrays, pandas' missing values."""
    if type(value).__name__ in ("NAType", "NaTType"):
        return None
    if hasattr(value, "tolist"):
        return value.tolist()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def dumps(value: Any) -> bytes:
    """JSON bytes; NaN and infinities become null, numpy and pandas values their plain equivalent."""
    return to_json(value, inf_nan_mode="null", fallback=_fallback)


def first_chunk(records: Iterable[dict[str, Any]], size: int) -> tuple[list[dict[str, Any]], Iterator[Any]]:
    """Up to ``size + 1`` records (to tell whether there are more) and the rest of the iterator."""
    it = iter(records)
    return list(islice(it, size + 1)), it


def spool_jsonl(head: list[dict[str, Any]], rest: Iterator[dict[str, Any]]) -> IO[bytes]:
    """Records as JSONL in a temporary file, rewound, ready to stream."""
    spool = tempfile.SpooledTemporaryFile(max_size=16 << 20)  # noqa: SIM115 - the caller closes it
    for record in head:
        spool.write(dumps(record) + b"\n")
    for record in rest:
        spool.write(dumps(record) + b"\n")
    spool.seek(0)
    return spool


def read_chunks(stream: IO[bytes], progress: Callable[[int], None] | None) -> Iterator[bytes]:
    """A file's bytes in chunks, telling ``progress`` how many bytes were sent so far."""
    sent = 0
    while chunk := stream.read(CHUNK_BYTES):
        sent += len(chunk)
        yield chunk
        if progress is not None:
            progress(sent)


def stream_size(stream: IO[bytes]) -> int | None:
    try:
        here = stream.tell()
        size = stream.seek(0, os.SEEK_END)
        stream.seek(here)
        return size - here
    except (OSError, ValueError):
        return None


def flat_record(record: dict[str, Any], columns: dict[str, None]) -> dict[str, Any]:
    """One export record as one DataFrame row: id, key, state, each data field, then the nested parts."""
    row: dict[str, Any] = {k: record.get(k) for k in FIXED_COLUMNS}
    for name, value in (record.get("data") or {}).items():
        column = f"data.{name}" if name in FIXED_COLUMNS + JSON_COLUMNS else name
        columns.setdefault(column, None)
        row[column] = value
    for name in JSON_COLUMNS:
        row[name] = record.get(name)
    return row


@contextmanager
def zipped(folder: Path) -> Iterator[IO[bytes]]:
    """A folder (YOLO, VOC, spaCy...) as a zip in a temporary file, to send as one upload."""
    import zipfile

    with tempfile.TemporaryFile() as spool:
        with zipfile.ZipFile(spool, "w", zipfile.ZIP_DEFLATED) as z:
            for file in sorted(folder.rglob("*")):
                if file.is_file():
                    z.write(file, file.relative_to(folder).as_posix())
        spool.seek(0)
        yield spool
