"""Time ranges (``audio_ranges``, ``time_ranges``) as JSON Lines or CSV, one row per range.

Columns: ``key, label, start, end, value, text``: ``label`` is the schema label, ``value`` the option,
``start``/``end`` in the label's unit (seconds, or sample indices with ``unit: samples``), ``text`` the
transcript or empty. Only final results are written. Items without ranges write no row.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

from labelwise.formats.base import ExportReport, Pages, dumps, item_key, pick_labels, records
from labelwise.formats.final import final_results

COLUMNS = ("key", "label", "start", "end", "value", "text")
KINDS = ("audio_ranges", "time_ranges")


def _rows(pages: Pages, schema: Any, report: ExportReport, labels: list[str] | None,
          ) -> Iterator[list[dict[str, Any]]]:
    labs = pick_labels(schema, KINDS, labels)
    names = [lab.name for lab in labs]
    for page in pages:
        out = []
        for record in records([page], report):
            key = item_key(record)
            result = final_results(record, names)
            for name in names:
                if any(r.get("attributes") for r in result.get(name) or []):
                    report.warn(key, name, "per-object attributes left out: ranges files have no column for them")
                for r in result.get(name) or []:
                    out.append({"key": key, "label": name, "start": r["start"], "end": r["end"],
                                "value": r["label"], "text": r.get("text", "")})
        yield out


def write_ranges_jsonl(pages: Pages, schema: Any, report: ExportReport, *, labels: list[str] | None = None,
                       ) -> Iterator[bytes]:
    for rows in _rows(pages, schema, report, labels):
        yield b"".join(dumps(r) + b"\n" for r in rows)


def write_ranges_csv(pages: Pages, schema: Any, report: ExportReport, *, labels: list[str] | None = None,
                     ) -> Iterator[bytes]:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=COLUMNS)
    writer.writeheader()
    for rows in _rows(pages, schema, report, labels):
        writer.writerows(rows)
        yield buf.getvalue().encode()
        buf.seek(0)
        buf.truncate()
    yield buf.getvalue().encode()
