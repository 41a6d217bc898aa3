"""Annotation rows: leases, drafts, submissions, skips and reviews.

One row per (item, annotator). A row in status ``leased`` with a future ``lease_expires_at``
reserves a slot of the item's overlap; submitted rows fill slots for good.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, exists, func, insert, or_, select, update

from labelwise.store.clock import now
from labelwise.store.tables import annotations, items, reviews, users


def live_leases(item_id_col: Any, at: datetime, *, other_than: int | None = None) -> Any:
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


def held_leases(conn: Connection, project_id: int, user_id: int) -> list[dict[str, Any]]:
    q = select(annotations).where(
        annotations.c.project_id == project_id, annotations.c.user_id == user_id, annotations.c.status == "leased"
    ).order_by(annotations.c.id)
    return [dict(r) for r in conn.execute(q).mappings()]


def rejected_for(conn: Connection, project_id: int, user_id: int) -> dict[str, Any] | None:
    row = conn.execute(
        select(annotations).where(
            annotations.c.project_id == project_id, annotations.c.user_id == user_id,
            annotations.c.status == "submitted", annotations.c.review_status == "rejected",
        ).order_by(annotations.c.id).limit(1)
    ).mappings().first()
    return dict(row) if row else None


def free_slots(conn: Connection, item_id: int, overlap: int, *, user_id: int, at: datetime) -> int:
    """Slots of the item's overlap not yet filled by submissions or other annotators' live leases."""
    n_submitted = conn.execute(select(items.c.n_submitted).where(items.c.id == item_id)).scalar_one()
    return overlap - n_submitted - conn.execute(select(live_leases(item_id, at, other_than=user_id))).scalar_one()


def pick_next_item(conn: Connection, project_id: int, user_id: int, overlap: int, at: datetime) -> int | None:
    """The first open item in queue order this user has not done and that has a free slot."""
    mine = exists().where(
        annotations.c.item_id == items.c.id,
        annotations.c.user_id == user_id,
        or_(annotations.c.status != "leased", annotations.c.lease_expires_at > at),
    )
    q = (
        select(items.c.id)
        .where(
            items.c.project_id == project_id,
            items.c.is_open.is_(True),
            ~mine,
            items.c.n_submitted + live_leases(items.c.id, at) < overlap,
        )
        .order_by(items.c.sort_key, items.c.id)
        .limit(1)
    )
    if conn.dialect.name == "postgresql":
        q = q.with_for_update(skip_locked=True, of=items)
    return conn.execute(q).scalar_one_or_none()


def lock_item(conn: Connection, item_id: int) -> None:
    """Serialise changes to one item's slots (a no-op on SQLite, where writers are serial)."""
    if conn.dialect.name == "postgresql":
        conn.execute(select(items.c.id).where(items.c.id == item_id).with_for_update())


def upsert_lease(conn: Connection, *, project_id: int, item_id: int, user_id: int, expires_at: datetime,
                 schema_version: int) -> int:
    at = now()
    existing = conn.execute(
        update(annotations)
        .where(annotations.c.item_id == item_id, annotations.c.user_id == user_id)
        .values(status="leased", lease_expires_at=expires_at, updated_at=at)
        .returning(annotations.c.id)
    ).scalar_one_or_none()
    if existing is not None:
        return existing
    return conn.execute(
        insert(annotations).values(
            project_id=project_id, item_id=item_id, user_id=user_id, status="leased", lease_expires_at=expires_at,
            schema_version=schema_version, lead_time=0.0, created_at=at, updated_at=at,
        ).returning(annotations.c.id)
    ).scalar_one()


def insert_submitted(conn: Connection, *, project_id: int, item_id: int, user_id: int, result: dict[str, Any],
                     schema_version: int, lead_time: float) -> int:
    at = now()
    return conn.execute(
        insert(annotations).values(
            project_id=project_id, item_id=item_id, user_id=user_id, status="submitted", result=result,
            schema_version=schema_version, lead_time=lead_time, created_at=at, updated_at=at, submitted_at=at,
        ).returning(annotations.c.id)
    ).scalar_one()


def update_row(conn: Connection, annotation_id: int, **values: Any) -> None:
    conn.execute(update(annotations).where(annotations.c.id == annotation_id).values(updated_at=now(), **values))


def delete_row(conn: Connection, annotation_id: int) -> None:
    conn.execute(annotations.delete().where(annotations.c.id == annotation_id))


def add_submitted(conn: Connection, item_id: int, delta: int, overlap: int) -> int:
    """Change an item's submission count; close it once the overlap is reached. Returns the new count."""
    n = conn.execute(
        update(items).where(items.c.id == item_id)
        .values(n_submitted=items.c.n_submitted + delta)
        .returning(items.c.n_submitted)
    ).scalar_one()
    conn.execute(update(items).where(items.c.id == item_id).values(is_open=n < overlap, updated_at=now()))
    return n


def item_review_statuses(conn: Connection, item_id: int, at: datetime) -> tuple[list[str | None], bool]:
    """Review outcomes of the item's submitted annotations, and whether a live lease is held on it."""
    rows = conn.execute(
        select(annotations.c.status, annotations.c.review_status, annotations.c.lease_expires_at)
        .where(annotations.c.item_id == item_id)
    ).all()
    statuses = [r.review_status for r in rows if r.status == "submitted"]
    leased = any(r.status == "leased" and r.lease_expires_at is not None and _after(r.lease_expires_at, at)
                 for r in rows)
    return statuses, leased


def _after(value: datetime, at: datetime) -> bool:
    from labelwise.store.clock import aware

    return aware(value) > at  # type: ignore[operator]


def set_item_state(conn: Connection, item_id: int, state: str) -> None:
    conn.execute(update(items).where(items.c.id == item_id, items.c.state != state).values(state=state))


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
        .where(items.c.project_id == project_id, items.c.state.in_(["annotated", "in_review"]), items.c.id > after)
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


def reviews_for(conn: Connection, annotation_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    out: dict[int, list[dict[str, Any]]] = {}
    if not annotation_ids:
        return out
    q = (
        select(reviews.c.annotation_id, reviews.c.action, reviews.c.comment, reviews.c.result, reviews.c.created_at,
               users.c.email.label("reviewer"))
        .outerjoin(users, users.c.id == reviews.c.reviewer_id)
        .where(reviews.c.annotation_id.in_(annotation_ids))
        .order_by(reviews.c.id)
    )
    for row in conn.execute(q).mappings():
        out.setdefault(row["annotation_id"], []).append(dict(row))
    return out


def release_leases(conn: Connection, project_id: int, user_id: int) -> None:
    """Drop the user's unsubmitted leases in a project (their drafts go with them)."""
    conn.execute(annotations.delete().where(annotations.c.project_id == project_id,
                                            annotations.c.user_id == user_id, annotations.c.status == "leased"))
