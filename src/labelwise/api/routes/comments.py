"""Comments on an item."""

from __future__ import annotations

from fastapi import APIRouter

from labelwise.api.deps import ActorDep, CtxDep, RowId
from labelwise.api.responses import JSON
from labelwise.api.schemas import CommentCreate
from labelwise.services import comments

router = APIRouter(tags=["comments"])


@router.get("/projects/{ref}/items/{item_id}/comments")
def list_comments(ref: str, item_id: RowId, actor: ActorDep, ctx: CtxDep) -> JSON:
    return JSON(comments.list_comments(ctx, actor, ref, item_id))


@router.post("/projects/{ref}/items/{item_id}/comments", status_code=201)
def add_comment(ref: str, item_id: RowId, body: CommentCreate, actor: ActorDep, ctx: CtxDep) -> JSON:
    return JSON(comments.add_comment(ctx, actor, ref, item_id, body.body), status_code=201)
