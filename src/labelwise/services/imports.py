"""Import items from files or records: streamed, validated, written in batches, published at once.

Rows are written in batches (one transaction each) as *staged* items that nobody can see (they carry
the import's id, and stay out of the visible-item indexes: see ``store.tables.VISIBLE``). Only
when every row has been read does one last transaction write the last batch and publish them all;
without labels, the last batch (an import's only one, for a small import) is written visible in that
one transaction, so that only the batches before it are published by an update. A bad row (unparsable, or
missing a field the schema binds) rejects the whole import unless ``skip_invalid``; a crash
half-way leaves only staged rows, which ``recover_stale_imports`` removes.
"""

from __future__ import annotations

import csv
import logging
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import IO, Any

from sqlalchemy import Connection

from labelwise.domain.permissions import Action, Actor
from labelwise.errors import Conflict, Invalid, LabelwiseError, NotFound
from labelwise.formats import registry
from labelwise.formats.records import FORMATS as ROW_FORMATS
from labelwise.formats.records import Row, RowError, read_rows
from labelwise.services import collector, quality
from labelwise.services.access import ProjectAccess, open_project
from labelwise.services.context import Context
from labelwise.services.import_labels import LabelPolicy, read_format
from labelwise.services.import_rows import Extras, Pending, RowProblem, RowReader
from labelwise.services.process_owner import is_dead, this_process
from labelwise.store import audit, imported_labels, media_refs, statistics
from labelwise.store import items as item_rows
from labelwise.store import quality as quality_rows
from labelwise.store.clock import aware, now

log = logging.getLogger("labelwise.imports")

MAX_REPORTED_ERRORS = 1000
csv.field_size_limit(1 << 30)  # fields up to 1 GiB: a long document is data, not an attack


@dataclass
class ImportReport:
    created: int = 0
    skipped: int = 0  # rows whose key the project already holds
    invalid: int = 0  # bad rows left out (only with skip_invalid)
    annotations: int = 0  # submitted annotations that came with the rows
    rows: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)
    import_id: int | None = None
    # each written batch: (its item ids, the row each came from), ranges when consecutive (so a plain import
    # keeps two small objects per batch); the row of a key met again in a later batch is found from its id
    written: list[tuple[Sequence[int], Sequence[int]]] = field(default_factory=list, repr=False)
    gold: int = 0  # items marked gold by a ``gold`` answer in their row
    gold_ids: list[int] = field(default_factory=list, repr=False)
    media_keys: list[str] = field(default_factory=list, repr=False)  # media_refs this import added
    staged: tuple[int, int] | None = field(default=None, repr=False)  # the first and last id of its staged items

    def as_dict(self) -> dict[str, Any]:
        return {"import_id": self.import_id, "rows": self.rows, "created": self.created, "skipped": self.skipped,
                "invalid": self.invalid, "annotations": self.annotations, "gold": self.gold, "errors": self.errors}

    def add_error(self, row: int, msg: str, loc: list[Any] | None = None) -> None:
        if len(self.errors) < MAX_REPORTED_ERRORS:
            self.errors.append({"row": row, "loc": loc or [], "msg": msg})

    def row_of(self, item_id: int) -> int | None:
        """The row that brought an item this import wrote (ids grow from batch to batch: allocate_ids)."""
        at = bisect_right(self.written, item_id, key=lambda batch: batch[0][0]) - 1
        if at < 0:
            return None
        ids, rows = self.written[at]
        i = bisect_left(ids, item_id)
        return rows[i] if i < len(ids) and ids[i] == item_id else None


def _compact(values: Sequence[int]) -> Sequence[int]:
    """Strictly increasing numbers as a range when they are consecutive (then the last is the first plus
    their count less one), else as an array of 8 bytes each."""
    if isinstance(values, range) or not values:
        return values if values else range(0)
    if values[-1] - values[0] == len(values) - 1:
        return range(values[0], values[-1] + 1)
    return array("q", values)


