"""Where media bytes live: named, immutable objects in a local folder or an S3-compatible bucket.

Names are relative paths made by ``services.media.MediaStore`` (``ab/<sha256>.png``,
``derived/ab/<sha256>.peaks.npy``); nothing here interprets them. An object is written once, whole, from a
finished local file, so a reader never sees half of one. The folder backend is the default;
``store.blobs_s3.S3Blobs`` (boto3, the ``s3`` extra) serves teams running several servers.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol

CHUNK = 1 << 20
RANGE = re.compile(r"bytes=(\d*)-(\d*)")


@dataclass(frozen=True)
class Download:
    """Bytes of an object on their way to a client: 200 (whole) or 206 (``content_range``), or 416."""

    status: int
    length: int
    body: Iterator[bytes]
    content_range: str | None = None


def byte_range(header: str | None, size: int) -> tuple[int, int] | None:
    """[first, last] of one ``Range: bytes=`` header on a ``size``-byte object; None: the whole object.
    ValueError when the range cannot be satisfied."""
    match = RANGE.fullmatch((header or "").strip())
    if match is None or match.groups() == ("", ""):
        return None  # absent, several ranges or another unit: the whole object, as HTTP allows
    first, last = match.groups()
    if not first:  # the last N bytes
        start, end = max(0, size - int(last)), size - 1
    else:
        start, end = int(first), min(size - 1, int(last)) if last else size - 1
    if start > end or start >= size:
        raise ValueError("unsatisfiable range")
    return start, end


class Blobs(Protocol):
    """The storage interface ``MediaStore`` needs."""

    #: True when objects are not files on this machine (``local`` is then always None).
    remote: bool

    def exists(self, name: str) -> bool:
        """Whether the object is stored."""
        ...

    def save(self, name: str, source: Path, *, content_type: str) -> None:
        """Store the finished file ``source`` as ``name`` (the file may be moved away)."""
        ...

    def fetch(self, name: str, target: Path) -> bool:
        """Copy the object into the local file ``target``; False when there is no such object."""
        ...

    def local(self, name: str) -> Path | None:
        """The object as a file to read in place, if it is one (the folder backend)."""
        ...

    def get(self, name: str, range_header: str | None) -> Download | None:
        """The object's bytes (one ``Range: bytes=`` range when asked), streamed; None when there is none."""
        ...

    def open(self, name: str) -> BinaryIO | None:
        """The whole object as a file to read from its start (streamed, not fetched first); None when there is
        none. The caller closes it."""
        ...

    def url(self, name: str, *, content_type: str, cache_control: str) -> str | None:
        """A short-lived URL a browser can read the object from directly (ranges included), or None."""
        ...

    def origin(self) -> str | None:
        """``scheme://host[:port]`` of the URLs ``url`` gives (for the pages' Content-Security-Policy)."""
        ...


class FolderBlobs:
    """Objects as files under ``root``."""

    remote = False

    def __init__(self, root: Path) -> None:
        self.root = root

    def exists(self, name: str) -> bool:
        return (self.root / name).is_file()

    def save(self, name: str, source: Path, *, content_type: str) -> None:
        target = self.root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(source, target)

    def fetch(self, name: str, target: Path) -> bool:
        path = self.local(name)
        if path is None:
            return False
        shutil.copyfile(path, target)
        return True

    def local(self, name: str) -> Path | None:
        path = self.root / name
        return path if path.is_file() else None

    def get(self, name: str, range_header: str | None) -> Download | None:
        path = self.local(name)
        if path is None:
            return None
        size = path.stat().st_size
        try:
            wanted = byte_range(range_header, size)
        except ValueError:
            return Download(416, 0, iter(()), f"bytes */{size}")
        start, end = wanted or (0, size - 1)
        return Download(206 if wanted else 200, end - start + 1, _read(path, start, end - start + 1),
                        f"bytes {start}-{end}/{size}" if wanted else None)

    def open(self, name: str) -> BinaryIO | None:
        try:
            return (self.root / name).open("rb")
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            return None

    def url(self, name: str, *, content_type: str, cache_control: str) -> str | None:
        return None

    def origin(self) -> str | None:
        return None


def _read(path: Path, start: int, length: int) -> Iterator[bytes]:
    with path.open("rb") as f:
        f.seek(start)
        while length > 0 and (chunk := f.read(min(CHUNK, length))):
            length -= len(chunk)
            yield chunk
