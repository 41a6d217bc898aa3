"""Browsing a project's items: filters, search, keyset pages, counts, one item in full."""

from __future__ import annotations

from typing import Any

from labelwise.domain.permissions import Action, Actor
from labelwise.domain.states import ItemState
from labelwise.errors import Invalid, NotFound
from labelwise.services.access import open_project
from labelwise.services.context import Context
from labelwise.store import annotations as rows
from labelwise.store import items as item_rows
from labelwise.store import users
from labelwise.store.clock import aware


def make_filter(ctx: Context, conn: Any, *, state: str | None = None, annotator: str | None = None,
                label: str | None = None, meta: dict[str, str] | None = None, text: str | None = None
                ) -> item_rows.ItemFilter:
    if state is not None and state not in set(ItemState):
        raise Invalid(f"state must be one of {', '.join(ItemState)}, not {state!r}")
    annotator_id = None
    if annotator:
        user = users.user_by_email(conn, annotator)
        annotator_id = user["id"] if user else -1
    return item_rows.ItemFilter(state=state, annotator_id=annotator_id, label=label or None, meta=meta or None,
                                text=text or None)


def list_items(ctx: Context, actor: Actor, ref: int | str, *, after: int = 0, limit: int = 50,
               with_total: bool = False, **filters: Any) -> dict[str, Any]:
    """A page of items in id order; ``next`` is the cursor for the following page (None at the end)."""
    limit = min(max(limit, 1), 1000)
    with ctx.db.read() as conn:
        access = open_project(ctx, conn, actor, ref, Action.browse)
        f = make_filter(ctx, conn, **filters)
        page = item_rows.list_items(conn, access.id, f, after=after, limit=limit + 1)
        more = len(page) > limit
        page = page[:limit]
        total = item_rows.count_items(conn, access.id, f) if with_total else None
    return {"items": page, "next": page[-1]["id"] if more else None, "total": total}


def count_items(ctx: Context, actor: Actor, ref: int | str, **filters: Any) -> dict[str, Any]:
    filtered = any(filters.values())
    with ctx.db.read() as conn:
        # totals by state are progress any member may see; a filter searches content and others' work
        access = open_project(ctx, conn, actor, ref, Action.browse if filtered else Action.view)
        if filtered:
            f = make_filter(ctx, conn, **filters)
            return {"total": item_rows.count_items(conn, access.id, f)}
        by_state = item_rows.counts_by_state(conn, access.id)
    return {"total": sum(by_state.values()), "by_state": {s.value: by_state.get(s.value, 0) for s in ItemState}}


def item_view(ctx: Context, actor: Actor, ref: int | str, item_id: int) -> dict[str, Any]:
    """One item with its data, predictions, every annotation and its reviews."""
    with ctx.db.read() as conn:
        access = open_project(ctx, conn, actor, ref, Action.browse)
        item = item_rows.item_detail(conn, access.id, item_id)
        if item is None:
            raise NotFound(f"item {item_id} not found in project {access.name!r}")
        anns = item_rows.annotations_for(conn, [item_id], submitted_only=False).get(item_id, [])
        anns = [a for a in anns if a["status"] != "leased"]
        reviews = rows.reviews_for(conn, [a["id"] for a in anns])
        preds = item_rows.predictions_for(conn, [item_id]).get(item_id, [])
    item.pop("is_open", None)
    item["predictions"] = preds
    item["annotations"] = [
        {**{k: a[k] for k in ("id", "annotator", "status", "result", "schema_version", "lead_time", "review_status",
                              "skip_reason")},
         "submitted_at": aware(a["submitted_at"]), "reviews": reviews.get(a["id"], [])}
        for a in anns
    ]
    return item
