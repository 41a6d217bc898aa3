"""Transcriptions as WebVTT or SRT: one subtitle file per item, in a folder (zip).

Each range of the chosen ``audio_ranges``/``time_ranges`` label (``unit: seconds``) is a cue, in time
order: its ``text``, or its label when it has no text. With ``voices=True`` (WebVTT) the label is the cue's
voice, ``<v Speaker 1>text``. Files are ``<item key>.vtt`` / ``.srt`` (made file-name safe; a clash gets
``_2``, ``_3``... and is reported). Times are ``HH:MM:SS.mmm`` (VTT) and ``HH:MM:SS,mmm`` (SRT),
rounded to the millisecond. Ranges in samples are reported and left out (no sample rate is known).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from labelwise.formats.base import ExportReport, Pages, item_key, pick_labels, records, safe_name
from labelwise.formats.final import final_result
from labelwise.formats.folder import Entry
from labelwise.formats.ranges import KINDS


def timestamp(seconds: float, sep: str = ".") -> str:
    ms = round(seconds * 1000)
    h, rest = divmod(ms, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, ms = divmod(rest, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}{sep}{ms:03d}"


def _clean(text: str) -> str:
    """Cue text: no blank lines (they end a cue), and no ``-->``."""
    lines = [ln for ln in text.replace("\r", "").split("\n") if ln.strip()]
    return "\n".join(lines).replace("-->", "->")


def write_subtitles(pages: Pages, schema: Any, report: ExportReport, *, style: str = "vtt",
                    label: str | None = None, voices: bool = False) -> Iterator[Entry]:
    if style not in ("vtt", "srt"):
        raise ValueError(f"style must be 'vtt' or 'srt', not {style!r}")
    lab = pick_labels(schema, KINDS, label)[0]
    if lab.unit != "seconds":
        raise ValueError(f"label '{lab.name}' counts samples; subtitles need seconds")
    used: set[str] = set()
    for record in records(pages, report):
        key = item_key(record)
        name = safe_name(key)
        if name.casefold() in used:
            n = 2
            while f"{name}_{n}".casefold() in used:
                n += 1
            report.warn(key, None, f"file name '{name}.{style}' is taken; written as '{name}_{n}.{style}'")
            name = f"{name}_{n}"
        used.add(name.casefold())
        cues = sorted(final_result(record, lab.name) or [], key=lambda r: (r["start"], r["end"]))
        out = ["WEBVTT", ""] if style == "vtt" else []
        for i, r in enumerate(cues, start=1):
            text = _clean(r.get("text") or "") or r["label"]
            if style == "vtt":
                body = f"<v {r['label']}>{text}" if voices else text
                out += [f"{timestamp(r['start'])} --> {timestamp(r['end'])}", body, ""]
            else:
                out += [str(i), f"{timestamp(r['start'], ',')} --> {timestamp(r['end'], ',')}", text, ""]
        yield f"{name}.{style}", ("\n".join(out) + ("\n" if out else "")).encode()
