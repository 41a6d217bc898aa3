"""Rows for quality assurance: gold answers, final labels, the review sample, long-format reads.

The statements the queue runs (gold lookups and picks, per-user counts) are built once with bind
parameters, like those of :mod:`labelwise.store.annotations`.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import Connection, String, and_, bindparam, delete, exists, func, or_, select, type_coerce, update

from labelwise.store.clock import now
from labelwise.store.prepared import Prepared
from labelwise.store.tables import VISIBLE, annotations, final_labels, gold_answers, items, members, users

# --- gold ------------------------------------------------------------------------------------------

_GOLD_OF = select(gold_answers.c.result).where(gold_answers.c.item_id == bindparam("item_id"))
_MINE = exists().where(
    annotations.c.item_id == items.c.id,
    annotations.c.user_id == bindparam("user_id"),
    or_(annotations.c.status != "leased", annotations.c.lease_expires_at > bindparam("at")),
)
_PICK_GOLD = (
    select(items.c.id)
    .join(gold_answers, gold_answers.c.item_id == items.c.id)
    .where(gold_answers.c.project_id == bindparam("project_id"), VISIBLE, ~_MINE)
    .order_by(items.c.id)
    .limit(1)
)
_USER_COUNTS = (
    select(func.count(), func.count(gold_answers.c.item_id))
    .select_from(annotations.outerjoin(gold_answers, gold_answers.c.item_id == annotations.c.item_id))
    .where(annotations.c.project_id == bindparam("project_id"), annotations.c.user_id == bindparam("user_id"),
           annotations.c.status == "submitted")
)


def gold_of(conn: Connection, item_id: int) -> dict[str, Any] | None:
    """The item's gold answer, or None when it is not a gold item."""
    return conn.execute(_GOLD_OF, {"item_id": item_id}).scalar_one_or_none()


def pick_gold(conn: Connection, project_id: int, user_id: int, at: datetime) -> int | None:
    """A gold item this user has not done (nor holds), in id order."""
    return conn.execute(_PICK_GOLD, {"project_id": project_id, "user_id": user_id, "at": at}).scalar_one_or_none()


def user_counts(conn: Connection, project_id: int, user_id: int) -> tuple[int, int]:
    """(submitted annotations, of which on gold items) of one user in a project."""
    total, gold = conn.execute(_USER_COUNTS, {"project_id": project_id, "user_id": user_id}).one()
    return int(total), int(gold)


def set_gold(conn: Connection, *, project_id: int, item_id: int, result: dict[str, Any], user_id: int) -> None:
    conn.execute(delete(gold_answers).where(gold_answers.c.item_id == item_id))
    conn.execute(gold_answers.insert().values(item_id=item_id, project_id=project_id, result=result,
                                              created_by=user_id, created_at=now()))
    conn.execute(update(items).where(items.c.id == item_id).values(is_open=False, review_priority=None))


def unset_gold(conn: Connection, item_id: int) -> int:
    return conn.execute(delete(gold_answers).where(gold_answers.c.item_id == item_id)).rowcount


def gold_answers_of(conn: Connection, project_id: int, user_id: int | None = None) -> list[dict[str, Any]]:
    """Submitted annotations on gold items with the expected answer (one user, or everybody)."""
    conds = [gold_answers.c.project_id == project_id, annotations.c.status == "submitted"]
    if user_id is not None:
        conds.append(annotations.c.user_id == user_id)
    q = (
        select(annotations.c.id, annotations.c.item_id, annotations.c.user_id, users.c.email.label("annotator"),
               annotations.c.result, gold_answers.c.result.label("expected"), annotations.c.submitted_at)
        .join(gold_answers, gold_answers.c.item_id == annotations.c.item_id)
        .join(users, users.c.id == annotations.c.user_id)
        .where(*conds)
        .order_by(annotations.c.id)
    )
    return [dict(r) for r in conn.execute(q).mappings()]


def set_gold_resumed(conn: Connection, project_id: int, user_id: int, at: datetime) -> bool:
    """From ``at`` on, the member's earlier gold answers no longer count for the pause (False: not a member)."""
    r = conn.execute(update(members).where(members.c.project_id == project_id, members.c.user_id == user_id)
                     .values(gold_resumed_at=at))
    return r.rowcount > 0


def gold_resumed(conn: Connection, project_id: int) -> dict[int, datetime]:
    """When a manager last resumed each member of the project who was resumed (user id -> time)."""
    q = select(members.c.user_id, members.c.gold_resumed_at).where(
        members.c.project_id == project_id, members.c.gold_resumed_at.is_not(None))
    return {u: t for u, t in conn.execute(q)}


def gold_resumed_of(conn: Connection, project_id: int, user_id: int) -> datetime | None:
    return conn.execute(select(members.c.gold_resumed_at).where(
        members.c.project_id == project_id, members.c.user_id == user_id)).scalar()