def import_rows(ctx: Context, actor: Actor, ref: int | str, rows: Iterable[Row], *, source: str = "",
                skip_invalid: bool = False, key_field: str | None = None,
                progress: Callable[[int], None] | None = None, labels: LabelPolicy | None = None) -> ImportReport:
    """Import ``(row_number, row)`` pairs. Raises Invalid with every bad row unless ``skip_invalid``.

    With ``labels``, the rows' annotations are imported too (as submitted annotations or predictions):
    staged with their items, so that they appear, with the items' states, when the import is published.
    """
    with ctx.db.write() as conn:
        access = open_project(ctx, conn, actor, ref, Action.manage)
        import_id = item_rows.insert_import(conn, project_id=access.id, user_id=actor.id, source=source[:500],
                                            owner=this_process())
    report = ImportReport(import_id=import_id)
    reader = RowReader(access.schema, key_field, access.project["ordering"], labels, access=access,
                        media=ctx.media)
    version = int(access.project["schema_version"])
    try:
        batch: list[Pending] = []
        # each batch read with the cyclic collector paused (its rows' dicts are garbage without cycles)
        for batch, last in collector.paused(_batches(rows, reader, report, ctx.settings.import_batch_size)):
            if last:
                break
            with ctx.db.write(foreign_keys=not _plain(batch)) as conn:
                _check_still_running(conn, import_id, actor.id)
                _write_batch(conn, access, import_id, batch, report, skip_invalid, version, labels, actor.id)
            if progress:
                progress(report.rows)
        # The last batch and the publishing in one transaction. Without labels, the staged batches are
        # published first and the last batch is then written visible (nobody sees either before this
        # commit): in this order both enter the visible-item indexes at their end, ids growing. Published
        # after the last batch, the staged items went in before its entries, splitting index pages (a third
        # more of SQLite's work for a staged item). With labels, the last batch is staged too: publishing
        # settles the states.
        visible = labels is None
        with ctx.db.write(foreign_keys=not (visible and _plain(batch))) as conn:
            _check_still_running(conn, import_id, actor.id)
            if visible and report.staged:
                item_rows.publish_staged(conn, import_id, report.staged)
            _write_batch(conn, access, import_id, batch, report, skip_invalid, version, labels, actor.id,
                         visible=visible)
            if labels is not None:
                labels.check_unknown()
            if report.errors and not skip_invalid:
                raise Invalid(
                    f"{report.invalid} of {report.rows} rows are invalid; nothing was imported "
                    "(fix them, or import with skip_invalid to keep the valid rows)",
                    errors=report.errors,
                )
            if not visible and report.staged:
                item_rows.publish_staged(conn, import_id, report.staged, settled=True)
            item_rows.finish_import(conn, import_id, report.as_dict())
            quality_rows.set_open(conn, dict.fromkeys(report.gold_ids, False))
            audit.record(conn, user_id=actor.id, project_id=access.id, action="import", target=source[:200],
                         details={k: v for k, v in report.as_dict().items() if k != "errors"})
    except BaseException as exc:
        with ctx.db.write() as conn:
            item_rows.discard_import(conn, import_id, report.as_dict(), staged=report.staged)
            media_refs.remove(conn, access.id, report.media_keys)
            if isinstance(exc, LabelwiseError) and not isinstance(exc, _Gone):
                audit.record(conn, user_id=actor.id, project_id=access.id, action="import.rejected",
                             target=source[:200], details={"rows": report.rows, "invalid": report.invalid})
        raise
    _index_later(ctx)
    _refresh_statistics(ctx, report)
    if progress:
        progress(report.rows)
    return report


class _Gone(NotFound):
    """What the import writes for went away while it ran: its project, or its user."""


def _check_still_running(conn: Connection, import_id: int, user_id: int | None) -> None:
    """Raise unless the import is still running, for its project and its user. One lookup a batch, which is
    also what lets a plain batch be written without SQLite's foreign key checks on each row (``_plain``):
    its rows reference only the project, the import, and the items written with them."""
    found = item_rows.import_status(conn, import_id)
    if found is None:  # imports go with their project
        raise _Gone("the project was deleted while this import ran; nothing was imported")
    status, by = found
    if by != user_id:  # set to NULL when the user is deleted
        raise _Gone("the importing user was deleted while this import ran; nothing was imported")
    if status != "running":
        raise Conflict("this import was given up while it ran (its process had been silent too long); "
                       "nothing was imported: import the file again")


def _plain(batch: list[Pending]) -> bool:
    """Whether the batch's rows bring nothing but items, payloads and predictions: nothing that references
    a user, a media file or another item."""
    return all(row[5] is None or not (row[5].annotations or row[5].refs or row[5].gold is not None)
               for row in batch)


def _batches(rows: Iterable[Row], reader: RowReader, report: ImportReport, size: int
             ) -> Iterator[tuple[list[Pending], bool]]:
    """The rows read, ``size`` to a batch, each with whether it is the last: a full batch is handed on
    only once another row comes, so that an import of one batch is written once. Bad rows go to the
    report."""
    batch: list[Pending] = []
    for number, raw in rows:
        if len(batch) >= size:
            yield batch, False
            batch = []
        report.rows += 1
        try:
            if isinstance(raw, RowError):
                raise RowProblem(raw.message)
            batch.append(reader.read(raw, number))
        except RowProblem as problem:
            report.invalid += 1
            report.add_error(number, str(problem), problem.loc)
        except (ValueError, TypeError) as exc:  # a value no JSON can hold, for instance
            report.invalid += 1
            report.add_error(number, f"cannot read this row: {exc}")
    yield batch, True


