"""Dataset versions: a snapshot freezes a project's labeled data, so it can be exported again at any time.

Creating a snapshot streams the project's native JSON Lines export (``exports.iter_jsonl``, one read
transaction: a consistent view) into a gzip file -- mtime 0 and no file name, so the same content always
gives the same bytes -- while counting items, states, annotations, reviews and annotators, and collecting
the choice labels for agreement (``labelwise.qa``). Memory holds one page and the QA sample, never the project.
The finished file is stored once in the media store (``ctx.media.blobs``) as ``snapshots/<project>/<sha256>
.jsonl.gz``, named by its content: in the media folder, or in the bucket every server shares
(``LABELWISE_MEDIA_URL``), never in a server's local cache.

Every export of a snapshot is computed from that frozen file, read back as a stream: JSON Lines is the file
itself, other formats read it as pages of records with the schema version of the snapshot. The same
snapshot therefore exports to the same bytes whatever happened to the project since, on any server.
A snapshot written to a server's media folder before a bucket was configured is uploaded to the bucket
the first time that server reads it (after checking its SHA-256).
"""

from __future__ import annotations

import gzip
import hashlib
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

import orjson

from labelwise.domain.permissions import Action, Actor
from labelwise.domain.schema import LabelSchema, parse_schema
from labelwise.errors import Invalid, NotFound
from labelwise.formats import registry
from labelwise.formats.base import ExportReport
from labelwise.formats.native import EXPORT_FORMATS as NATIVE
from labelwise.formats.native import write_csv, write_parquet
from labelwise.services.access import ProjectAccess, open_project
from labelwise.services.context import Context
from labelwise.services.exports import MEDIA_TYPES, PAGE, ExportStream, iter_jsonl
from labelwise.services.snapshot_stats import Stats
from labelwise.store import audit, projects
from labelwise.store import snapshots as rows
from labelwise.store.clock import aware
from labelwise.store.items import ItemFilter

READ_CHUNK = 1 << 20
CONTENT_TYPE = "application/gzip"
PUBLIC = ("id", "name", "schema_version", "content_sha256", "file_sha256", "size", "items", "annotations",
          "summary", "created_by", "created_at")


def _public(row: dict[str, Any]) -> dict[str, Any]:
    out = {k: row[k] for k in PUBLIC}
    out["created_at"] = aware(out["created_at"])
    return out


