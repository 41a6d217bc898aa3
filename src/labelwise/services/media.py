"""Media files behind one storage interface (``store.blobs``): a local folder by default, an S3-compatible
bucket for teams (``LABELWISE_MEDIA_URL=s3://bucket/prefix``).

Keys are content-addressed (``ab/cdef....ext``) so that two uploads with the same name never clash and a
name can never escape the folder. With a bucket, the media folder becomes a local cache of the objects this
process has read (originals to compute views from, derived views), trimmed to ``LABELWISE_MEDIA_CACHE_MB``;
derived views are stored in the bucket too, so every server shares them.
"""

from __future__ import annotations

import hashlib
import mimetypes
import os
import re
import stat
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING

from labelwise.errors import Invalid, NotFound
from labelwise.store.blobs import Blobs, Download, FolderBlobs

if TYPE_CHECKING:
    from labelwise.config import Settings

CHUNK = 1 << 20
KEY = re.compile(r"([0-9a-f]{2})/(\1[0-9a-f]{62})(\.[a-z0-9]{1,15})?")
DERIVED = re.compile(r"[a-z0-9_.-]{1,40}")
CACHED = re.compile(r"[0-9a-f]{2}|derived")  # the folders of the cache (snapshots/ is never trimmed)
CACHE_CONTROL = "private, max-age=86400, immutable"  # keys are content hashes: a key's bytes never change
EXTRA_TYPES = {".flac": "audio/flac", ".opus": "audio/ogg", ".oga": "audio/ogg", ".webm": "video/webm",
               ".mkv": "video/x-matroska", ".parquet": "application/vnd.apache.parquet", ".wav": "audio/wav"}


@dataclass(frozen=True)
class Readable:
    """How to hand a stored file to a browser: a local ``path`` to send, a ``url`` to redirect to, or the
    ``name`` of an object to stream from the bucket (``MediaStore.download``)."""

    content_type: str
    path: Path | None = None
    url: str | None = None
    name: str | None = None


