"""Stored items for the tests of the export fast paths (COCO, CoNLL): an item as the database holds it
(``key``, ``data`` and ``meta`` JSON text, ``annotations`` with ``annotator``, ``result`` text,
``submitted_at``, ``review``, ``correction``), made into what each path is given, and both paths run."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import orjson

from labelwise.formats.base import ExportReport
from labelwise.formats.stored import StoredPage

#: the ways stored JSON may look: orjson's (what the app writes), and Python's with spaces or line breaks
STYLES = (orjson.dumps, lambda v: json.dumps(v).encode(), lambda v: json.dumps(v, indent=1),
          lambda v: json.dumps(v, separators=(",", ":"), sort_keys=True))


def lean_record(item_id: int, item: dict[str, Any]) -> dict[str, Any]:
    """The record ``services.exports.iter_records(lean=True)`` builds from the stored item."""
    anns = []
    for a in item["annotations"]:
        ann = {"annotator": a["annotator"], "result": None if a["result"] is None else orjson.loads(a["result"]),
               "submitted_at": a["submitted_at"]}
        if a["review"]:
            ann["review"] = {"status": a["review"], "reviewer": "r@x", "comment": "", "result": a["correction"],
                             "at": "2026-02-01T00:00:00Z"}
        anns.append(ann)
    return {"id": item_id, "key": item["key"], "data": None if item["data"] is None else orjson.loads(item["data"]),
            "meta": None if item["meta"] is None else orjson.loads(item["meta"]), "annotations": anns,
            "predictions": []}


def stored_page(first_id: int, page: list[dict[str, Any]]) -> StoredPage:
    """The page ``services.exports.iter_stored`` builds from the stored items."""
    out = StoredPage([], [], [], [])
    for i, item in enumerate(page):
        anns = item["annotations"]
        if len(anns) > 1 or (anns and anns[0]["review"]):
            out.records[i] = lean_record(first_id + i, item)
        out.keys.append(str(first_id + i) if item["key"] is None else item["key"])
        out.data.append(item["data"])
        out.meta.append(item["meta"])
        out.results.append(anns[0]["result"] if len(anns) == 1 else None)
    return out


def general_and_fast(write: Callable[..., Any], schema: Any, pages: list[list[dict[str, Any]]], **options: Any
                     ) -> tuple[Any, Any]:
    """(bytes or exception type, report) of ``write`` given lean records (the general path), then given
    stored pages (the fast path)."""
    out = []
    for fast in (False, True):
        report, first_id, given_pages = ExportReport(), 1, []
        for page in pages:
            given_pages.append(stored_page(first_id, page) if fast
                               else [lean_record(first_id + i, item) for i, item in enumerate(page)])
            first_id += len(page)
        try:
            got: Any = b"".join(write(given_pages, schema, report, **options))
        except Exception as exc:  # the general path's error must be the fast path's too
            got = type(exc)
        out.append((got, report.to_dict()))
    return out[0], out[1]
