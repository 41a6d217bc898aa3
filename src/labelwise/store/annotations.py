"""Annotation rows: leases, drafts, submissions, skips and reviews.

One row per (item, annotator). A row in status ``leased`` with a future ``lease_expires_at``
reserves a slot of the item's overlap; submitted rows fill slots for good.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, bindparam, case, exists, func, insert, or_, select, union_all, update

from labelwise.store.clock import now
from labelwise.store.prepared import Prepared
from labelwise.store.tables import VISIBLE, annotations, items, reviews, users


def live_leases(item_id_col: Any, at: datetime | Any, *, other_than: int | Any | None = None) -> Any:
    """Correlated count of live leases on an item."""
    conds = [annotations.c.item_id == item_id_col, annotations.c.status == "leased",
             annotations.c.lease_expires_at > at]
    if other_than is not None:
        conds.append(annotations.c.user_id != other_than)
    return select(func.count()).where(*conds).scalar_subquery()


def row_for(conn: Connection, item_id: int, user_id: int) -> dict[str, Any] | None:
    row = conn.execute(
        select(annotations).where(annotations.c.item_id == item_id, annotations.c.user_id == user_id)
    ).mappings().first()
    return dict(row) if row else None


def annotation_by_id(conn: Connection, annotation_id: int) -> dict[str, Any] | None:
    row = conn.execute(select(annotations).where(annotations.c.id == annotation_id)).mappings().first()
    return dict(row) if row else None


def free_slots(conn: Connection, item_id: int, overlap: int, *, user_id: int, at: datetime) -> int:
    """Slots of the item's capacity not yet filled by submissions or other annotators' live leases.

    The capacity is the overlap; an item that dynamic overlap keeps open past it takes one more.
    """
    n_submitted, is_open, leased = conn.execute(_FREE_SLOTS, {"item_id": item_id, "user_id": user_id, "at": at}).one()
    cap = overlap if n_submitted < overlap else n_submitted + 1 if is_open else n_submitted
    return int(cap - n_submitted - leased)


def _pick_statement(*, for_update: bool) -> Any:
    mine = exists().where(
        annotations.c.item_id == items.c.id,
        annotations.c.user_id == bindparam("user_id"),
        or_(annotations.c.status != "leased", annotations.c.lease_expires_at > bindparam("at")),
    )
    q = (
        select(items.c.id)
        .where(
            items.c.project_id == bindparam("project_id"),
            VISIBLE,
            items.c.is_open.is_(True),
            ~mine,
            # open past the overlap (dynamic overlap after a disagreement): room for one more
            items.c.n_submitted + live_leases(items.c.id, bindparam("at"))
            < case((items.c.n_submitted >= bindparam("overlap"), items.c.n_submitted + 1), else_=bindparam("overlap")),
        )
        .order_by(items.c.sort_key, items.c.id)
        .limit(1)
    )
    return q.with_for_update(skip_locked=True, of=items) if for_update else q


# The queue's statements are built once: building SQLAlchemy expressions costs more than running them. The
# hottest are Prepared (compiled once, run on SQLite's cursor: see store/prepared.py).
_PICK = Prepared(_pick_statement(for_update=False))
_PICK_LOCKED = Prepared(_pick_statement(for_update=True))
# Two lookups, each on its index, rather than one OR: SQLite answered that by reading every row the user
# has in the project (each submitted one from the table, for its review status), on every next. The
# rejected ones are found by ix_annotations_review: ``user_id + 0`` keeps SQLite from choosing
# ix_annotations_user there, which would again read every submission of the user.
_MY_OPEN_ROWS = Prepared(union_all(
    select(annotations).where(annotations.c.project_id == bindparam("project_id"),
                              annotations.c.user_id == bindparam("user_id"), annotations.c.status == "leased"),
    select(annotations).where(annotations.c.project_id == bindparam("project_id"),
                              annotations.c.status == "submitted", annotations.c.review_status == "rejected",
                              annotations.c.user_id + 0 == bindparam("user_id")),
).order_by("id"))
_SLOTS = Prepared(select(
    annotations.c.id, annotations.c.user_id, annotations.c.status, annotations.c.review_status,
    annotations.c.lease_expires_at, annotations.c.lead_time, annotations.c.result,
).where(annotations.c.item_id == bindparam("item_id")))
# An item's counts and the live leases others hold on it, in one round trip (PostgreSQL's re-check of
# a picked item, lease renewals).
_FREE_SLOTS = select(items.c.n_submitted, items.c.is_open,
                     live_leases(items.c.id, bindparam("at"), other_than=bindparam("user_id"))).where(
    items.c.id == bindparam("item_id"))
_LOCK = select(items.c.id).where(items.c.id == bindparam("item_id")).with_for_update()
_SET_SLOTS = (update(items).where(items.c.id == bindparam("item_id"))
              .values(n_submitted=bindparam("n"), is_open=bindparam("open"), state=bindparam("state"),
                      updated_at=bindparam("at")))
_SET_SLOTS_AND_PRIORITY = Prepared(_SET_SLOTS.values(review_priority=bindparam("priority")))
_SET_SLOTS_ONLY = Prepared(_SET_SLOTS)
KEEP: Any = object()  # set_slots: leave the review priority as it is


def _lease_upsert(dialect: str) -> Any:
    from sqlalchemy.dialects import postgresql, sqlite

    module = postgresql if dialect == "postgresql" else sqlite
    stmt = module.insert(annotations).values(
        project_id=bindparam("project_id"), item_id=bindparam("item_id"), user_id=bindparam("user_id"),
        status="leased", lease_expires_at=bindparam("expires"), schema_version=bindparam("version"), lead_time=0.0,
        created_at=bindparam("at"), updated_at=bindparam("at"),
    )
    return stmt.on_conflict_do_update(
        index_elements=[annotations.c.item_id, annotations.c.user_id],
        set_={"status": "leased", "lease_expires_at": stmt.excluded.lease_expires_at,
              "updated_at": stmt.excluded.updated_at},
    ).returning(annotations.c.id)


_UPSERT_LEASE = {name: Prepared(_lease_upsert(name)) for name in ("sqlite", "postgresql")}


def my_open_rows(conn: Connection, project_id: int, user_id: int) -> list[dict[str, Any]]:
    """The user's leases and rejected submissions in a project, oldest first."""
    return _MY_OPEN_ROWS.rows(conn, {"project_id": project_id, "user_id": user_id})