class MediaStore:
    """Store and find media by key; keys are ``<sha256[:2]>/<sha256>.<ext>``.

    ``put`` stores, ``path`` gives a local file to read (fetched into the cache from a bucket), ``derived``
    the local file of a view computed from a key (display images, peaks) and ``publish`` shares a view
    once written; ``readable`` says how a browser gets a key's bytes.
    """

    def __init__(self, root: Path, blobs: Blobs | None = None, *, cache_bytes: int = 0) -> None:
        self.root = root  # the media (folder backend) or the local cache (bucket)
        self.blobs: Blobs = blobs or FolderBlobs(root)
        self.cache_bytes = cache_bytes
        self._cache_size: int | None = None  # bytes in the cache as this process counts them (None: not yet)
        self._cache_lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings: Settings) -> MediaStore:
        if not settings.media_url:
            return cls(settings.media_path)
        from labelwise.store.blobs_s3 import S3Blobs

        blobs = S3Blobs(settings.media_url, endpoint_url=settings.s3_endpoint_url, region=settings.s3_region,
                        url_seconds=settings.s3_url_seconds, presign=settings.s3_presign)
        return cls(settings.media_path, blobs, cache_bytes=settings.media_cache_mb << 20)

    @property
    def remote(self) -> bool:
        return self.blobs.remote

    def origin(self) -> str | None:
        """Where browsers read media from when it is not this server (for the Content-Security-Policy)."""
        return self.blobs.origin()

    def put(self, stream: IO[bytes], filename: str) -> str:
        suffix = Path(filename).suffix.lower()[:16]
        if suffix and not suffix[1:].isalnum():
            suffix = ""
        self.root.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        fd, name = tempfile.mkstemp(dir=self.root, prefix=".upload-")
        tmp = Path(name)
        try:
            with os.fdopen(fd, "wb") as out:
                while chunk := stream.read(CHUNK):
                    digest.update(chunk)
                    out.write(chunk)
            key = f"{digest.hexdigest()[:2]}/{digest.hexdigest()}{suffix}"
            if not self.remote or not self.blobs.exists(key):
                self.blobs.save(key, tmp, content_type=self.content_type(key))
            if tmp.exists():  # uploaded to a bucket: keep the file as the cached copy (probing reads it next)
                self._keep(key, tmp)
        finally:
            tmp.unlink(missing_ok=True)
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

    def exists(self, key: str) -> bool:
        """Whether ``key`` is a key and stored (without fetching it)."""
        return isinstance(key, str) and KEY.fullmatch(key) is not None and self.blobs.exists(key)

    def path(self, key: str) -> Path:
        """A local file with the key's bytes; refuses anything that is not a key we made."""
        self.check_key(key)
        path = self.blobs.local(key) or (self._cached(key) if self.remote else None)
        if path is None:
            raise NotFound(f"media {key!r} not found")
        return path

    def derived(self, key: str, name: str) -> Path:
        """The local file of a view derived from ``key`` (``name``: a fixed suffix such as ``display.png``);
        it exists when the view was made, here or (with a bucket) by any server."""
        self.check_key(key)
        if not DERIVED.fullmatch(name) or ".." in name:
            raise Invalid(f"not a derived name: {name!r}")
        path = self.root / "derived" / key[:2] / f"{key[3:]}.{name}"
        path.parent.mkdir(parents=True, exist_ok=True)
        if self.remote and not path.exists():
            self._cached(self._name(path))
        return path

    def publish(self, path: Path) -> None:
        """Share a derived file just written (a no-op for the folder backend, where it already is)."""
        if self.remote:
            self.blobs.save(self._name(path), path, content_type=self.content_type(path.name))

    def readable(self, key: str) -> Readable:
        """The key's bytes for a browser: a presigned URL of the bucket, else the local file."""
        self.check_key(key)
        if self.remote:
            return self.readable_file(self.root / key)
        return Readable(self.content_type(key), path=self.path(key))

    def readable_file(self, path: Path) -> Readable:
        """As ``readable``, for a file ``path`` or ``derived`` gave."""
        content_type = self.content_type(path.name)
        if self.remote:
            name = self._name(path)
            url = self.blobs.url(name, content_type=content_type, cache_control=CACHE_CONTROL)
            return Readable(content_type, url=url, name=None if url else name)
        return Readable(content_type, path=path)

    def download(self, readable: Readable, range_header: str | None) -> Download:
        """The bytes of a ``readable`` with a ``name`` (a bucket without presigned URLs), one range passed on."""
        got = self.blobs.get(readable.name, range_header) if readable.name else None
        if got is None:
            raise NotFound("media not found")
        return got

    @staticmethod
    def content_type(key: str) -> str:
        suffix = Path(key).suffix.lower()
        return EXTRA_TYPES.get(suffix) or mimetypes.guess_type(f"x{suffix}")[0] or "application/octet-stream"

    def _name(self, path: Path) -> str:
        name = path.relative_to(self.root).as_posix()
        if not CACHED.fullmatch(name.split("/", 1)[0]):
            raise Invalid(f"not a media file: {name[:100]!r}")
        return name

    def _keep(self, name: str, tmp: Path) -> Path:
        target = self.root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(tmp, target)
        self._trim(keep=target)
        return target

    def _cached(self, name: str) -> Path | None:
        """The cached copy of object ``name``, fetched when missing; None when the bucket has no such object."""
        target = self.root / name
        if target.is_file():
            os.utime(target)  # recently used: trimmed last
            return target
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.root, prefix=".fetch-")
        os.close(fd)
        try:
            if not self.blobs.fetch(name, Path(tmp)):
                return None
            return self._keep(name, Path(tmp))
        finally:
            Path(tmp).unlink(missing_ok=True)

    def _trim(self, keep: Path) -> None:
        """Past ``cache_bytes`` (0: no limit), remove the least recently used cached files down to 90% of it.

        The cache's size is counted once, then kept up to date as files arrive; the folder is walked again
        only to trim, so filling the cache costs one walk, not one per file.
        """
        if not self.remote or not self.cache_bytes:
            return
        with self._cache_lock:
            if self._cache_size is None:
                self._cache_size = sum(size for _, size, _ in self._cache_files())
            else:
                self._cache_size += keep.stat().st_size
            if self._cache_size <= self.cache_bytes:
                return
            files = self._cache_files()
            size = sum(size for _, size, _ in files)
            for _, file_size, path in sorted(files):
                if size <= self.cache_bytes * 9 // 10:
                    break
                if path != keep:
                    path.unlink(missing_ok=True)
                    size -= file_size
            self._cache_size = size

    def _cache_files(self) -> list[tuple[float, int, Path]]:
        """(last use, size, path) of every cached file (originals and derived views, not snapshots)."""
        files = []
        for folder in self.root.iterdir():
            if not (folder.is_dir() and CACHED.fullmatch(folder.name)):
                continue
            for path in folder.rglob("*"):
                try:
                    info = path.stat()
                except FileNotFoundError:  # trimmed by another process meanwhile
                    continue
                if stat.S_ISREG(info.st_mode):
                    files.append((info.st_mtime, info.st_size, path))
        return files
