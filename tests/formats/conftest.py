"""Small native records built in the tests: no server, no database."""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator
from typing import Any


def rec(key: str, data: dict[str, Any], *results: dict[str, Any], meta: dict[str, Any] | None = None,
        review: list[dict[str, Any] | None] | None = None) -> dict[str, Any]:
    """A native export record with one annotation per result (annotators a1, a2...)."""
    anns = []
    for i, result in enumerate(results):
        anns.append({"id": i + 1, "annotator": f"a{i + 1}", "result": result, "lead_time": 1.0,
                     "schema_version": 1, "submitted_at": f"2024-01-01T00:00:0{i}Z",
                     "review": review[i] if review else None})
    return {"id": abs(hash(key)) % 10_000, "key": key, "state": "submitted", "data": data,
            "meta": meta or {}, "annotations": anns, "predictions": []}


def pages(records: list[dict[str, Any]], size: int = 2) -> Iterator[list[dict[str, Any]]]:
    for i in range(0, len(records), size):
        yield records[i:i + size]


def joined(chunks: Iterable[bytes]) -> bytes:
    return b"".join(chunks)


def as_pages(items: Iterable[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """Reader output as export input: one page."""
    return [list(items)]


def stream(data: bytes, name: str) -> io.BytesIO:
    out = io.BytesIO(data)
    out.name = name
    return out
