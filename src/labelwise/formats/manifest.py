"""``manifest.jsonl`` of the folder image formats (YOLO, VOC): which item each label file belongs to.

One line per item: ``{"key", "source", "image", "labels", "width", "height"}``: ``source`` is the item's
image reference (URL, path or media key), ``image`` the path the image should be saved under for the
label file next to it to match (``images/<stem><suffix>``), ``labels`` the label file (``null`` when the
item could not be written). Readers use it to restore keys, sources and sizes.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from typing import Any

import orjson

from labelwise.formats.base import FormatError, dumps
from labelwise.formats.folder import Folder

NAME = "manifest.jsonl"


class ManifestWriter:
    """Rows spooled to a temporary file (memory, then disk past 4 MB) and handed back as one entry."""

    def __init__(self) -> None:
        self._spool = tempfile.SpooledTemporaryFile(max_size=4 << 20)  # noqa: SIM115 - closed in chunks()

    def add(self, row: dict[str, Any]) -> None:
        self._spool.write(dumps(row) + b"\n")

    def chunks(self) -> Iterator[bytes]:
        self._spool.seek(0)
        while chunk := self._spool.read(1 << 16):
            yield chunk
        self._spool.close()


def read_manifest(folder: Folder) -> dict[str, dict[str, Any]]:
    """Manifest rows by label file path (empty when the folder has no manifest)."""
    if NAME not in folder.names():
        return {}
    out = {}
    for n, line in enumerate(folder.read(NAME).splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = orjson.loads(line)
        except orjson.JSONDecodeError as exc:
            raise FormatError(folder.where(NAME), f"line {n}", f"not valid JSON ({exc})") from None
        if not isinstance(row, dict) or not isinstance(row.get("key"), str):
            raise FormatError(folder.where(NAME), f"line {n}", 'expected an object with a "key" string')
        if row.get("labels"):
            out[str(row["labels"])] = row
    return out
