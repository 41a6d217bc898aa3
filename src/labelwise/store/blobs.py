"""Where media bytes live: named, immutable objects in a local folder or an S3-compatible bucket.

Names are relative paths made by ``services.media.MediaStore`` (``ab/<sha256>.png``,
``derived/ab/<sha256>.peaks.npy``); nothing here interprets them. An object is written once, whole, from a
finished local file, so a reader never sees half of one. The folder backend is the default;
``store.blobs_s3.S3Blobs`` (boto3, the ``s3`` extra) serves teams running several servers.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Protocol


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

    def url(self, name: str, *, content_type: str, cache_control: str) -> str | None:
        return None

    def origin(self) -> str | None:
        return None
