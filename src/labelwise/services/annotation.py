"""The annotator's side: take the next task, save drafts, submit, skip, revise.

Every call is one write transaction. Overlap is exact: an item gets at most ``overlap``
submissions, each from a different annotator, and at most ``overlap`` slots are ever held
by submissions plus live leases.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection

from labelwise.domain.permissions import Action, Actor
from labelwise.domain.quality import capacity
from labelwise.domain.states import item_state
from labelwise.errors import Conflict, Invalid, NotFound
from labelwise.services import checks, gold, quality
from labelwise.services.access import ProjectAccess, open_project
from labelwise.services.context import Context
from labelwise.store import annotations as rows
from labelwise.store import audit
from labelwise.store import items as item_rows
from labelwise.store import quality as quality_rows
from labelwise.store import queue as queue_rows
from labelwise.store.clock import aware, now

MAX_LEAD_TIME = 7 * 24 * 3600.0


def _lease_seconds(ctx: Context, access: ProjectAccess) -> int:
    return int(access.project["lease_seconds"] or ctx.settings.lease_seconds)


def _slot_facts(slots: list[dict[str, Any]], at: datetime, *, user_id: int) -> tuple[list[str | None], int, bool]:
    """From an item's rows: review outcomes of submissions, live leases held by others, any live lease."""
    statuses = [r["review_status"] for r in slots if r["status"] == "submitted"]
    live = [r for r in slots if r["status"] == "leased" and aware(r["lease_expires_at"]) > at]  # type: ignore[operator]
    return statuses, sum(1 for r in live if r["user_id"] != user_id), bool(live)


def refresh_state(conn: Connection, item_id: int, overlap: int, *, access: ProjectAccess | None = None) -> str:
    """Recompute and store an item's counts and state from its annotation rows.

    With ``access``, ``overlap`` is decided again by dynamic overlap (and gold items stay closed).
    """
    at = now()
    statuses, _, leased = _slot_facts(rows.slots_of(conn, item_id), at, user_id=-1)
    if access is not None:
        overlap = quality.settle(conn, access, item_id, len(statuses),
                                 gold=quality_rows.gold_of(conn, item_id) is not None)
    state = item_state(n_submitted=len(statuses), overlap=overlap, leased=leased, review_statuses=statuses)
    rows.set_slots(conn, item_id, n_submitted=len(statuses), overlap=overlap, state=state, at=at)
    return state


def _task(conn: Connection, access: ProjectAccess, item_id: int, row: dict[str, Any] | None,
          actor: Actor) -> dict[str, Any]:
    """What an annotator sees of one item: data, predictions, their own draft or result."""
    item = queue_rows.task_item(conn, access.id, item_id)
    if item is None:
        raise NotFound(f"item {item_id} not found in project {access.name!r}")
    masked = gold.is_gold(conn, item)  # a gold item looks like any item in progress
    if masked:
        item["state"] = "in_progress"
    task: dict[str, Any] = {
        "id": item["id"], "key": item["key"], "data": item["data"], "meta": item["meta"], "state": item["state"],
        "predictions": item["predictions"],
        "schema_version": access.project["schema_version"],
        "status": None, "result": None, "draft": None, "lease_expires_at": None, "review": None,
    }
    if row is not None:
        task.update(status=row["status"], result=row["result"], draft=row["draft"],
                    lease_expires_at=aware(row["lease_expires_at"]), lead_time=row["lead_time"])
        if row["review_status"]:
            last = rows.reviews_for(conn, [row["id"]]).get(row["id"], [])
            task["review"] = {"status": row["review_status"], "comment": last[-1]["comment"] if last else ""}
    if access.project["show_others"] and not masked:
        others = item_rows.annotations_for(conn, [item_id]).get(item_id, [])
        task["others"] = [{"annotator": a["annotator"], "result": a["result"]} for a in others
                          if a["user_id"] != actor.id]
    return task