def prepare_index_queue(ctx: Context) -> None:
    """SQLite: load and open now the job queue that imports hand their text index catch-up to, so that a
    server process's first import does not pay for it (huey loads redis and psycopg: about 0.1 s)."""
    if ctx.settings.is_sqlite:
        from labelwise.jobs import queue_for

        queue_for(ctx.settings)


def _index_later(ctx: Context) -> None:
    """SQLite: the new items wait in the text index's backlog (searched by a scan, so results are exact);
    a background job indexes them. If the queue cannot take it, the next worker to start drains them."""
    if not ctx.settings.is_sqlite:
        return
    from labelwise.jobs import enqueue_drain

    try:
        enqueue_drain(ctx.settings)
    except Exception:  # the import is published; only the index's catch-up waits
        log.warning("could not queue the text index's catch-up", exc_info=True)


def _refresh_statistics(ctx: Context, report: ImportReport) -> None:
    """PostgreSQL: the planner's statistics after a large import (``store.statistics``). The import is
    published by now: a failure here is logged, not raised (autovacuum catches up later)."""
    if ctx.db.is_sqlite or not report.created:
        return
    try:
        with ctx.db.write() as conn:
            statistics.refresh_after_import(conn, report.created, annotations=report.annotations > 0)
    except Exception:
        log.warning("could not refresh the planner's statistics after an import", exc_info=True)


def _write_batch(conn: Connection, access: ProjectAccess, import_id: int, batch: list[Pending],
                 report: ImportReport, skip_invalid: bool, schema_version: int, labels: LabelPolicy | None,
                 user_id: int, *, visible: bool = False) -> None:
    if not batch:
        return
    if (report.errors and not skip_invalid) or (labels is not None and labels.unknown):
        return  # the import will be rejected: only keep reading to report every bad row
    # the usual batch, all new keys, goes in as it is; a key already stored (or twice in the batch) makes
    # the keys looked up and the batch filtered
    ids = item_rows.insert_new_items(conn, project_id=access.id, import_id=import_id, visible=visible,
                                     batch=_columns(batch))
    fresh = batch
    if ids is None:
        fresh = _new_rows(conn, access.id, batch, report)
        if (report.errors and not skip_invalid) or not fresh:
            return
        ids = item_rows.insert_items(conn, project_id=access.id, import_id=import_id, visible=visible,
                                     batch=_columns(fresh))
    report.created += len(fresh)
    report.written.append((_compact(ids), _compact([row[0] for row in fresh])))
    if not visible:  # ids grow from batch to batch (allocate_ids)
        report.staged = (report.staged or (ids[0], 0))[0], ids[-1]
    extras = [(i, row[5]) for i, row in zip(ids, fresh, strict=True) if row[5] is not None]
    if extras:
        _write_extras(conn, access, extras, report, schema_version, labels, user_id)


def _columns(batch: list[Pending]) -> item_rows.ItemRows:
    """A batch column by column, as ``insert_items`` takes it."""
    extras = [row[5] for row in batch]
    predictions = [] if extras.count(None) == len(extras) else [
        (j, *p) for j, extra in enumerate(extras) if extra is not None for p in extra.predictions]
    return item_rows.ItemRows(keys=[row[1] for row in batch], data=[row[2] for row in batch],
                              meta=[row[3] for row in batch], sort_keys=[row[4] for row in batch],
                              predictions=predictions)


def _new_rows(conn: Connection, project_id: int, batch: list[Pending], report: ImportReport) -> list[Pending]:
    """The rows of a batch whose key is not stored yet; a key seen before in this import (in this batch, or
    on an item it wrote: ``report.row_of``, staged or published by now) is an error naming both rows."""
    keys = [row[1] for row in batch if row[1] is not None]
    existing = item_rows.existing_keys(conn, project_id, keys) if keys else {}
    if not existing and len(set(keys)) == len(keys):
        return batch  # new keys, each once (PostgreSQL's usual batch)
    fresh: list[Pending] = []
    seen: dict[str, int] = {}  # key -> its row, in this batch
    for row in batch:
        number, key = row[0], row[1]
        if key is not None:
            first_row = seen.get(key)
            if first_row is None and key in existing:
                first_row = report.row_of(existing[key])
            if first_row is not None:
                report.invalid += 1
                report.add_error(number, f"duplicate key {key!r} in this import (first at row {first_row})", ["key"])
                continue
            if key in existing:
                report.skipped += 1
                continue
            seen[key] = number
        fresh.append(row)
    return fresh


