"""Media files behind one storage interface: a local folder by default.

Paths are content-addressed (``ab/cdef....ext``) so that two uploads with the same name never
clash and a name can never escape the folder.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path
from typing import IO

from labelwise.errors import Invalid, NotFound

CHUNK = 1 << 20


class MediaStore:
    """Store and find media by key; keys are ``<sha256[:2]>/<sha256>.<ext>``."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def put(self, stream: IO[bytes], filename: str) -> str:
        suffix = Path(filename).suffix.lower()[:16]
        if suffix and not suffix[1:].isalnum():
            suffix = ""
        self.root.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        fd, tmp = tempfile.mkstemp(dir=self.root, prefix=".upload-")
        try:
            with os.fdopen(fd, "wb") as out:
                while chunk := stream.read(CHUNK):
                    digest.update(chunk)
                    out.write(chunk)
            key = f"{digest.hexdigest()[:2]}/{digest.hexdigest()}{suffix}"
            target = self.root / key
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return key

    def put_file(self, path: Path) -> str:
        with path.open("rb") as f:
            return self.put(f, path.name)

    def path(self, key: str) -> Path:
        """The local file for a key; refuses anything that is not a key we made."""
        parts = key.split("/")
        if len(parts) != 2 or len(parts[0]) != 2 or not all(p and p not in (".", "..") for p in parts) \
                or any(c in key for c in "\\\x00"):
            raise Invalid(f"not a media key: {key!r}")
        path = self.root / parts[0] / parts[1]
        if not path.is_file():
            raise NotFound(f"media {key!r} not found")
        return path