def next_task(ctx: Context, actor: Actor, ref: int | str, *, exclude: Collection[int] = ()
              ) -> dict[str, Any] | None:
    """The task this annotator should do now, leased to them; None when nothing is left.

    In order: an annotation of theirs a reviewer rejected; a lease they already hold (renewed);
    the first open item in queue order with a free slot. Held leases on items in ``exclude`` are
    passed over (the UI prefetches the task after the one on screen this way).
    """
    at = now()
    with ctx.db.write() as conn:
        access = open_project(ctx, conn, actor, ref, Action.annotate)
        overlap, expires = access.project["overlap"], at + timedelta(seconds=_lease_seconds(ctx, access))
        q = quality.settings_of(access.project)
        gold.check_not_paused(conn, access, q, actor.id)
        mine = rows.my_open_rows(conn, access.id, actor.id)
        for row in mine:
            if row["status"] == "submitted":  # rejected by a reviewer: back to its annotator first
                return _task(conn, access, row["item_id"], row, actor)
        for held in mine:
            if held["item_id"] in exclude:
                continue
            live = aware(held["lease_expires_at"]) > at  # type: ignore[operator]
            rows.lock_item(conn, held["item_id"])
            if live or rows.free_slots(conn, held["item_id"], overlap, user_id=actor.id, at=at) > 0:
                rows.update_row(conn, held["id"], lease_expires_at=expires)
                held["lease_expires_at"] = expires
                return _task(conn, access, held["item_id"], held, actor)
            rows.delete_row(conn, held["id"])  # the slot went to someone else while the lease was dead
        item_id = gold.serve(conn, access, q, actor.id, at)
        if item_id is not None:
            annotation_id = rows.upsert_lease(conn, project_id=access.id, item_id=item_id, user_id=actor.id,
                                              expires_at=expires, schema_version=access.project["schema_version"])
            row = {"id": annotation_id, "status": "leased", "result": None, "draft": None, "lead_time": 0.0,
                   "lease_expires_at": expires, "review_status": None}
            return _task(conn, access, item_id, row, actor)
        item_id = rows.pick_next_item(conn, access.id, actor.id, overlap, at)
        # On PostgreSQL the pick judged the slots by its snapshot; a lease another annotator committed
        # since then (the reason we may hold this item's lock only now) shows to a fresh statement.
        while item_id is not None and conn.dialect.name == "postgresql" and \
                rows.free_slots(conn, item_id, overlap, user_id=actor.id, at=at) <= 0:
            item_id = rows.pick_next_item(conn, access.id, actor.id, overlap, at)
        if item_id is None:
            return None
        annotation_id = rows.upsert_lease(conn, project_id=access.id, item_id=item_id, user_id=actor.id,
                                          expires_at=expires, schema_version=access.project["schema_version"])
        rows.mark_started(conn, item_id)
        row = {"id": annotation_id, "status": "leased", "result": None, "draft": None, "lead_time": 0.0,
               "lease_expires_at": expires, "review_status": None}
        return _task(conn, access, item_id, row, actor)


def get_task(ctx: Context, actor: Actor, ref: int | str, item_id: int) -> dict[str, Any]:
    """One item as its annotator sees it, if they hold it or have worked on it."""
    with ctx.db.read() as conn:
        access = open_project(ctx, conn, actor, ref, Action.annotate)
        row = rows.row_for(conn, item_id, actor.id)
        if row is None or row["project_id"] != access.id:
            raise NotFound(f"you have no task for item {item_id} in project {access.name!r}")
        return _task(conn, access, item_id, row, actor)


def renew_lease(ctx: Context, actor: Actor, ref: int | str, item_id: int) -> dict[str, Any]:
    at = now()
    with ctx.db.write() as conn:
        access = open_project(ctx, conn, actor, ref, Action.annotate)
        row = _own_row(conn, access, item_id, actor)
        if row["status"] != "leased":
            raise Conflict(f"item {item_id} is not leased to you (it is {row['status']})")
        rows.lock_item(conn, item_id)
        expired = aware(row["lease_expires_at"]) <= at  # type: ignore[operator]
        if expired and rows.free_slots(conn, item_id, access.project["overlap"], user_id=actor.id, at=at) <= 0:
            raise Conflict(f"your lease on item {item_id} expired and the item was given to someone else")
        expires = at + timedelta(seconds=_lease_seconds(ctx, access))
        rows.update_row(conn, row["id"], lease_expires_at=expires)
    return {"item_id": item_id, "lease_expires_at": expires}