def gold_ids(conn: Connection, project_id: int) -> set[int]:
    return set(conn.execute(select(gold_answers.c.item_id).where(gold_answers.c.project_id == project_id)).scalars())


# --- the item's annotations at settle time ---------------------------------------------------------

_SUBMITTED = (
    select(annotations.c.user_id, annotations.c.result)
    .where(annotations.c.item_id == bindparam("item_id"), annotations.c.status == "submitted",
           or_(annotations.c.review_status.is_(None), annotations.c.review_status != "rejected"))
    .order_by(annotations.c.id)
)
_EXPERIENCE = (
    select(annotations.c.user_id, func.count())
    .where(annotations.c.project_id == bindparam("project_id"),
           annotations.c.user_id.in_(bindparam("user_ids", expanding=True)), annotations.c.status == "submitted")
    .group_by(annotations.c.user_id)
)
_SET_PRIORITY = update(items).where(items.c.id == bindparam("item_id")).values(review_priority=bindparam("p"))


def submitted_results(conn: Connection, item_id: int) -> list[tuple[int, dict[str, Any]]]:
    """(user id, result) of the item's submitted, not rejected annotations, in order."""
    return [(u, r or {}) for u, r in conn.execute(_SUBMITTED, {"item_id": item_id})]


def experience(conn: Connection, project_id: int, user_ids: Sequence[int]) -> dict[int, int]:
    return dict(conn.execute(_EXPERIENCE, {"project_id": project_id, "user_ids": list(user_ids)}).all())


def set_priority(conn: Connection, item_id: int, priority: float | None) -> None:
    conn.execute(_SET_PRIORITY, {"item_id": item_id, "p": priority})


def set_priorities(conn: Connection, pairs: Sequence[tuple[int, float | None]]) -> None:
    """``(item id, review priority)`` pairs in one executemany."""
    if pairs:
        conn.execute(_SET_PRIORITY, [{"item_id": i, "p": p} for i, p in pairs])


_SET_OPEN = update(items).where(items.c.id == bindparam("item_id")).values(is_open=bindparam("open"))


def set_open(conn: Connection, decisions: dict[int, bool]) -> None:
    """Whether each (staged) item still takes annotators, as decided for its imported annotations."""
    if decisions:
        conn.execute(_SET_OPEN, [{"item_id": i, "open": o} for i, o in decisions.items()])


def add_gold(conn: Connection, project_id: int, answers: Sequence[tuple[int, dict[str, Any]]], user_id: int) -> None:
    """Gold answers ``(item id, result)`` of freshly imported items, in one insert."""
    if answers:
        at = now()
        conn.execute(gold_answers.insert(), [{"item_id": i, "project_id": project_id, "result": r,
                                              "created_by": user_id, "created_at": at} for i, r in answers])


# --- final labels ----------------------------------------------------------------------------------


# Prepared statements (store/prepared.py): every submission that settles an item runs both
_DELETE_ITEM_FINALS = Prepared(delete(final_labels).where(final_labels.c.item_id == bindparam("item_id")))
_INSERT_FINALS = Prepared(final_labels.insert().values(
    {c.name: bindparam(c.name) for c in final_labels.columns}))


def replace_item_finals(conn: Connection, project_id: int, item_id: int, rows: Sequence[dict[str, Any]]) -> None:
    """``write_finals`` for one item (the submit path), with statements built once."""
    _DELETE_ITEM_FINALS.run(conn, {"item_id": item_id})
    if rows:
        at = now()
        _INSERT_FINALS.run_many(conn, [{**r, "project_id": project_id, "updated_at": at} for r in rows])


def write_finals(conn: Connection, project_id: int, rows: Sequence[dict[str, Any]], *,
                 replace_items: Sequence[int]) -> None:
    """Replace the final labels of ``replace_items`` by ``rows`` (item_id, label, value, method,
    confidence, n_annotations)."""
    for start in range(0, len(replace_items), 500):
        chunk = list(replace_items[start:start + 500])
        conn.execute(delete(final_labels).where(final_labels.c.item_id.in_(chunk)))
    if rows:
        at = now()
        conn.execute(final_labels.insert(), [{**r, "project_id": project_id, "updated_at": at} for r in rows])


def finals_for(conn: Connection, item_ids: Sequence[int]) -> dict[int, dict[str, dict[str, Any]]]:
    """The final labels of these items, per item id and label."""
    if not item_ids:
        return {}
    sqlite = conn.dialect.name == "sqlite"
    return _finals_by_item(conn.execute(_FINALS_SQLITE if sqlite else _FINALS, {"ids": list(item_ids)}), sqlite)


