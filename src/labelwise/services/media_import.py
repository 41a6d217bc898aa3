"""Import media files: a folder, a zip, or uploaded files become one item each.

Each file is stored in the MediaStore, probed (``media_probe``) and turned into a row
``{"key": <file name>, "data": {<field>: "media:<key>"}, "meta": {"media": {<field>: facts}}}`` that goes
through the staged import (``imports.import_rows``), so the whole import is atomic and a file that cannot
be read is reported by name (rejecting the import unless ``skip_invalid``). The project's media
references are recorded first (``store.media_refs``) and removed again if the import fails.
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import IO, Any

from labelwise.domain.permissions import Action, Actor
from labelwise.errors import Invalid
from labelwise.formats.records import Row, RowError
from labelwise.services import imports
from labelwise.services.access import open_project
from labelwise.services.context import Context
from labelwise.services.media_probe import kind_of, probe
from labelwise.store import media_refs

MEDIA_KINDS = ("image", "audio", "video", "timeseries")
PREFIX = "media:"
Opener = Callable[[], IO[bytes]]


def media_key(value: Any) -> str | None:
    """The store key of a ``media:<key>`` data value, else None."""
    return value[len(PREFIX):] if isinstance(value, str) and value.startswith(PREFIX) else None


def _skip(name: str) -> bool:
    parts = Path(name).parts
    return not parts or any(p.startswith(".") or p == "__MACOSX" for p in parts)


def folder_files(folder: Path) -> Iterator[tuple[str, Opener]]:
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        name = path.relative_to(folder).as_posix()
        if not _skip(name):
            yield name, (lambda p=path: p.open("rb"))


def zip_files(archive: zipfile.ZipFile) -> Iterator[tuple[str, Opener]]:
    for info in sorted(archive.infolist(), key=lambda i: i.filename):
        if not info.is_dir() and not _skip(info.filename):
            yield info.filename, (lambda i=info: archive.open(i))


def _field_for(kind: str | None, fields: dict[str, str], field: str | None) -> str:
    if kind is None:
        raise Invalid("not a media file this importer knows (by its extension)")
    if field is not None:
        if fields.get(field) != kind:
            raise Invalid(f"field {field!r} is not a {kind} field of the schema")
        return field
    matching = [f for f, k in fields.items() if k == kind]
    if len(matching) != 1:
        raise Invalid(f"the schema has {'no' if not matching else 'several'} {kind} fields"
                      + (f" ({', '.join(matching)}): say which with field" if matching else ""))
    return matching[0]


def import_files(ctx: Context, actor: Actor, ref: int | str, files: Iterable[tuple[str, Opener]], *,
                 source: str = "media", field: str | None = None, skip_invalid: bool = False) -> imports.ImportReport:
    """Store, probe and import ``(name, open)`` pairs as one atomic import (see the module doc)."""
    with ctx.db.read() as conn:
        access = open_project(ctx, conn, actor, ref, Action.manage)
    fields = {f: k for f, k in access.schema.fields.items() if k in MEDIA_KINDS}
    if not fields:
        raise Invalid("the project's schema has no image, audio, video or timeseries field")
    rows: list[Row] = []
    refs: list[dict[str, Any]] = []
    for number, (name, opener) in enumerate(files, start=1):
        kind = kind_of(name)
        try:
            target = _field_for(kind, fields, field)
            with opener() as stream:
                key = ctx.media.put(stream, name)
            facts = probe(ctx.media.path(key), fields[target])
        except Invalid as exc:
            rows.append((number, RowError(f"{name}: {exc.message}")))
            continue
        refs.append({"key": key, "kind": fields[target], "name": name, "facts": facts})
        rows.append((number, {"key": name, "data": {target: PREFIX + key},
                              "meta": {"media": {target: facts}, "file": name}}))
    if not rows:
        raise Invalid("no files to import")
    with ctx.db.write() as conn:
        added = media_refs.add(conn, access.id, refs)
    try:
        return imports.import_rows(ctx, actor, access.id, rows, source=source, skip_invalid=skip_invalid)
    except BaseException:
        with ctx.db.write() as conn:
            media_refs.remove(conn, access.id, added)
        raise


def import_path(ctx: Context, actor: Actor, ref: int | str, path: Path, **options: Any) -> imports.ImportReport:
    """Import a folder of media files, a zip of them, or one file."""
    if path.is_dir():
        return import_files(ctx, actor, ref, folder_files(path), source=path.name, **options)
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            return import_files(ctx, actor, ref, zip_files(archive), source=path.name, **options)
    if path.is_file():
        return import_files(ctx, actor, ref, [(path.name, lambda: path.open("rb"))], source=path.name, **options)
    raise Invalid(f"{path} is not a folder, a zip or a file")
