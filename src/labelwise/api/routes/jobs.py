"""Background jobs: ask for one (202 with its id), read its status and result."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from starlette.concurrency import run_in_threadpool

from labelwise.api.deps import ActorDep, CtxDep, RowId
from labelwise.api.responses import JSON
from labelwise.api.schemas import JobCreate
from labelwise.services import jobs
from labelwise.services.context import Context

router = APIRouter(tags=["jobs"])


def start_job(ctx: Context, actor: Any, ref: str, kind: str, params: dict[str, Any]) -> JSON:
    """Record the job, queue it, answer 202 with where to read its status."""
    from labelwise.jobs import enqueue

    job = jobs.create_job(ctx, actor, ref, kind, params)
    enqueue(ctx.settings, job["id"])
    return JSON({**job, "url": f"/api/v1/projects/{ref}/jobs/{job['id']}"}, status_code=202)


@router.post("/projects/{ref}/jobs", status_code=202)
async def create_job(ref: str, body: JobCreate, actor: ActorDep, ctx: CtxDep) -> JSON:
    """Run a long job in the background (managers): recompute, snapshot, import_file (admins)."""
    return await run_in_threadpool(start_job, ctx, actor, ref, body.kind, body.params)


@router.get("/projects/{ref}/jobs/{job_id}")
def get_job(ref: str, job_id: RowId, actor: ActorDep, ctx: CtxDep) -> JSON:
    """A job's status (queued, running, done, failed), its result or error."""
    return JSON(jobs.get_job(ctx, actor, ref, job_id))