def finals_between(conn: Connection, project_id: int, first: int, last: int) -> dict[int, dict[str, dict[str, Any]]]:
    """The final labels of the project's items with ids from ``first`` to ``last``, as :func:`finals_for`
    gives them: one range of ``ix_final_labels_project`` for an export's page, where a list of the page's
    ids cost more to bind than to read."""
    sqlite = conn.dialect.name == "sqlite"
    bounds = {"project_id": project_id, "first": first, "last": last}
    return _finals_by_item(conn.execute(_FINALS_BETWEEN_SQLITE if sqlite else _FINALS_BETWEEN, bounds), sqlite)


def _finals_by_item(result: Any, sqlite: bool) -> dict[int, dict[str, dict[str, Any]]]:
    out: dict[int, dict[str, dict[str, Any]]] = {}
    for item_id, label, value, method, confidence, n_annotations in result:
        out.setdefault(item_id, {})[label] = {"value": _stored_json(value) if sqlite else value, "method": method,
                                              "confidence": confidence, "n_annotations": n_annotations}
    return out


def _finals(value: Any) -> Any:
    return select(final_labels.c.item_id, final_labels.c.label, value.label("value"), final_labels.c.method,
                  final_labels.c.confidence, final_labels.c.n_annotations)


# Built once: an export calls finals_between a page at a time, and a statement built per call (with the
# page's ids as its values) left reference cycles that held every page's ids until a full collection:
# an export's memory grew with the project (32 MB more for 1,000,000 items).
_IN_IDS = final_labels.c.item_id.in_(bindparam("ids", expanding=True))
_IN_RANGE = and_(final_labels.c.project_id == bindparam("project_id"),
                 final_labels.c.item_id.between(bindparam("first"), bindparam("last")))
_FINALS = _finals(final_labels.c.value).where(_IN_IDS)
_FINALS_SQLITE = _finals(type_coerce(final_labels.c.value, String)).where(_IN_IDS)
_FINALS_BETWEEN = _finals(final_labels.c.value).where(_IN_RANGE)
_FINALS_BETWEEN_SQLITE = _finals(type_coerce(final_labels.c.value, String)).where(_IN_RANGE)


def _stored_json(raw: Any) -> Any:
    """A JSON value as SQLite hands it back: a bare number (a median) comes back as a number, not text,
    because the column has numeric affinity."""
    return raw if raw is None or isinstance(raw, int | float) else orjson.loads(raw)


def final_page(conn: Connection, project_id: int, *, after: int, limit: int) -> list[int]:
    q = (select(final_labels.c.item_id).where(final_labels.c.project_id == project_id, final_labels.c.item_id > after)
         .group_by(final_labels.c.item_id).order_by(final_labels.c.item_id).limit(limit))
    return list(conn.execute(q).scalars())


# --- review sample ---------------------------------------------------------------------------------


def review_sample_queue(conn: Connection, project_id: int, share: float, forced: float, *, after: int,
                        limit: int) -> list[int]:
    """Items waiting for review among the sample: the ``share`` of closed items with the highest
    review priority, and every item at or above ``forced``."""
    sampled = and_(items.c.project_id == project_id, items.c.review_priority.is_not(None),
                   items.c.review_priority < forced)
    n_closed = conn.execute(select(func.count()).select_from(items).where(sampled)).scalar_one()
    k = int(-(-share * n_closed // 1))  # ceil
    floor = forced
    if k > 0:
        floor = conn.execute(select(items.c.review_priority).where(sampled)
                             .order_by(items.c.review_priority.desc()).offset(k - 1).limit(1)).scalar_one()
    q = (
        select(items.c.id)
        .where(items.c.project_id == project_id, VISIBLE, items.c.state.in_(["annotated", "in_review"]),
               items.c.review_priority >= floor, items.c.id > after)
        .order_by(items.c.id)
        .limit(limit)
    )
    return list(conn.execute(q).scalars())


# --- long-format reads for aggregation and dashboards ------------------------------------------------


def submitted_rows(conn: Connection, project_id: int, *, page: int = 5000) -> Iterator[list[dict[str, Any]]]:
    """Every submitted, not rejected annotation of the project with its annotator, a page at a time."""
    after = 0
    while True:
        q = (
            select(annotations.c.id, annotations.c.item_id, annotations.c.user_id, users.c.email.label("annotator"),
                   annotations.c.result, annotations.c.lead_time, annotations.c.review_status,
                   annotations.c.submitted_at, annotations.c.checks)
            .join(users, users.c.id == annotations.c.user_id)
            .where(annotations.c.project_id == project_id, annotations.c.status == "submitted",
                   annotations.c.id > after)
            .order_by(annotations.c.id)
            .limit(page)
        )
        rows = [dict(r) for r in conn.execute(q).mappings()]
        if not rows:
            return
        yield rows
        after = rows[-1]["id"]
