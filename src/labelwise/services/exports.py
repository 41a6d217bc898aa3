"""Export a project, whole or filtered, as a stream of bytes in constant memory.

Items are read a page at a time (keyset pagination, one short read transaction per page), so
memory stays flat however large the project is.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import groupby
from operator import itemgetter
from typing import Any

import orjson

from labelwise.domain.permissions import Action, Actor
from labelwise.errors import Invalid
from labelwise.formats import registry
from labelwise.formats.base import ExportReport
from labelwise.formats.native import EXPORT_FORMATS as NATIVE
from labelwise.formats.native import write_csv, write_parquet
from labelwise.formats.options import coerce
from labelwise.formats.stored import StoredPage
from labelwise.services import collector
from labelwise.services.access import ProjectAccess, open_project
from labelwise.services.browse import make_filter
from labelwise.services.context import Context
from labelwise.store import annotations as rows
from labelwise.store import audit, export_scan
from labelwise.store import items as item_rows
from labelwise.store import quality as quality_rows
from labelwise.store.clock import aware

PAGE = 2000
JSON_OPTIONS = orjson.OPT_NAIVE_UTC | orjson.OPT_UTC_Z
LINE_OPTIONS = JSON_OPTIONS | orjson.OPT_APPEND_NEWLINE  # a JSON Lines record
MEDIA_TYPES = {"jsonl": "application/x-ndjson", "csv": "text/csv; charset=utf-8",
               "parquet": "application/vnd.apache.parquet"}


def _review(review_status: str | None, history: list[dict[str, Any]]) -> dict[str, Any] | None:
    if not review_status or not history:
        return None
    r = history[-1]
    return {"status": review_status, "reviewer": r["reviewer"], "comment": r["comment"], "result": r["result"],
            "at": aware(r["created_at"])}


def _fragment(text: str | None) -> orjson.Fragment | None:
    return None if text is None else orjson.Fragment(text)


def _parsed(text: str | None) -> Any:
    return None if text is None else orjson.loads(text)


def _pages(ctx: Context, access: ProjectAccess, f: item_rows.ItemFilter, page: int,
           json_value: Callable[[str | None], Any], final: bool = True) -> Iterator[list[dict[str, Any]]]:
    """Native records of the matching items, a page at a time, read in one transaction (a consistent
    snapshot) from the driver's rows; stored JSON goes through ``json_value`` (parsed, or kept as text).
    The hot loop of the JSON Lines export: names are bound to locals, ``None`` checked inline."""
    iso = export_scan.iso
    with ctx.db.read() as conn:
        for chunk in export_scan.scan(conn, access.id, f, page=page):
            reviewed = [a[0] for group in chunk.annotations.values() for a in group if a[6]]
            reviews = rows.reviews_for(conn, reviewed) if reviewed else {}
            first, last = chunk.items[0][0], chunk.items[-1][0]
            finals = quality_rows.finals_between(conn, access.id, first, last) if final else {}
            anns_of, preds_of, final_of = chunk.annotations.get, chunk.predictions.get, finals.get
            records = []
            for item_id, key, state, data, meta in chunk.items:
                anns = [{"id": a_id, "annotator": email, "result": None if result is None else json_value(result),
                         "lead_time": lead_time, "schema_version": version, "submitted_at": iso(submitted_at),
                         "review": _review(review_status, reviews.get(a_id, [])) if review_status else None}
                        for a_id, email, result, lead_time, version, submitted_at, review_status
                        in anns_of(item_id, ())]
                preds = [{"model": model, "score": score, "result": None if result is None else json_value(result)}
                         for model, score, result in preds_of(item_id, ())]
                records.append({"id": item_id, "key": key, "state": state,
                                "data": None if data is None else json_value(data),
                                "meta": None if meta is None else json_value(meta), "annotations": anns,
                                "predictions": preds, "final": final_of(item_id) or {}})
            yield records


def _lean_pages(ctx: Context, access: ProjectAccess, f: item_rows.ItemFilter, page: int,
                ) -> Iterator[list[dict[str, Any]]]:
    """Records with only what the label formats read (``formats.registry.Format.full_records`` is false):
    ``id, key, data, meta``, annotations as ``annotator, result, submitted_at, review`` (``review`` only
    when the annotation was reviewed) and predictions; no final-label lookup, no lead times."""
    loads = orjson.loads
    with ctx.db.read() as conn:
        for chunk in export_scan.scan(conn, access.id, f, page=page):
            reviewed = [a[0] for group in chunk.annotations.values() for a in group if a[6]]
            reviews = rows.reviews_for(conn, reviewed) if reviewed else {}
            anns_of, preds_of = chunk.annotations.get, chunk.predictions.get
            records = []
            for item_id, key, _state, data, meta in chunk.items:
                anns = []
                for a_id, email, result, _lead, _version, submitted_at, review_status in anns_of(item_id, ()):
                    ann = {"annotator": email, "result": None if result is None else loads(result),
                           "submitted_at": export_scan.iso(submitted_at)}
                    if review_status:
                        ann["review"] = _review(review_status, reviews.get(a_id, []))
                    anns.append(ann)
                preds = [{"model": model, "score": score, "result": None if result is None else loads(result)}
                         for model, score, result in preds_of(item_id, ())]
                records.append({"id": item_id, "key": key, "data": None if data is None else loads(data),
                                "meta": None if meta is None else loads(meta), "annotations": anns,
                                "predictions": preds})
            yield records


def iter_stored(ctx: Context, access: ProjectAccess, f: item_rows.ItemFilter, *, page: int = PAGE,
                ) -> Iterator[StoredPage]:
    """The matching items as the fast paths of COCO and CoNLL read them (see :mod:`labelwise.formats.coco_fast`),
    a page at a time, in one transaction: an item's only submitted annotation's result as stored, unless
    it has several or a review, when it comes as a lean record (without predictions, which neither reads)."""
    with ctx.db.read() as conn:
        for chunk in export_scan.scan_final(conn, access.id, f, page=page):
            ids, keys, data, meta, results, reviewed = (list(c) for c in zip(*chunk, strict=True))
            if len(set(ids)) < len(chunk) or any(reviewed):  # an item with several annotations, or a review
                yield _stored_with_records(conn, chunk)
                continue
            if None in keys:
                keys = [str(i) if k is None else k for i, k in zip(ids, keys, strict=True)]
            yield StoredPage(keys, data, meta, results)


def _stored_with_records(conn: Any, chunk: list[tuple[Any, ...]]) -> StoredPage:
    """A page whose items with several annotations or a review come as lean records."""
    groups = [(item_id, list(group)) for item_id, group in groupby(chunk, key=itemgetter(0))]
    involved = {i for i, group in groups if len(group) > 1 or group[0][5]}
    more = export_scan.submitted_annotations(conn, sorted(involved))
    reviews = rows.reviews_for(conn, [a[0] for anns in more.values() for a in anns if a[4]])
    page = StoredPage([], [], [], [])
    for item_id, ((_, key, data, meta, result, _),) in ((i, group[:1]) for i, group in groups):
        if item_id in involved:
            page.records[len(page.keys)] = {
                "id": item_id, "key": key, "data": _parsed(data), "meta": _parsed(meta), "predictions": [],
                "annotations": [_lean_annotation(email, text, at, status, reviews.get(a_id, []))
                                for a_id, email, text, at, status in more.get(item_id, ())]}
        page.keys.append(str(item_id) if key is None else key)
        page.data.append(data)
        page.meta.append(meta)
        page.results.append(result)
    return page


def _lean_annotation(email: str, result: str | None, submitted_at: Any, review_status: str | None,
                     history: list[dict[str, Any]]) -> dict[str, Any]:
    """An annotation of a lean record (see :func:`_lean_pages`)."""
    ann = {"annotator": email, "result": _parsed(result), "submitted_at": export_scan.iso(submitted_at)}
    if review_status:
        ann["review"] = _review(review_status, history)
    return ann


def iter_records(ctx: Context, access: ProjectAccess, f: item_rows.ItemFilter, *, page: int = PAGE,
                 raw_json: bool = False, lean: bool = False, final: bool = True) -> Iterator[list[dict[str, Any]]]:
    """Native records (see ``formats/native.py``) of the matching items, a page at a time; with
    ``raw_json`` stored JSON stays unparsed as ``orjson.Fragment`` (for writers that only re-serialise it);
    ``lean`` gives only the fields the label formats read (see :func:`_lean_pages`), parsed; without
    ``final`` records have no final labels (``final: {}``; one query a page less, for CSV and Parquet,
    which do not write them)."""
    if lean:
        return _lean_pages(ctx, access, f, page)
    return _pages(ctx, access, f, page, _fragment if raw_json else _parsed, final)


def iter_jsonl(ctx: Context, access: ProjectAccess, f: item_rows.ItemFilter, *, page: int = PAGE
               ) -> Iterator[bytes]:
    """The JSON Lines export, fast: stored JSON is spliced in as it is, never parsed and re-encoded."""
    dumps = orjson.dumps

    def lines() -> Iterator[bytes]:
        for records in _pages(ctx, access, f, page, _fragment):
            yield b"".join([dumps(r, option=LINE_OPTIONS) for r in records])

    return collector.paused(lines())


@dataclass(frozen=True)
class ExportStream:
    """An export ready to send: its bytes (lazy), media type and file name."""

    chunks: Iterator[bytes]
    media_type: str
    filename: str


def formats(ctx: Context, actor: Actor, ref: int | str) -> list[dict[str, Any]]:
    """Every format this project can be exported in, with its options (``opt.<name>`` of an export) and,
    for label and field options, the choices this project's schema gives."""
    with ctx.db.read() as conn:
        access = open_project(ctx, conn, actor, ref, Action.manage)
    native = [{"name": n, "description": f"labelwise items as {n.upper()}", "layout": "file", "options": []}
              for n in NATIVE]
    return native + [{"name": f.name, "description": f.description, "layout": f.layout,
                      "options": registry.describe_options(f, access.schema)}
                     for f in registry.available(access.schema)]