def create_snapshot(ctx: Context, actor: Actor, ref: int | str, *, name: str = "") -> dict[str, Any]:
    """Freeze the project's items, annotations, reviews and predictions as they are now."""
    name = name.strip()
    if len(name) > 200:
        raise Invalid("a snapshot name has at most 200 characters")
    with ctx.db.read() as conn:
        access = open_project(ctx, conn, actor, ref, Action.manage)
    root = ctx.media.root
    root.mkdir(parents=True, exist_ok=True)
    stats = Stats(access.schema)
    content = hashlib.sha256()
    size = 0
    fd, tmp = tempfile.mkstemp(dir=root, prefix=".snapshot-")
    try:
        with os.fdopen(fd, "wb") as raw, \
                gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=6) as gz:
            for chunk in iter_jsonl(ctx, access, ItemFilter()):
                content.update(chunk)
                size += len(chunk)
                gz.write(chunk)
                stats.feed(chunk)
        digest = content.hexdigest()
        file_sha = _sha256(Path(tmp))
        key = f"snapshots/{access.id}/{digest}.jsonl.gz"
        blobs = ctx.media.blobs
        stored = blobs.remote and blobs.exists(key)  # a bucket's object is written once, never replaced
        if not stored:
            blobs.save(key, Path(tmp), content_type=CONTENT_TYPE)
    finally:
        Path(tmp).unlink(missing_ok=True)
    summary = stats.summary()
    guidelines = str(access.project.get("guidelines") or "")
    summary["guidelines"] = {"sha256": hashlib.sha256(guidelines.encode()).hexdigest(), "chars": len(guidelines),
                             "updated_at": aware(access.project["updated_at"]).isoformat()}  # type: ignore[union-attr]
    with ctx.db.write() as conn:
        access = open_project(ctx, conn, actor, ref, Action.manage)
        if stored:  # the SHA-256 of the object kept, were it compressed by another zlib
            file_sha = rows.file_sha256(conn, key) or file_sha
        snapshot_id = rows.insert_snapshot(
            conn, project_id=access.id, name=name, schema_version=int(access.project["schema_version"]),
            content_sha256=digest, file_sha256=file_sha, file_key=key, size=size, items=summary["items"],
            annotations=summary["annotations"], summary=summary, created_by=actor.id)
        audit.record(conn, user_id=actor.id, project_id=access.id, action="snapshot.create",
                     target=f"snapshot:{snapshot_id}", details={"items": summary["items"], "sha256": digest})
        row = rows.get_snapshot(conn, access.id, snapshot_id)
    assert row is not None
    return _public(row)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(READ_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def list_snapshots(ctx: Context, actor: Actor, ref: int | str) -> list[dict[str, Any]]:
    with ctx.db.read() as conn:
        access = open_project(ctx, conn, actor, ref, Action.browse)
        return [_public(r) for r in rows.list_snapshots(conn, access.id)]


def _load(ctx: Context, actor: Actor, ref: int | str, snapshot_id: int, action: Action
          ) -> tuple[ProjectAccess, dict[str, Any], LabelSchema]:
    with ctx.db.read() as conn:
        access = open_project(ctx, conn, actor, ref, action)
        row = rows.get_snapshot(conn, access.id, snapshot_id)
        if row is None:
            raise NotFound(f"snapshot {snapshot_id} not found in project {access.name!r}")
        key = (access.id, int(row["schema_version"]))
        schema = ctx.schemas.get(key)
        if schema is None:
            schema = ctx.schemas[key] = parse_schema(projects.schema_at(conn, access.id, key[1]))
    return access, row, schema


def get_snapshot(ctx: Context, actor: Actor, ref: int | str, snapshot_id: int) -> dict[str, Any]:
    return _public(_load(ctx, actor, ref, snapshot_id, Action.browse)[1])


def frozen_name(ctx: Context, row: dict[str, Any]) -> str:
    """The name of the snapshot's file in the media store; NotFound when it is not there."""
    name = str(row["file_key"])
    blobs = ctx.media.blobs
    if blobs.exists(name):
        return name
    legacy = ctx.media.root / name  # written to this server's media folder before the bucket was configured
    if blobs.remote and legacy.is_file() and _sha256(legacy) == row["file_sha256"]:
        blobs.save(name, legacy, content_type=CONTENT_TYPE)
        return name
    raise NotFound(f"the file of snapshot {row['id']} is missing from the media "
                   f"{'bucket' if blobs.remote else 'folder'} ({name})")


@contextmanager
def _gunzip(ctx: Context, name: str) -> Iterator[IO[bytes]]:
    raw = ctx.media.blobs.open(name)
    if raw is None:
        raise NotFound(f"the snapshot file {name} is missing from the media store")
    with raw, gzip.GzipFile(filename="", mode="rb", fileobj=raw) as gz:
        yield gz


def frozen_bytes(ctx: Context, name: str) -> Iterator[bytes]:
    """The snapshot's JSON Lines, uncompressed, in chunks, streamed from the media store."""
    with _gunzip(ctx, name) as f:
        while chunk := f.read(READ_CHUNK):
            yield chunk


def frozen_lines(ctx: Context, name: str) -> Iterator[bytes]:
    with _gunzip(ctx, name) as f:
        yield from f


def frozen_pages(ctx: Context, name: str, page: int = PAGE) -> Iterator[list[dict[str, Any]]]:
    """The snapshot's records a page at a time, as ``exports.iter_records`` gives a live project's."""
    out: list[dict[str, Any]] = []
    for line in frozen_lines(ctx, name):
        if line.strip():
            out.append(orjson.loads(line))
            if len(out) >= page:
                yield out
                out = []
    if out:
        yield out


def export_snapshot(ctx: Context, actor: Actor, ref: int | str, snapshot_id: int, fmt: str = "jsonl", *,
                    options: dict[str, Any] | None = None) -> ExportStream:
    """A snapshot in any export format, made from its frozen file (identical bytes every time)."""
    options = options or {}
    if fmt not in NATIVE and fmt not in registry.FORMATS:
        raise Invalid(f"format must be one of {', '.join([*NATIVE, *registry.FORMATS])}, not {fmt!r}")
    if fmt in NATIVE and options:
        raise Invalid(f"format {fmt!r} takes no options")
    access, row, schema = _load(ctx, actor, ref, snapshot_id, Action.manage)
    name = frozen_name(ctx, row)
    with ctx.db.write() as conn:
        audit.record(conn, user_id=actor.id, project_id=access.id, action="snapshot.export",
                     target=f"snapshot:{snapshot_id}", details={"format": fmt, **options})
    base = f"{access.name}-snapshot-{snapshot_id}".replace("/", "-").replace('"', "")[:120]
    fields = list(schema.fields)
    if fmt == "jsonl":
        return ExportStream(frozen_bytes(ctx, name), MEDIA_TYPES[fmt], f"{base}.jsonl")
    if fmt == "csv":
        return ExportStream(write_csv(frozen_pages(ctx, name), fields), MEDIA_TYPES[fmt], f"{base}.csv")
    if fmt == "parquet":
        return ExportStream(write_parquet(frozen_pages(ctx, name), fields), MEDIA_TYPES[fmt], f"{base}.parquet")
    spec = registry.get(fmt)
    try:
        chunks = registry.export(fmt, frozen_pages(ctx, name), schema, ExportReport(), **options)
    except ValueError as exc:
        raise Invalid(str(exc)) from None
    return ExportStream(chunks, spec.media_type, spec.filename(base))
