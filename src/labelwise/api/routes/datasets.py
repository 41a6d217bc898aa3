"""Datasets: snapshots (create, list, read, export, diff, card) and a project from a Label Studio export."""

from __future__ import annotations

import tempfile
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field
from starlette.concurrency import iterate_in_threadpool, run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.responses import PlainTextResponse, StreamingResponse

from labelwise.api.deps import ActorDep, CtxDep, RowId
from labelwise.api.responses import JSON
from labelwise.errors import Invalid
from labelwise.services import labelstudio_import, snapshot_diff, snapshots

router = APIRouter(tags=["datasets"])


class SnapshotCreate(BaseModel):
    name: str = Field("", max_length=200)


@router.post("/projects/{ref}/snapshots", status_code=201)
async def create_snapshot(ref: str, actor: ActorDep, ctx: CtxDep, body: SnapshotCreate | None = None) -> JSON:
    """Freeze the project's labeled data now (a dataset version)."""
    out = await run_in_threadpool(snapshots.create_snapshot, ctx, actor, ref, name=body.name if body else "")
    return JSON(out, status_code=201)


@router.get("/projects/{ref}/snapshots")
def list_snapshots(ref: str, actor: ActorDep, ctx: CtxDep) -> JSON:
    return JSON(snapshots.list_snapshots(ctx, actor, ref))


@router.get("/projects/{ref}/snapshots/{snapshot_id}")
def get_snapshot(ref: str, snapshot_id: RowId, actor: ActorDep, ctx: CtxDep) -> JSON:
    return JSON(snapshots.get_snapshot(ctx, actor, ref, snapshot_id))


@router.get("/projects/{ref}/snapshots/{snapshot_id}/export")
async def export_snapshot(ref: str, snapshot_id: RowId, request: Request, actor: ActorDep, ctx: CtxDep,
                          format: str = "jsonl") -> StreamingResponse:
    """The snapshot in a format (``opt.<name>=value`` for format options): the same bytes every time."""
    options = {k[4:]: v for k, v in request.query_params.items() if k.startswith("opt.")}
    out = await run_in_threadpool(snapshots.export_snapshot, ctx, actor, ref, snapshot_id, format, options=options)
    return StreamingResponse(iterate_in_threadpool(out.chunks), media_type=out.media_type,
                             headers={"content-disposition": f'attachment; filename="{out.filename}"'})


@router.get("/projects/{ref}/snapshots/{snapshot_id}/diff/{other_id}")
async def diff_snapshots(ref: str, snapshot_id: RowId, other_id: RowId, actor: ActorDep, ctx: CtxDep,
                         limit: Annotated[int, Query(ge=0, le=snapshot_diff.DIFF_LIMIT)] = 1000) -> JSON:
    return JSON(await run_in_threadpool(snapshot_diff.diff_snapshots, ctx, actor, ref, snapshot_id, other_id,
                                        limit=limit))


@router.get("/projects/{ref}/snapshots/{snapshot_id}/card")
def dataset_card(ref: str, snapshot_id: RowId, actor: ActorDep, ctx: CtxDep) -> PlainTextResponse:
    return PlainTextResponse(snapshot_diff.dataset_card(ctx, actor, ref, snapshot_id),
                             media_type="text/markdown; charset=utf-8")


@router.post("/labelstudio/import", status_code=201)
async def import_labelstudio(request: Request, actor: ActorDep, ctx: CtxDep, name: str,
                             labels: str = "annotations", model: str | None = None,
                             annotator: str | None = None) -> JSON:
    """A new project ``name`` from a multipart upload: ``export`` (Label Studio JSON export) and ``config``
    (its labeling config XML). Answers with the project, the untranslated tags and the import report."""
    if request.headers.get("content-type", "").split(";")[0].strip().lower() != "multipart/form-data":
        raise Invalid("send a multipart form with the fields 'export' (JSON) and 'config' (XML)")
    async with request.form(max_part_size=ctx.settings.max_upload_mb << 20) as form:
        return await _import_labelstudio(form, ctx, actor, name, labels, model, annotator)


async def _import_labelstudio(form: Any, ctx: Any, actor: Any, name: str, labels: str, model: str | None,
                              annotator: str | None) -> JSON:
    export, config = form.get("export"), form.get("config")
    if not isinstance(export, UploadFile):
        raise Invalid("send the Label Studio export in a multipart field named 'export'")
    if config is None:
        raise Invalid("send the labeling config in a multipart field named 'config'")
    xml: Any = await config.read() if isinstance(config, UploadFile) else str(config)
    spool = tempfile.SpooledTemporaryFile(max_size=16 << 20)  # noqa: SIM115 - closed below
    try:
        while chunk := await export.read(1 << 20):
            spool.write(chunk)
        spool.seek(0)
        out = await run_in_threadpool(labelstudio_import.create_from_labelstudio, ctx, actor, name=name,
                                      export=spool, config=xml, source=export.filename or "labelstudio.json",
                                      labels=labels, model=model, annotator=annotator)
    finally:
        spool.close()
    return JSON(out, status_code=201)
