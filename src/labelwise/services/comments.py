"""Comments on an item: a thread its annotators, reviewers and managers share.

Who may read and write: members who may browse the project (reviewers, managers, admins) on any item;
an annotator only on an item they hold or have worked on, so comments do not leak other items' data.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection

from labelwise.domain.permissions import Action, Actor, role_allows
from labelwise.errors import Invalid, NotFound
from labelwise.services.access import ProjectAccess, open_project
from labelwise.services.context import Context
from labelwise.store import annotations as annotation_rows
from labelwise.store import audit
from labelwise.store import comments as rows
from labelwise.store import items as item_rows
from labelwise.store.clock import aware

MAX_BODY = 5000


def _open_item(conn: Connection, ctx: Context, actor: Actor, ref: int | str, item_id: int) -> ProjectAccess:
    access = open_project(ctx, conn, actor, ref, Action.annotate)
    missing = NotFound(f"item {item_id} not found in project {access.name!r}")
    if item_rows.item_detail(conn, access.id, item_id) is None:
        raise missing
    if not (actor.is_admin or role_allows(access.role, Action.browse)):
        own = annotation_rows.row_for(conn, item_id, actor.id)
        if own is None or own["project_id"] != access.id:
            raise missing
    return access


def _public(row: dict[str, Any]) -> dict[str, Any]:
    return {**row, "created_at": aware(row["created_at"])}


def list_comments(ctx: Context, actor: Actor, ref: int | str, item_id: int) -> list[dict[str, Any]]:
    """The item's comments, oldest first, each with its author's email."""
    with ctx.db.read() as conn:
        _open_item(conn, ctx, actor, ref, item_id)
        return [_public(r) for r in rows.for_item(conn, item_id)]


def add_comment(ctx: Context, actor: Actor, ref: int | str, item_id: int, body: str) -> dict[str, Any]:
    text = body.strip()
    if not text:
        raise Invalid("a comment cannot be empty")
    if len(text) > MAX_BODY:
        raise Invalid(f"a comment is at most {MAX_BODY} characters, this one has {len(text)}")
    with ctx.db.write() as conn:
        access = _open_item(conn, ctx, actor, ref, item_id)
        row = rows.add(conn, project_id=access.id, item_id=item_id, user_id=actor.id, body=text)
        audit.record(conn, user_id=actor.id, project_id=access.id, action="comment.add",
                     target=f"item:{item_id}", details={"comment_id": row["id"]})
    return _public({**row, "author": actor.email})
