"""NER as JSON Lines with character offsets (offsets are Python ``str`` indices: Unicode code points).

One line per item::

    {"key": "a-1", "text": "...", "spans": [{"start": 0, "end": 5, "label": "PER", "text": "Alice"}]}

``which="all"`` writes, instead of ``spans``, ``"annotations": [{"annotator": ..., "spans": [...]}]`` with
every annotation that was not rejected. Nothing is tokenized, so nothing is lost or widened.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import orjson

from labelwise.formats.base import (
    ExportReport,
    FormatError,
    Pages,
    Record,
    dumps,
    item_key,
    new_record,
    pick_labels,
    records,
)
from labelwise.formats.final import chosen_results


def _quoted(text: str, spans: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{"start": s["start"], "end": s["end"], "label": s["label"], "text": text[s["start"]:s["end"]]}
            for s in spans]


def write_ner_jsonl(pages: Pages, schema: Any, report: ExportReport, *, label: str | None = None,
                    which: str = "final") -> Iterator[bytes]:
    lab = pick_labels(schema, ("spans",), label)[0]
    out = bytearray()
    for record in records(pages, report):
        key = item_key(record)
        text = (record.get("data") or {}).get(lab.field)
        if not isinstance(text, str):
            report.warn(key, lab.name, f"no text in data field '{lab.field}'")
            text = ""
        chosen = chosen_results(record, [lab.name], which)
        row: dict[str, Any] = {"key": key, "text": text}
        if which == "final":
            row["spans"] = _quoted(text, chosen[0][1].get(lab.name) or [])
        else:
            row["annotations"] = [{"annotator": who, "spans": _quoted(text, res.get(lab.name) or [])}
                                  for who, res in chosen]
        out += dumps(row) + b"\n"
        if len(out) >= 1 << 16:
            yield bytes(out)
            out.clear()
    yield bytes(out)


def read_ner_jsonl(source: str | Path | IO[bytes], schema: Any, *, label: str | None = None,
                   annotator: str = "jsonl", model: str | None = None) -> Iterator[Record]:
    lab = pick_labels(schema, ("spans",), label)[0]
    allowed = set(lab.option_values())
    if isinstance(source, str | Path):
        with open(source, "rb") as fh:
            yield from _read(fh, str(source), lab, allowed, annotator, model)
    else:
        yield from _read(source, getattr(source, "name", "<jsonl>"), lab, allowed, annotator, model)


def _read(fh: IO[bytes], name: str, lab: Any, allowed: set[str], annotator: str, model: str | None,
          ) -> Iterator[Record]:
    for line_no, raw in enumerate(fh, start=1):
        if not raw.strip():
            continue
        where = f"line {line_no}"
        try:
            row = orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            raise FormatError(name, where, f"not valid JSON ({exc})") from None
        if not isinstance(row, dict) or not isinstance(row.get("text"), str):
            raise FormatError(name, where, 'expected an object with a "text" string')
        text = row["text"]
        key = str(row.get("key") or f"{Path(name).stem}-{line_no}")
        if "annotations" in row and "spans" not in row:
            anns = row["annotations"]
            if not isinstance(anns, list):
                raise FormatError(name, where, '"annotations" must be a list')
            groups = [(str(a.get("annotator") or annotator) if isinstance(a, dict) else annotator,
                       a.get("spans") if isinstance(a, dict) else None) for a in anns]
        else:
            groups = [(annotator, row.get("spans", []))]
        record = new_record(key, {lab.field: text}, {}, annotator=annotator, model=model)
        record["annotations"], record["predictions"] = [], []
        for who, spans in groups:
            result = {lab.name: _spans(spans, text, allowed, name, where)}
            if model is not None:
                record["predictions"].append({"model": model, "score": None, "result": result})
            else:
                record["annotations"].append({"annotator": who, "result": result})
        yield record


def _spans(spans: Any, text: str, allowed: set[str], name: str, where: str) -> list[dict[str, Any]]:
    if not isinstance(spans, list):
        raise FormatError(name, where, '"spans" must be a list')
    out = []
    for i, s in enumerate(spans):
        at = f"{where}, span {i}"
        if not isinstance(s, dict) or not all(isinstance(s.get(k), int) for k in ("start", "end")):
            raise FormatError(name, at, "a span needs whole-number start and end")
        start, end, lab = s["start"], s["end"], s.get("label")
        if not 0 <= start < end <= len(text):
            raise FormatError(name, at, f"offsets {start}:{end} are outside the text (length {len(text)})")
        if lab not in allowed:
            raise FormatError(name, at, f"label {lab!r} is not one of {', '.join(sorted(allowed))}")
        if "text" in s and s["text"] != text[start:end]:
            raise FormatError(name, at, f"span text {s['text']!r} does not match the text at {start}:{end}, "
                                        f"which is {text[start:end]!r}")
        out.append({"start": start, "end": end, "label": lab})
    return out
