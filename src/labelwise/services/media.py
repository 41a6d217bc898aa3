"""Media files behind one storage interface: a local folder by default.

Paths are content-addressed (``ab/cdef....ext``) so that two uploads with the same name never
clash and a name can never escape the folder.
"""

from __future__ import annotations

import hashlib
import mimetypes
import os
import re
import tempfile
from pathlib import Path
from typing import IO

from labelwise.errors import Invalid, NotFound

CHUNK = 1 << 20
KEY = re.compile(r"([0-9a-f]{2})/(\1[0-9a-f]{62})(\.[a-z0-9]{1,15})?")
EXTRA_TYPES = {".flac": "audio/flac", ".opus": "audio/ogg", ".oga": "audio/ogg", ".webm": "video/webm",
               ".mkv": "video/x-matroska", ".parquet": "application/vnd.apache.parquet", ".wav": "audio/wav"}


class MediaStore:
    """Store and find media by key; keys are ``<sha256[:2]>/<sha256>.<ext>``.

    The whole interface is ``put``, ``path`` (a local file to read or serve), ``derived`` (a local cache
    file made from a key: display images, peaks) and ``content_type``; another backend (S3) needs only
    these, with ``path`` fetching into a local cache.
    """

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

    @staticmethod
    def check_key(key: str) -> str:
        """``key`` if it is a key ``put`` could have made (so it cannot name any other file)."""
        if not isinstance(key, str) or KEY.fullmatch(key) is None:
            raise Invalid(f"not a media key: {key[:100]!r}")
        return key

    def path(self, key: str) -> Path:
        """The local file for a key; refuses anything that is not a key we made."""
        self.check_key(key)
        path = self.root / key
        if not path.is_file():
            raise NotFound(f"media {key!r} not found")
        return path

    def derived(self, key: str, name: str) -> Path:
        """Where a file derived from ``key`` is cached (``name``: a fixed suffix such as ``display.png``)."""
        self.check_key(key)
        if not re.fullmatch(r"[a-z0-9_.-]{1,40}", name) or ".." in name:
            raise Invalid(f"not a derived name: {name!r}")
        folder = self.root / "derived" / key[:2]
        folder.mkdir(parents=True, exist_ok=True)
        return folder / f"{key[3:]}.{name}"

    @staticmethod
    def content_type(key: str) -> str:
        suffix = Path(key).suffix.lower()
        return EXTRA_TYPES.get(suffix) or mimetypes.guess_type(f"x{suffix}")[0] or "application/octet-stream"