def export(ctx: Context, actor: Actor, ref: int | str, fmt: str = "jsonl", *, options: dict[str, Any] | None = None,
           **filters: Any) -> ExportStream:
    """Check access and record the export now; the bytes stream when the caller reads them."""
    options = options or {}
    if fmt not in NATIVE and fmt not in registry.FORMATS:
        raise Invalid(f"format must be one of {', '.join([*NATIVE, *registry.FORMATS])}, not {fmt!r}")
    if fmt in NATIVE and options:
        raise Invalid(f"format {fmt!r} takes no options")
    with ctx.db.write() as conn:
        access = open_project(ctx, conn, actor, ref, Action.manage)
        f = make_filter(ctx, conn, **filters)
        audit.record(conn, user_id=actor.id, project_id=access.id, action="export", target=fmt,
                     details={**{k: v for k, v in filters.items() if v}, **options})
    pages = iter_records(ctx, access, f)
    base = f"{access.name}".replace("/", "-").replace('"', "")[:100] or "export"
    fields = list(access.schema.fields)
    if fmt == "jsonl":
        return ExportStream(iter_jsonl(ctx, access, f), MEDIA_TYPES[fmt], f"{base}.jsonl")
    if fmt == "csv":
        return ExportStream(collector.paused(write_csv(iter_records(ctx, access, f, final=False), fields)),
                            MEDIA_TYPES[fmt], f"{base}.csv")
    if fmt == "parquet":
        records = iter_records(ctx, access, f, raw_json=True, final=False)
        return ExportStream(collector.paused(write_parquet(records, fields)), MEDIA_TYPES[fmt],
                            f"{base}.parquet")
    spec = registry.get(fmt)
    if not spec.full_records:
        pages = iter_records(ctx, access, f, lean=True)
    try:
        if fmt == "conll" or (fmt == "coco" and coerce("which", options.get("which", "final")) == "final"):
            pages = iter_stored(ctx, access, f)  # type: ignore[assignment] # the same bytes, faster
        chunks = registry.export(fmt, pages, access.schema, ExportReport(), **options)
    except ValueError as exc:
        raise Invalid(str(exc)) from None
    return ExportStream(collector.paused(chunks), spec.media_type, spec.filename(base))
