"""The reviewer's side: a queue of annotated items, accept, reject with a comment, or correct."""

from __future__ import annotations

from typing import Any

from labelwise.domain.permissions import Action, Actor
from labelwise.domain.quality import FORCED
from labelwise.domain.states import ReviewAction
from labelwise.errors import Conflict, Forbidden, Invalid, NotFound
from labelwise.services.access import open_project
from labelwise.services.annotation import refresh_state
from labelwise.services.browse import item_view
from labelwise.services.context import Context
from labelwise.services.quality import settings_of
from labelwise.store import annotations as rows
from labelwise.store import audit
from labelwise.store import quality as quality_rows

_OUTCOME = {ReviewAction.accept: "accepted", ReviewAction.reject: "rejected", ReviewAction.correct: "corrected"}


def review_queue(ctx: Context, actor: Actor, ref: int | str, *, after: int = 0, limit: int = 20
                 ) -> list[dict[str, Any]]:
    """Items waiting for review (annotated or partly reviewed), oldest first, with every annotation.

    With ``review_share`` set, only the review sample (see services.quality) waits for review; the
    other annotated items stay ``annotated``.
    """
    with ctx.db.read() as conn:
        access = open_project(ctx, conn, actor, ref, Action.review)
        share = settings_of(access.project).review_share
        if share is None:
            ids = rows.review_queue(conn, access.id, after=after, limit=min(max(limit, 1), 200))
        else:
            ids = quality_rows.review_sample_queue(conn, access.id, share, FORCED, after=after,
                                                   limit=min(max(limit, 1), 200))
    return [item_view(ctx, actor, ref, item_id) for item_id in ids]


def review(ctx: Context, actor: Actor, ref: int | str, annotation_id: int, action: str, *, comment: str = "",
           result: dict[str, Any] | None = None) -> dict[str, Any]:
    """Accept, reject (back to its annotator, with a comment) or correct one submitted annotation."""
    try:
        act = ReviewAction(action)
    except ValueError:
        raise Invalid(f"action must be one of {', '.join(ReviewAction)}, not {action!r}") from None
    if act is ReviewAction.correct and result is None:
        raise Invalid("a correction needs the corrected result")
    if act is ReviewAction.reject and not comment.strip():
        raise Invalid("say why you reject: the comment goes back to the annotator")
    with ctx.db.write() as conn:
        access = open_project(ctx, conn, actor, ref, Action.review)
        row = rows.annotation_by_id(conn, annotation_id)
        if row is None or row["project_id"] != access.id or row["status"] != "submitted":
            raise NotFound(f"no submitted annotation {annotation_id} in project {access.name!r}")
        if row["user_id"] == actor.id and not actor.is_admin:
            raise Forbidden("you cannot review your own annotation")
        if row["review_status"] == "rejected" and act is not ReviewAction.correct:
            raise Conflict(f"annotation {annotation_id} is back with its annotator; wait for the revision")
        clean = None
        if result is not None:
            from labelwise.store import items as item_rows

            item = item_rows.item_detail(conn, access.id, row["item_id"])
            assert item is not None
            clean = access.schema.validate_result(result, item["data"], (item["meta"] or {}).get("media"))
        review_id = rows.insert_review(conn, annotation_id=annotation_id, reviewer_id=actor.id, action=act.value,
                                       comment=comment[:5000], result=clean)
        rows.update_row(conn, annotation_id, review_status=_OUTCOME[act])
        state = refresh_state(conn, row["item_id"], access.project["overlap"], access=access)
        audit.record(conn, user_id=actor.id, project_id=access.id, action=f"review.{act.value}",
                     target=f"annotation:{annotation_id}",
                     details={"item_id": row["item_id"], "comment": comment[:200]})
    return {"id": review_id, "annotation_id": annotation_id, "action": act.value, "item_state": state,
            "result": clean}