def _write_extras(conn: Connection, access: ProjectAccess, extras: list[tuple[int, Extras]], report: ImportReport,
                  schema_version: int, labels: LabelPolicy | None, user_id: int) -> None:
    """Media references, gold answers and submitted annotations of the items just written."""
    refs = [r for _, extra in extras for r in extra.refs]
    if refs:
        report.media_keys += media_refs.add(conn, access.id, refs)
    gold = [(i, extra.gold) for i, extra in extras if extra.gold is not None]
    if gold:
        quality_rows.add_gold(conn, access.id, gold, user_id)
        report.gold += len(gold)
        report.gold_ids += [i for i, _ in gold]
    labelled = [(i, extra.annotations) for i, extra in extras if extra.annotations]
    if labels is not None and labelled:
        report.annotations += imported_labels.insert_submitted(
            conn, project_id=access.id, schema_version=schema_version, rows=labelled)
        # as if each item's annotations had been submitted one by one (see quality.settle_many)
        golden = {i for i, _ in gold}
        quality_rows.set_open(conn, quality.settle_many(
            conn, access, [(i, [(a[0], a[1]) for a in anns], i in golden) for i, anns in labelled]))


def import_stream(ctx: Context, actor: Actor, ref: int | str, stream: IO[bytes], fmt: str, *, source: str = "",
                  skip_invalid: bool = False, key_field: str | None = None,
                  progress: Callable[[int], None] | None = None, labels: str | None = None, model: str | None = None,
                  annotator: str | None = None, options: dict[str, Any] | None = None) -> ImportReport:
    """Import a file: rows of JSONL/JSON/CSV/Parquet, or any format of ``formats.registry`` that can be
    read (``coco``, ``yolo``, ``voc``, ``conll``, ``spacy``, ``ner-jsonl``, ``labelstudio``; folder formats as
    a zip). ``labels``: ``annotations`` (the default for registry formats), ``predictions`` (of ``model``)
    or ``ignore`` (the default for row formats, which then read only ``predictions``)."""
    options = options or {}
    if fmt in ROW_FORMATS:
        if options:
            raise Invalid(f"format {fmt!r} takes no options")
        try:
            rows: Iterator[Row] = read_rows(stream, fmt)
        except ValueError as exc:
            raise Invalid(str(exc)) from None
        mode = labels or "ignore"
    elif fmt in registry.FORMATS:
        with ctx.db.read() as conn:
            schema = open_project(ctx, conn, actor, ref, Action.manage).schema
        rows = read_format(fmt, stream, schema, source=source, options=options)
        mode = labels or "annotations"
    else:
        readable = [*ROW_FORMATS, *(f.name for f in registry.FORMATS.values() if f.reader is not None)]
        raise Invalid(f"unknown format {fmt!r}: the formats an import reads are {', '.join(readable)}")
    policy = None if mode == "ignore" else LabelPolicy(ctx, mode=mode, model=model or fmt, annotator=annotator,
                                                        source=source or fmt)
    if policy is None and labels is not None and labels not in ("ignore",):
        raise Invalid(f"labels must be annotations, predictions or ignore, not {labels!r}")
    return import_rows(ctx, actor, ref, rows, source=source, skip_invalid=skip_invalid, key_field=key_field,
                       progress=progress, labels=policy)


def import_records(ctx: Context, actor: Actor, ref: int | str, records: Iterable[dict[str, Any]],
                   **options: Any) -> ImportReport:
    return import_rows(ctx, actor, ref, enumerate(records, start=1), **options)


def recover_stale_imports(ctx: Context, *, silent_seconds: float = 600.0) -> int:
    """Discard imports whose process died: on this host, its pid is gone; elsewhere, no batch was
    written for ``silent_seconds``. Their items were never visible. Returns how many."""
    cutoff = now() - timedelta(seconds=silent_seconds)
    with ctx.db.write() as conn:
        stale = [r["id"] for r in item_rows.running_imports(conn)
                 if is_dead(r["owner"]) or aware(r["heartbeat_at"]) < cutoff]  # type: ignore[operator]
        for import_id in stale:
            item_rows.discard_import(conn, import_id, {"error": "abandoned: the importing process stopped"})
    return len(stale)