def _own_row(conn: Connection, access: ProjectAccess, item_id: int, actor: Actor) -> dict[str, Any]:
    row = rows.row_for(conn, item_id, actor.id)
    if row is None or row["project_id"] != access.id:
        raise NotFound(f"you hold no task for item {item_id} in project {access.name!r}")
    return row


def _lead_time(value: float | None) -> float:
    if value is None:
        return 0.0
    if not 0 <= float(value) <= MAX_LEAD_TIME:
        raise Invalid(f"lead_time must be between 0 and {MAX_LEAD_TIME:.0f} seconds, not {value!r}")
    return float(value)


def submit(ctx: Context, actor: Actor, ref: int | str, item_id: int, result: dict[str, Any], *,
           lead_time: float | None = None) -> dict[str, Any]:
    """Submit a result for an item leased to the actor (or with a free slot). 409 if already submitted."""
    spent = _lead_time(lead_time)
    at = now()
    with ctx.db.write() as conn:
        access = open_project(ctx, conn, actor, ref, Action.annotate)
        item = item_rows.item_detail(conn, access.id, item_id, lock=True)
        if item is None:
            raise NotFound(f"item {item_id} not found in project {access.name!r}")
        clean = access.schema.validate_result(result, item["data"], (item["meta"] or {}).get("media"))
        warnings = checks.at_submit(access, clean, item["data"])  # 422 on a blocking rule
        is_gold = gold.is_gold(conn, item)
        overlap = access.project["overlap"]
        slots = rows.slots_of(conn, item_id)
        own = next((r for r in slots if r["user_id"] == actor.id), None)
        if own is not None and own["status"] == "submitted":
            raise Conflict(f"you already submitted item {item_id}; update your annotation instead")
        statuses, others_leasing, _ = _slot_facts(slots, at, user_id=actor.id)
        live = own is not None and own["status"] == "leased" and aware(own["lease_expires_at"]) > at  # type: ignore[operator]
        cap = capacity(overlap, len(statuses), bool(item["is_open"]))
        if not live and not is_gold and cap - len(statuses) - others_leasing <= 0:
            raise Conflict(f"item {item_id} has all {cap} annotation(s) it needs"
                           + (" (your lease expired)" if own is not None else ""))
        version = access.project["schema_version"]
        if own is None:
            annotation_id = rows.insert_submitted(conn, project_id=access.id, item_id=item_id, user_id=actor.id,
                                                  result=clean, schema_version=version, lead_time=spent)
        else:
            annotation_id = own["id"]
            rows.mark_submitted(conn, annotation_id, result=clean, schema_version=version,
                                lead_time=own["lead_time"] + spent, at=at)
        if warnings:
            rows.update_row(conn, annotation_id, checks=warnings)
        statuses.append(None)
        # the item's submitted results in annotation order, from the rows read above plus this one
        submitted = [(r["id"], r["user_id"], r["result"] or {}) for r in slots
                     if r["status"] == "submitted" and r["review_status"] != "rejected"]
        submitted.append((annotation_id, actor.id, clean))
        results = [(user, res) for _, user, res in sorted(submitted, key=lambda row: row[0])]
        settled = quality.settle_item(conn, access, item_id, len(statuses), gold=is_gold, results=results)
        state = item_state(n_submitted=len(statuses), overlap=settled.capacity, leased=others_leasing > 0,
                           review_statuses=statuses)
        rows.set_slots(conn, item_id, n_submitted=len(statuses), overlap=settled.capacity, state=state, at=at,
                       review_priority=settled.priority if settled.decided else rows.KEEP)
        audit.record(conn, user_id=actor.id, project_id=access.id, action="annotation.submit",
                     target=f"item:{item_id}", details={"annotation_id": annotation_id})
    return {"id": annotation_id, "item_id": item_id, "status": "submitted", "result": clean, "item_state": state,
            "warnings": warnings}


