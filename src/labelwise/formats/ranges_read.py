"""Reading time ranges back: the ranges JSON Lines / CSV files and WebVTT / SRT subtitle folders.

Neither carries an item's data, only its key: each item read gets ``data = {field: media}`` where
``media`` is the ``media`` option with ``{key}`` replaced by the item's key (default ``{key}``: the key
itself, e.g. a media key the media store holds). Ranges become one annotation by ``annotator`` (or one
prediction of ``model``) per item.

Ranges files: rows ``key, label, start, end, value, text`` as the writers give them; the rows of an item
must be together (the writers keep them so). ``label`` names the schema label, ``value`` the option; an
empty ``text`` is no text.

Subtitles (``<name>.vtt`` / ``.srt``, one file per item, the key being the file name without its
extension): each cue is a range of the ``label`` option (default: the schema's first ranges label);
with a ``<v Option>`` voice (WebVTT ``voices=True``) the voice is the option, else the ``value`` option
(default: the label's first option). The cue text is the range's text, except when it is the option
itself (the writers write the option for a range without text). ``export_report.json`` is skipped.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from typing import IO, Any

import orjson

from labelwise.formats.base import FormatError, Record, new_record, pick_labels
from labelwise.formats.folder import Folder
from labelwise.formats.ranges import COLUMNS, KINDS

_TIME = re.compile(r"^(?:(\d+):)?(\d{1,2}):(\d{2})[.,](\d{3})$")
_VOICE = re.compile(r"^<v(?:\.[^ >]*)? ([^>]*)>(.*)$", re.DOTALL)


def _data(field: str, media: str, key: str) -> dict[str, Any]:
    return {field: media.replace("{key}", key)}


def _name_of(source: Any, default: str) -> str:
    return str(source) if isinstance(source, str | Path) else str(getattr(source, "name", default))


def _open(source: str | Path | IO[bytes]) -> IO[bytes]:
    return open(source, "rb") if isinstance(source, str | Path) else source


def _number(text: Any, name: str, where: str, what: str) -> float | int:
    if isinstance(text, int | float) and not isinstance(text, bool):
        return text
    try:
        value = float(text)
    except (TypeError, ValueError):
        raise FormatError(name, where, f"{what} must be a number, got {text!r}") from None
    return int(value) if value.is_integer() and "." not in str(text) and "e" not in str(text).lower() else value


def _ranges(rows: Iterator[tuple[str, dict[str, Any]]], name: str, schema: Any, labels: list[str] | None,
            annotator: str, model: str | None, media: str) -> Iterator[Record]:
    labs = {lab.name: lab for lab in pick_labels(schema, KINDS, labels)}
    done: set[str] = set()
    key: str | None = None
    result: dict[str, list[dict[str, Any]]] = {}
    for where, row in rows:
        missing = [c for c in COLUMNS if c not in row and c != "text"]
        if missing:
            raise FormatError(name, where, f"missing {', '.join(missing)} (columns: {', '.join(COLUMNS)})")
        k, label = str(row["key"]), row["label"]
        if label not in labs:
            raise FormatError(name, where, f"label {label!r} is not a ranges label of the schema "
                                           f"({', '.join(labs)})")
        if k != key:
            if key is not None:
                yield _record(key, result, labs, annotator, model, media)
                done.add(key)
            if k in done:
                raise FormatError(name, where, f"the rows of key {k!r} are not together")
            key, result = k, {}
        rng: dict[str, Any] = {"start": _number(row["start"], name, where, "start"),
                               "end": _number(row["end"], name, where, "end"), "label": row["value"]}
        if row.get("text"):
            rng["text"] = row["text"]
        result.setdefault(label, []).append(rng)
    if key is not None:
        yield _record(key, result, labs, annotator, model, media)


def _record(key: str, result: dict[str, Any], labs: dict[str, Any], annotator: str, model: str | None,
            media: str) -> Record:
    field = next(iter(labs.values())).field
    return new_record(key, _data(field, media, key), result, annotator=annotator, model=model)


def read_ranges_jsonl(source: str | Path | IO[bytes], schema: Any, *, labels: list[str] | None = None,
                      annotator: str = "ranges", model: str | None = None, media: str = "{key}",
                      ) -> Iterator[Record]:
    name = _name_of(source, "<ranges.jsonl>")
    fh = _open(source)
    try:
        yield from _ranges(_jsonl_rows(fh, name), name, schema, labels, annotator, model, media)
    finally:
        if isinstance(source, str | Path):
            fh.close()


def _jsonl_rows(fh: IO[bytes], name: str) -> Iterator[tuple[str, dict[str, Any]]]:
    for line_no, raw in enumerate(fh, start=1):
        if not raw.strip():
            continue
        try:
            row = orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            raise FormatError(name, f"line {line_no}", f"not valid JSON ({exc})") from None
        if not isinstance(row, dict):
            raise FormatError(name, f"line {line_no}", "expected a JSON object")
        yield f"line {line_no}", row


def read_ranges_csv(source: str | Path | IO[bytes], schema: Any, *, labels: list[str] | None = None,
                    annotator: str = "ranges", model: str | None = None, media: str = "{key}",
                    ) -> Iterator[Record]:
    name = _name_of(source, "<ranges.csv>")
    fh = _open(source)
    text = io.TextIOWrapper(fh, encoding="utf-8-sig", newline="")
    try:
        rows = ((f"row {i}", row) for i, row in enumerate(csv.DictReader(text), start=1))
        yield from _ranges(rows, name, schema, labels, annotator, model, media)
    except UnicodeDecodeError as exc:
        raise FormatError(name, "", f"not valid UTF-8 (byte {exc.start})") from None
    finally:
        text.detach()
        if isinstance(source, str | Path):
            fh.close()


def _seconds(text: str, name: str, where: str) -> float:
    m = _TIME.match(text.strip())
    if m is None:
        raise FormatError(name, where, f"time {text.strip()!r} is not HH:MM:SS.mmm")
    h, mi, s, ms = (int(g or 0) for g in m.groups())
    return (h * 3600 + mi * 60 + s) + ms / 1000


def read_subtitles(source: str | Path | IO[bytes], schema: Any, *, label: str | None = None,
                   value: str | None = None, annotator: str = "subtitles", model: str | None = None,
                   media: str = "{key}") -> Iterator[Record]:
    lab = pick_labels(schema, KINDS, label)[0]
    options = lab.option_values()
    value = value if value is not None else options[0]
    folder = Folder(source)
    for path in folder.names():
        suffix = PurePosixPath(path).suffix.lower()
        if suffix not in (".vtt", ".srt"):
            continue
        where = folder.where(path)
        try:
            text = folder.read(path).decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise FormatError(where, "", f"not valid UTF-8 (byte {exc.start})") from None
        cues = [_cue(block, where, value, options) for block in _blocks(text, suffix == ".vtt", where)]
        key = PurePosixPath(path).stem
        yield new_record(key, _data(lab.field, media, key), {lab.name: cues}, annotator=annotator, model=model)


def _blocks(text: str, vtt: bool, where: str) -> Iterator[list[str]]:
    blocks = [b.split("\n") for b in re.split(r"\n\s*\n", text.replace("\r\n", "\n").strip()) if b.strip()]
    if vtt:
        if not blocks or not blocks[0][0].startswith("WEBVTT"):
            raise FormatError(where, "line 1", "a WebVTT file starts with WEBVTT")
        blocks = blocks[1:] if len(blocks[0]) == 1 else [blocks[0][1:], *blocks[1:]]
    yield from (b for b in blocks if not b[0].startswith(("NOTE", "STYLE", "REGION")))


def _cue(lines: list[str], where: str, value: str, options: list[str]) -> dict[str, Any]:
    at = next((i for i, ln in enumerate(lines) if "-->" in ln), None)
    if at is None:
        raise FormatError(where, f"cue {lines[0][:40]!r}", "a cue needs a 'start --> end' line")
    start, _, end = lines[at].partition("-->")
    rng: dict[str, Any] = {"start": _seconds(start, where, f"cue at {start.strip()}"),
                           "end": _seconds(end.split()[0] if end.split() else end, where, f"cue at {start.strip()}"),
                           "label": value}
    body = "\n".join(lines[at + 1:])
    voiced = _VOICE.match(body)
    if voiced and voiced.group(1) in options:
        rng["label"], body = voiced.group(1), voiced.group(2)
    if body and body != rng["label"]:
        rng["text"] = body
    return rng
