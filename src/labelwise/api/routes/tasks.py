"""The annotation queue and review."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from labelwise.api import fast_routes
from labelwise.api.deps import ActorDep, CtxDep, Cursor, RowId, run_write
from labelwise.api.responses import JSON
from labelwise.api.schemas import Draft, ReviewBody, Skip, Submission
from labelwise.services import annotation, review

router = APIRouter(tags=["annotation"])
# The two hot endpoints are answered by lean handlers, registered first so that they match first; the
# FastAPI declarations below document them in the OpenAPI schema (and hand over to them if reached).
router.add_route("/projects/{ref}/tasks/next", fast_routes.next_task, methods=["POST"], include_in_schema=False)
router.add_route("/projects/{ref}/tasks/{item_id}/submit", fast_routes.submit, methods=["POST"],
                 include_in_schema=False)


@router.post("/projects/{ref}/tasks/next", responses={204: {"description": "Nothing left to annotate."}})
async def next_task(ref: str, request: Request,
                    exclude: Annotated[list[int] | None, Query(description="Item ids to pass over (prefetch).")] = None
                    ) -> Response:
    """Lease the next task to the caller (a held lease or a rejected annotation of theirs first)."""
    return await fast_routes.next_task(request)


@router.post("/projects/{ref}/tasks/{item_id}/submit", status_code=201)
async def submit(ref: str, item_id: RowId, body: Submission, request: Request) -> Response:
    """Submit a result for an item leased to the caller."""
    return await fast_routes.submit(request)


@router.get("/projects/{ref}/tasks/{item_id}")
def get_task(ref: str, item_id: RowId, actor: ActorDep, ctx: CtxDep) -> JSON:
    return JSON(annotation.get_task(ctx, actor, ref, item_id))


@router.put("/projects/{ref}/tasks/{item_id}/annotation")
async def update_annotation(ref: str, item_id: RowId, body: Submission, request: Request, actor: ActorDep,
                            ctx: CtxDep) -> JSON:
    return JSON(await run_write(request, annotation.update_annotation, ctx, actor, ref, item_id, body.result,
                                lead_time=body.lead_time))


@router.put("/projects/{ref}/tasks/{item_id}/draft")
async def save_draft(ref: str, item_id: RowId, body: Draft, request: Request, actor: ActorDep, ctx: CtxDep) -> JSON:
    return JSON(await run_write(request, annotation.save_draft, ctx, actor, ref, item_id, body.draft,
                                lead_time=body.lead_time))


@router.post("/projects/{ref}/tasks/{item_id}/skip")
async def skip(ref: str, item_id: RowId, body: Skip, request: Request, actor: ActorDep, ctx: CtxDep) -> JSON:
    return JSON(await run_write(request, annotation.skip, ctx, actor, ref, item_id, reason=body.reason))


@router.post("/projects/{ref}/tasks/{item_id}/lease")
async def renew_lease(ref: str, item_id: RowId, request: Request, actor: ActorDep, ctx: CtxDep) -> JSON:
    return JSON(await run_write(request, annotation.renew_lease, ctx, actor, ref, item_id))


@router.get("/projects/{ref}/history")
def history(ref: str, actor: ActorDep, ctx: CtxDep, before: Cursor | None = None, limit: int = 50) -> JSON:
    return JSON(annotation.my_history(ctx, actor, ref, before=before, limit=limit))


@router.get("/projects/{ref}/review/queue")
def review_queue(ref: str, actor: ActorDep, ctx: CtxDep, after: Cursor = 0, limit: int = 20) -> JSON:
    return JSON(review.review_queue(ctx, actor, ref, after=after, limit=limit))


@router.post("/projects/{ref}/annotations/{annotation_id}/review")
def review_annotation(ref: str, annotation_id: RowId, body: ReviewBody, actor: ActorDep, ctx: CtxDep) -> JSON:
    return JSON(review.review(ctx, actor, ref, annotation_id, body.action, comment=body.comment, result=body.result))