def update_annotation(ctx: Context, actor: Actor, ref: int | str, item_id: int, result: dict[str, Any], *,
                      lead_time: float | None = None) -> dict[str, Any]:
    """Change one's own submitted annotation; a rejected one goes back to review."""
    spent = _lead_time(lead_time)
    with ctx.db.write() as conn:
        access = open_project(ctx, conn, actor, ref, Action.annotate)
        row = _own_row(conn, access, item_id, actor)
        if row["status"] != "submitted":
            raise Conflict(f"item {item_id} has no submitted annotation of yours to update; submit it first")
        if row["review_status"] in ("accepted", "corrected"):
            raise Conflict(f"your annotation of item {item_id} was already reviewed ({row['review_status']})")
        item = item_rows.item_detail(conn, access.id, item_id)
        assert item is not None
        clean = access.schema.validate_result(result, item["data"], (item["meta"] or {}).get("media"))
        warnings = checks.at_submit(access, clean, item["data"])
        rows.update_row(conn, row["id"], result=clean, draft=None, review_status=None, checks=warnings or None,
                        schema_version=access.project["schema_version"], lead_time=row["lead_time"] + spent)
        state = refresh_state(conn, item_id, access.project["overlap"], access=access)
        audit.record(conn, user_id=actor.id, project_id=access.id, action="annotation.update",
                     target=f"item:{item_id}", details={"annotation_id": row["id"]})
    return {"id": row["id"], "item_id": item_id, "status": "submitted", "result": clean, "item_state": state,
            "warnings": warnings}


def save_draft(ctx: Context, actor: Actor, ref: int | str, item_id: int, draft: dict[str, Any], *,
               lead_time: float | None = None) -> dict[str, Any]:
    """Keep unfinished work on the server (checked loosely: labels must exist, none is required)."""
    spent = _lead_time(lead_time)
    with ctx.db.write() as conn:
        access = open_project(ctx, conn, actor, ref, Action.annotate)
        row = _own_row(conn, access, item_id, actor)
        if row["status"] == "skipped":
            raise Conflict(f"you skipped item {item_id}")
        item = item_rows.item_detail(conn, access.id, item_id)
        assert item is not None
        clean = access.schema.validate_result(draft, item["data"], (item["meta"] or {}).get("media"), partial=True)
        rows.update_row(conn, row["id"], draft=clean, lead_time=row["lead_time"] + spent)
    return {"item_id": item_id, "draft": clean}


def skip(ctx: Context, actor: Actor, ref: int | str, item_id: int, *, reason: str = "") -> dict[str, Any]:
    """Give the item back; this annotator will not be offered it again."""
    with ctx.db.write() as conn:
        access = open_project(ctx, conn, actor, ref, Action.annotate)
        row = rows.row_for(conn, item_id, actor.id)
        if row is not None and row["status"] == "submitted":
            raise Conflict(f"you already submitted item {item_id}")
        if row is None:
            if item_rows.item_detail(conn, access.id, item_id) is None:
                raise NotFound(f"item {item_id} not found in project {access.name!r}")
            rows.upsert_lease(conn, project_id=access.id, item_id=item_id, user_id=actor.id, expires_at=now(),
                              schema_version=access.project["schema_version"])
            row = rows.row_for(conn, item_id, actor.id)
            assert row is not None
        rows.update_row(conn, row["id"], status="skipped", skip_reason=reason[:2000], lease_expires_at=None,
                        draft=None)
        refresh_state(conn, item_id, access.project["overlap"], access=access)
        audit.record(conn, user_id=actor.id, project_id=access.id, action="annotation.skip", target=f"item:{item_id}",
                     details={"reason": reason[:200]})
    return {"item_id": item_id, "status": "skipped"}


def my_history(ctx: Context, actor: Actor, ref: int | str, *, before: int | None = None,
               limit: int = 50) -> list[dict[str, Any]]:
    """The actor's own submitted and skipped annotations in this project, newest first."""
    with ctx.db.read() as conn:
        access = open_project(ctx, conn, actor, ref, Action.annotate)
        out = rows.history(conn, access.id, actor.id, before=before, limit=min(max(limit, 1), 500))
    return [{k: r[k] for k in ("id", "item_id", "status", "result", "skip_reason", "lead_time", "review_status",
                                "submitted_at", "updated_at")} for r in out]
