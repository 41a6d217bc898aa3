"""What every dataset format shares: the export report, reader errors, and small stream helpers.

Writers take *pages* (lists of native record dicts, see :mod:`labelwise.formats.native`) and a
``LabelSchema``; they never hold all records. Problems that would otherwise lose data silently (a span
that does not fall on token boundaries, a box without an image size, a name clash) go to an
:class:`ExportReport`. Readers raise :class:`FormatError`, which names the file, the line or object and
the reason.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

import orjson

Record = dict[str, Any]
Pages = Iterable[list[Record]]

#: at most this many problems are kept one by one; the rest are only counted
MAX_PROBLEMS = 1000


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing an export could not write faithfully."""

    key: str | None
    label: str | None
    message: str

    def to_dict(self) -> dict[str, Any]:
        return {"key": self.key, "label": self.label, "message": self.message}


@dataclass
class ExportReport:
    """Problems met while writing, filled in as the stream is consumed (so read it at the end).

    Memory stays bounded: the first ``MAX_PROBLEMS`` problems are kept, later ones are only counted.
    """

    items: int = 0
    problems: list[Problem] = field(default_factory=list)
    dropped: int = 0

    def warn(self, key: Any, label: str | None, message: str) -> None:
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(Problem(None if key is None else str(key), label, message))
        else:
            self.dropped += 1

    @property
    def ok(self) -> bool:
        return not self.problems

    def messages(self) -> list[str]:
        return [f"{p.key}: {p.label}: {p.message}" if p.label else f"{p.key}: {p.message}"
                for p in self.problems]

    def to_dict(self) -> dict[str, Any]:
        return {"items": self.items, "problems": [p.to_dict() for p in self.problems],
                "more_problems": self.dropped}


class FormatError(ValueError):
    """Malformed input: ``file``, ``where`` (``line 4``, ``annotation 12``...) and ``reason``."""

    def __init__(self, file: str, where: str, reason: str) -> None:
        self.file, self.where, self.reason = file, where, reason
        super().__init__(f"{file}: {where}: {reason}" if where else f"{file}: {reason}")


def records(pages: Pages, report: ExportReport | None = None) -> Iterator[Record]:
    """The records of ``pages`` one at a time, counting them in ``report``."""
    for page in pages:
        for record in page:
            if report is not None:
                report.items += 1
            yield record


def dumps(value: Any) -> bytes:
    return orjson.dumps(value, option=orjson.OPT_NAIVE_UTC | orjson.OPT_UTC_Z)


def item_key(record: Record) -> str:
    key = record.get("key")
    return str(key if key is not None else record.get("id", ""))


_UNSAFE = re.compile(r"[^\w.\-]+")


def safe_name(text: str, default: str = "item") -> str:
    """A file-name-safe version of ``text`` (word characters, dot, dash; Unicode letters kept)."""
    name = _UNSAFE.sub("_", text).strip("._")
    return name[:120] or default


def source_name(ref: Any) -> str:
    """The file name part of a media reference (URL, path or media key), without query string."""
    text = str(ref.get("url") or ref.get("path") or "") if isinstance(ref, dict) else str(ref or "")
    text = text.split("?", 1)[0].split("#", 1)[0].replace("\\", "/")
    last = text.rpartition("/")[2]
    return last if last not in ("", ".") else PurePosixPath(text).name  # the path's rules for "a/", "a/."


class TextBuffer:
    """Collects text and hands it back as UTF-8 chunks of about ``size`` bytes."""

    def __init__(self, size: int = 1 << 16) -> None:
        self._buf = io.StringIO()
        self._size = size

    def write(self, text: str) -> None:
        self._buf.write(text)

    def full(self) -> bool:
        return self._buf.tell() >= self._size

    def take(self) -> bytes:
        out = self._buf.getvalue().encode()
        self._buf.seek(0)
        self._buf.truncate()
        return out


def pick_labels(schema: Any, kinds: tuple[str, ...], names: list[str] | str | None = None,
                field: str | None = None) -> list[Any]:
    """The schema's labels a format writes: those named (checked to be of one of ``kinds``), else every
    label of those kinds (bound to ``field`` when given). ``ValueError`` when there is none."""
    if isinstance(names, str):
        names = [names]
    if names:
        labels = [schema.label(n) for n in names]
        for lab in labels:
            if lab.kind not in kinds:
                raise ValueError(f"label '{lab.name}' is {lab.kind}; this format writes {', '.join(kinds)}")
        return labels
    labels = [lab for lab in schema.labels if lab.kind in kinds
              and (field is None or getattr(lab, "field", None) == field)]
    if not labels:
        raise ValueError(f"the schema has no label of kind {', '.join(kinds)} for this format")
    return labels


def new_record(key: str, data: dict[str, Any], result: dict[str, Any], *, annotator: str = "import",
               model: str | None = None, score: float | None = None, meta: dict[str, Any] | None = None,
               ) -> Record:
    """A native-record-like dict for a reader: ``result`` as one annotation by ``annotator``, or as one
    prediction of ``model`` when a model name is given."""
    record: Record = {"key": key, "data": data, "meta": meta or {}, "annotations": [], "predictions": []}
    if model is not None:
        record["predictions"].append({"model": model, "score": score, "result": result})
    else:
        record["annotations"].append({"annotator": annotator, "result": result})
    return record
