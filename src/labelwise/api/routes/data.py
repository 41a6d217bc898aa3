"""Getting data in and out: imports, item browsing, exports."""

from __future__ import annotations

import tempfile
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from starlette.concurrency import iterate_in_threadpool, run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.responses import StreamingResponse

from labelwise.api.deps import ActorDep, CtxDep, Cursor, RowId
from labelwise.api.responses import JSON
from labelwise.api.routes import datasets
from labelwise.api.schemas import RecordsImport
from labelwise.errors import Invalid
from labelwise.formats.records import detect_format
from labelwise.services import browse, exports, imports

router = APIRouter(tags=["data"])

CONTENT_FORMATS = {
    "application/json": "json", "application/x-ndjson": "jsonl", "application/jsonl": "jsonl",
    "text/csv": "csv", "application/vnd.apache.parquet": "parquet", "application/x-parquet": "parquet",
}
SPOOL_BYTES = 16 << 20


def _filters(state: str | None, annotator: str | None, label: str | None, text: str | None,
             request: Request) -> dict[str, Any]:
    meta = {k[5:]: v for k, v in request.query_params.items() if k.startswith("meta.")}
    return {"state": state, "annotator": annotator, "label": label, "text": text, "meta": meta}


def _format_of(name: str) -> str:
    try:
        return detect_format(name)
    except ValueError as exc:  # an extension we do not read: the client's mistake, not ours
        raise Invalid(str(exc)) from None


@router.post("/projects/{ref}/import")
async def import_file(ref: str, request: Request, actor: ActorDep, ctx: CtxDep, format: str | None = None,
                      skip_invalid: bool = False, key_field: str | None = None, filename: str | None = None,
                      labels: str | None = None, model: str | None = None, annotator: str | None = None) -> JSON:
    """Import a file sent as the raw body (format from ``format``, the file name or Content-Type) or as a
    multipart upload in a field named ``file``. Answers with the import report; 422 lists bad rows.

    ``format`` may also be any readable dataset format (coco, yolo, voc, conll, spacy, ner-jsonl,
    labelstudio; folder formats as a zip); ``labels=annotations|predictions|ignore`` says what becomes
    of the labels, ``model`` names predictions, ``annotator`` takes annotations of non-users;
    ``opt.<name>=value`` passes a reader option."""
    options = {k[4:]: v for k, v in request.query_params.items() if k.startswith("opt.")}
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    limit = ctx.settings.max_upload_mb << 20
    if content_type == "multipart/form-data":
        form = await request.form(max_part_size=limit)
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            raise Invalid("send the file in a multipart field named 'file'")
        name = upload.filename or filename or ""
        fmt = format or _format_of(name)
        stream: Any = upload.file
    else:
        name = filename or ""
        fmt = format or CONTENT_FORMATS.get(content_type) or (_format_of(name) if name else None)
        if fmt is None:
            raise Invalid("say the format: ?format=jsonl|json|csv|parquet, a file name or a Content-Type")
        stream = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 - closed below
        size = 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise Invalid(f"the upload is larger than {ctx.settings.max_upload_mb} MiB")
            stream.write(chunk)
        stream.seek(0)
    try:
        report = await run_in_threadpool(imports.import_stream, ctx, actor, ref, stream, fmt, source=name,
                                         skip_invalid=skip_invalid, key_field=key_field, labels=labels, model=model,
                                         annotator=annotator, options=options)
    finally:
        stream.close()
    return JSON(report.as_dict(), status_code=201)


@router.post("/projects/{ref}/records")
def import_records(ref: str, body: RecordsImport, actor: ActorDep, ctx: CtxDep) -> JSON:
    """Import records given inline as JSON (the SDK's path for lists and DataFrames)."""
    report = imports.import_records(ctx, actor, ref, body.records, skip_invalid=body.skip_invalid,
                                    key_field=body.key_field, source="records")
    return JSON(report.as_dict(), status_code=201)


@router.get("/projects/{ref}/items")
def list_items(ref: str, request: Request, actor: ActorDep, ctx: CtxDep, after: Cursor = 0,
               limit: Annotated[int, Query(ge=1, le=1000)] = 50, total: bool = False, state: str | None = None,
               annotator: str | None = None, label: str | None = None, text: str | None = None) -> JSON:
    page = browse.list_items(ctx, actor, ref, after=after, limit=limit, with_total=total,
                             **_filters(state, annotator, label, text, request))
    return JSON(page)


@router.get("/projects/{ref}/items/count")
def count_items(ref: str, request: Request, actor: ActorDep, ctx: CtxDep, state: str | None = None,
                annotator: str | None = None, label: str | None = None, text: str | None = None) -> JSON:
    return JSON(browse.count_items(ctx, actor, ref, **_filters(state, annotator, label, text, request)))


@router.get("/projects/{ref}/items/{item_id}")
def get_item(ref: str, item_id: RowId, actor: ActorDep, ctx: CtxDep) -> JSON:
    return JSON(browse.item_view(ctx, actor, ref, item_id))


@router.get("/projects/{ref}/export/formats")
def export_formats(ref: str, actor: ActorDep, ctx: CtxDep) -> JSON:
    return JSON(exports.formats(ctx, actor, ref))


@router.get("/projects/{ref}/export")
async def export(ref: str, request: Request, actor: ActorDep, ctx: CtxDep, format: str = "jsonl",
                 state: str | None = None, annotator: str | None = None, label: str | None = None,
                 text: str | None = None) -> StreamingResponse:
    """Stream the project (or the items matching the filters) in a format; ``opt.<name>=value`` passes a
    format option (for example ``opt.label=entities``)."""
    options = {k[4:]: v for k, v in request.query_params.items() if k.startswith("opt.")}
    out = await run_in_threadpool(exports.export, ctx, actor, ref, format, options=options,
                                  **_filters(state, annotator, label, text, request))
    return StreamingResponse(iterate_in_threadpool(out.chunks), media_type=out.media_type,
                             headers={"content-disposition": f'attachment; filename="{out.filename}"'})


# Snapshots and Label Studio projects live in their own module, served under this router.
router.include_router(datasets.router)
