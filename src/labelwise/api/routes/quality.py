"""Quality assurance: gold items, automatic checks, final labels, dashboards."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from starlette.concurrency import run_in_threadpool

from labelwise.api.deps import ActorDep, CtxDep, Cursor, RowId
from labelwise.api.responses import JSON
from labelwise.api.schemas import GoldBody
from labelwise.services import checks, gold, quality

router = APIRouter(tags=["quality"])


@router.put("/projects/{ref}/items/{item_id}/gold")
def mark_gold(ref: str, item_id: RowId, body: GoldBody, actor: ActorDep, ctx: CtxDep) -> JSON:
    """Make the item a gold item with this expected result (managers)."""
    return JSON(gold.mark_gold(ctx, actor, ref, item_id, body.result))


@router.delete("/projects/{ref}/items/{item_id}/gold")
def unmark_gold(ref: str, item_id: RowId, actor: ActorDep, ctx: CtxDep) -> JSON:
    return JSON(gold.unmark_gold(ctx, actor, ref, item_id))


@router.get("/projects/{ref}/quality/gold/mistakes")
def gold_mistakes(ref: str, actor: ActorDep, ctx: CtxDep, annotator: str | None = None) -> JSON:
    """The caller's wrong gold answers with the expected ones (reviewers and managers: any annotator's)."""
    return JSON(gold.mistakes(ctx, actor, ref, annotator=annotator))


@router.post("/projects/{ref}/quality/gold/annotators/{annotator}/resume")
def resume_annotator(ref: str, annotator: str, actor: ActorDep, ctx: CtxDep) -> JSON:
    """Let an annotator paused by gold continue (managers; ``annotator``: user id or email): only the gold
    answers they submit from now on count for the pause."""
    return JSON(gold.resume(ctx, actor, ref, annotator))


@router.get("/projects/{ref}/quality/checks")
def check_violations(ref: str, actor: ActorDep, ctx: CtxDep,
                     limit: Annotated[int, Query(ge=1, le=100_000)] = 10_000) -> JSON:
    """Run the project's automatic checks over every submitted annotation."""
    return JSON(checks.bulk(ctx, actor, ref, limit=limit))


@router.get("/projects/{ref}/quality/final")
def final_labels(ref: str, actor: ActorDep, ctx: CtxDep, after: Cursor = 0,
                 limit: Annotated[int, Query(ge=1, le=1000)] = 100) -> JSON:
    return JSON(quality.list_finals(ctx, actor, ref, after=after, limit=limit))


@router.post("/projects/{ref}/quality/final/recompute")
async def recompute_final(ref: str, actor: ActorDep, ctx: CtxDep, method: str = "auto",
                          background: bool = False) -> JSON:
    """Compute the project's final labels again (choices: Dawid-Skene with >= 3 annotators, else majority
    vote; regions: RegionConsensus). ``background=true``: 202 with a job to poll at ``url``."""
    if background:
        from labelwise.api.routes.jobs import start_job

        return await run_in_threadpool(start_job, ctx, actor, ref, "recompute", {"method": method})
    return JSON(await run_in_threadpool(quality.recompute, ctx, actor, ref, method=method))


@router.get("/projects/{ref}/quality/dashboard")
def quality_dashboard(ref: str, actor: ActorDep, ctx: CtxDep, bucket: str = "day") -> JSON:
    from labelwise.services import dashboard  # pandas: loaded on first use, not at start-up

    return JSON(dashboard.dashboard(ctx, actor, ref, bucket=bucket))
