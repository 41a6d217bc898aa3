"""Folder formats: written as a zip *stream*, read from a zip file, a directory or a binary stream.

A folder writer yields entries ``(path, chunks)`` where ``chunks`` is bytes or an iterable of bytes.
:func:`zip_stream` turns them into zip bytes as they come: ``zipfile.ZipFile`` writes into a sink that
cannot seek, so it uses data descriptors, and the sink is drained after every chunk. Memory holds one
chunk at a time, never the archive. Entries carry a fixed timestamp, so the same export gives the same bytes.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

from labelwise.formats.base import FormatError

Entry = tuple[str, bytes | Iterable[bytes]]


class _Sink(io.RawIOBase):
    """A write-only, non-seekable stream whose bytes are taken out with :meth:`drain`."""

    def __init__(self) -> None:
        self._parts: list[bytes] = []
        self._pos = 0

    def writable(self) -> bool:
        return True

    def write(self, b: Any) -> int:
        data = bytes(b)
        self._parts.append(data)
        self._pos += len(data)
        return len(data)

    def tell(self) -> int:
        return self._pos

    def drain(self) -> bytes:
        out = b"".join(self._parts)
        self._parts.clear()
        return out


def zip_stream(entries: Iterable[Entry], *, compression: int = zipfile.ZIP_DEFLATED) -> Iterator[bytes]:
    """Zip bytes for ``entries``, produced while the entries are produced."""
    sink = _Sink()
    with zipfile.ZipFile(sink, "w", compression=compression) as zf:
        for path, chunks in entries:
            info = zipfile.ZipInfo(path, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = compression
            with zf.open(info, "w", force_zip64=True) as member:
                for chunk in [chunks] if isinstance(chunks, bytes | bytearray) else chunks:
                    member.write(chunk)
                    out = sink.drain()
                    if out:
                        yield out
            out = sink.drain()
            if out:
                yield out
    yield sink.drain()


class Folder:
    """Read-only view of a folder format: a directory, a zip file path, or a zip as a binary stream."""

    def __init__(self, source: str | Path | IO[bytes], name: str | None = None) -> None:
        self._dir: Path | None = None
        self._zip: zipfile.ZipFile | None = None
        if isinstance(source, str | Path) and Path(source).is_dir():
            self._dir = Path(source)
            self.name = name or str(source)
            return
        default = str(source) if isinstance(source, str | Path) else getattr(source, "name", "<zip>")
        self.name = name or default
        try:
            self._zip = zipfile.ZipFile(source)
        except (zipfile.BadZipFile, OSError) as exc:
            raise FormatError(str(self.name), "", f"neither a directory nor a zip file ({exc})") from None

    def names(self) -> list[str]:
        """Every file path, ``/``-separated and relative to the folder, sorted."""
        if self._dir is not None:
            return sorted(p.relative_to(self._dir).as_posix() for p in self._dir.rglob("*") if p.is_file())
        assert self._zip is not None
        return sorted(n for n in self._zip.namelist() if not n.endswith("/"))

    def read(self, path: str) -> bytes:
        if self._dir is not None:
            return (self._dir / path).read_bytes()
        assert self._zip is not None
        return self._zip.read(path)

    def where(self, path: str) -> str:
        return f"{self.name}/{path}" if self._dir is not None else f"{self.name}!{path}"