def slots_of(conn: Connection, item_id: int) -> list[dict[str, Any]]:
    """Every annotation row of one item: who holds or filled which slot."""
    return _SLOTS.rows(conn, {"item_id": item_id})


def pick_next_item(conn: Connection, project_id: int, user_id: int, overlap: int, at: datetime) -> int | None:
    """The first open item in queue order this user has not done and that has a free slot."""
    q = _PICK_LOCKED if conn.dialect.name == "postgresql" else _PICK
    params = {"project_id": project_id, "user_id": user_id, "overlap": overlap, "at": at}
    return q.scalar(conn, params)  # type: ignore[no-any-return]


def lock_item(conn: Connection, item_id: int) -> None:
    """Serialise changes to one item's slots (a no-op on SQLite, where writers are serial)."""
    if conn.dialect.name == "postgresql":
        conn.execute(_LOCK, {"item_id": item_id})


def upsert_lease(conn: Connection, *, project_id: int, item_id: int, user_id: int, expires_at: datetime,
                 schema_version: int) -> int:
    params = {"project_id": project_id, "item_id": item_id, "user_id": user_id, "expires": expires_at,
              "version": schema_version, "at": now()}
    return int(_UPSERT_LEASE[conn.dialect.name].scalar(conn, params))


def set_slots(conn: Connection, item_id: int, *, n_submitted: int, overlap: int, state: str, at: datetime,
              review_priority: float | None = KEEP) -> None:
    """Store an item's submission count, whether it still takes annotators, its state and (unless
    ``KEEP``) its review priority, in one statement."""
    params = {"item_id": item_id, "n": n_submitted, "open": n_submitted < overlap, "state": state, "at": at}
    if review_priority is KEEP:
        _SET_SLOTS_ONLY.run(conn, params)
    else:
        _SET_SLOTS_AND_PRIORITY.run(conn, {**params, "priority": review_priority})


def insert_submitted(conn: Connection, *, project_id: int, item_id: int, user_id: int, result: dict[str, Any],
                     schema_version: int, lead_time: float) -> int:
    at = now()
    return conn.execute(
        insert(annotations).values(
            project_id=project_id, item_id=item_id, user_id=user_id, status="submitted", result=result,
            schema_version=schema_version, lead_time=lead_time, created_at=at, updated_at=at, submitted_at=at,
        ).returning(annotations.c.id)
    ).scalar_one()


_MARK_SUBMITTED = Prepared(update(annotations).where(annotations.c.id == bindparam("annotation_id")).values(
    status="submitted", result=bindparam("result"), draft=None, schema_version=bindparam("version"),
    lead_time=bindparam("lead_time"), lease_expires_at=None, submitted_at=bindparam("at"), updated_at=bindparam("at"),
    skip_reason=None,
))


def mark_submitted(conn: Connection, annotation_id: int, *, result: dict[str, Any], schema_version: int,
                   lead_time: float, at: datetime) -> None:
    _MARK_SUBMITTED.run(conn, {"annotation_id": annotation_id, "result": result, "version": schema_version,
                                   "lead_time": lead_time, "at": at})


def update_row(conn: Connection, annotation_id: int, **values: Any) -> None:
    conn.execute(update(annotations).where(annotations.c.id == annotation_id).values(updated_at=now(), **values))


def delete_row(conn: Connection, annotation_id: int) -> None:
    conn.execute(annotations.delete().where(annotations.c.id == annotation_id))


_START = Prepared(update(items).where(items.c.id == bindparam("item_id"), items.c.state == "new")
                  .values(state="in_progress"))


def mark_started(conn: Connection, item_id: int) -> None:
    """A new item that was just leased is in progress."""
    _START.run(conn, {"item_id": item_id})


def history(conn: Connection, project_id: int, user_id: int, *, before: int | None, limit: int) -> list[dict[str, Any]]:
    """The user's own submitted or skipped annotations, newest first."""
    conds = [annotations.c.project_id == project_id, annotations.c.user_id == user_id,
             annotations.c.status != "leased"]
    if before is not None:
        conds.append(annotations.c.id < before)
    q = select(annotations).where(and_(*conds)).order_by(annotations.c.id.desc()).limit(limit)
    return [dict(r) for r in conn.execute(q).mappings()]


def review_queue(conn: Connection, project_id: int, *, after: int, limit: int) -> list[int]:
    """Item ids with submitted, unreviewed annotations, oldest first."""
    q = (
        select(items.c.id)
        .where(items.c.project_id == project_id, VISIBLE, items.c.state.in_(["annotated", "in_review"]),
               items.c.id > after)
        .order_by(items.c.id)
        .limit(limit)
    )
    return list(conn.execute(q).scalars())


def insert_review(conn: Connection, *, annotation_id: int, reviewer_id: int, action: str, comment: str,
                  result: dict[str, Any] | None) -> int:
    return conn.execute(
        insert(reviews).values(annotation_id=annotation_id, reviewer_id=reviewer_id, action=action,
                               comment=comment, result=result, created_at=now()).returning(reviews.c.id)
    ).scalar_one()


# Built once: exports call it a page at a time, and a statement built per call (holding the page's ids)
# leaves reference cycles that outlive the page while exports pause the cyclic collector.
_REVIEWS_FOR = (
    select(reviews.c.annotation_id, reviews.c.action, reviews.c.comment, reviews.c.result, reviews.c.created_at,
           users.c.email.label("reviewer"))
    .outerjoin(users, users.c.id == reviews.c.reviewer_id)
    .where(reviews.c.annotation_id.in_(bindparam("ids", expanding=True)))
    .order_by(reviews.c.id)
)


def reviews_for(conn: Connection, annotation_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    out: dict[int, list[dict[str, Any]]] = {}
    if not annotation_ids:
        return out
    for row in conn.execute(_REVIEWS_FOR, {"ids": list(annotation_ids)}).mappings():
        out.setdefault(row["annotation_id"], []).append(dict(row))
    return out


def release_leases(conn: Connection, project_id: int, user_id: int) -> None:
    """Drop the user's unsubmitted leases in a project (their drafts go with them)."""
    conn.execute(annotations.delete().where(annotations.c.project_id == project_id,
                                            annotations.c.user_id == user_id, annotations.c.status == "leased"))
