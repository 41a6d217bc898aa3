"""Items and their payloads: bulk inserts for imports, filtered keyset listing, counts."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    Connection,
    String,
    and_,
    bindparam,
    case,
    cast,
    delete,
    exists,
    func,
    insert,
    literal,
    select,
    text,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.sql.elements import ColumnElement

from labelwise.store import search
from labelwise.store.bulk import insert_rows, json_value, time_value
from labelwise.store.clock import now
from labelwise.store.prepared import Prepared
from labelwise.store.tables import (
    VISIBLE,
    annotations,
    gold_answers,
    imports,
    item_payloads,
    items,
    predictions,
    users,
)


@dataclass(frozen=True, slots=True)
class NewItem:
    key: str | None
    data: dict[str, Any]
    meta: dict[str, Any] | None
    predictions: list[dict[str, Any]]
    sort_key: float


def insert_import(conn: Connection, *, project_id: int, user_id: int, source: str, owner: str) -> int:
    at = now()
    return conn.execute(
        insert(imports).values(project_id=project_id, user_id=user_id, source=source, status="running",
                               owner=owner, created_at=at, heartbeat_at=at).returning(imports.c.id)
    ).scalar_one()


_KEYS_SQLITE = text("SELECT key, id FROM items WHERE project_id = :project_id"
                    " AND key IN (SELECT value FROM json_each(:keys))")
_KEYS_PG = text("SELECT key, id FROM items WHERE project_id = :project_id AND key = ANY(:keys)")


def existing_keys(conn: Connection, project_id: int, keys: Sequence[str]) -> dict[str, int]:
    """For each key already stored in the project (visible or staged): its item's id.

    The keys go as one parameter (a JSON array on SQLite, an array on PostgreSQL): expanding thousands of
    bound values cost more than the lookup. No key may hold a NUL (json_each would not give it back)."""
    found: dict[str, int] = {}
    pg = conn.dialect.name == "postgresql"
    for start in range(0, len(keys), 5000):  # one query per import batch
        chunk = list(keys[start : start + 5000])
        params = {"project_id": project_id, "keys": chunk if pg else json_value(chunk)}
        found.update({key: item_id for key, item_id in conn.execute(_KEYS_PG if pg else _KEYS_SQLITE, params)})
    return found


# the sequence looked up once (not per id), the ids as one array (not a row each): 10,000 ids 45 -> 7 ms
_NEXT_IDS_PG = text(
    "WITH s AS MATERIALIZED (SELECT CAST(pg_get_serial_sequence('items', 'id') AS regclass) AS seq)"
    " SELECT array_agg(id ORDER BY id) FROM (SELECT nextval(s.seq) AS id FROM s, generate_series(1, :n)) ids"
)


def allocate_ids(conn: Connection, n: int) -> Sequence[int]:
    """Reserve ``n`` new item ids, in increasing order, so that a batch is written without a RETURNING per row.

    SQLite writers are serial (``BEGIN IMMEDIATE``), so the next ids after the current maximum are
    ours (a range); PostgreSQL draws them from the column's sequence.
    """
    if conn.dialect.name == "postgresql":
        return list(conn.execute(_NEXT_IDS_PG, {"n": n}).scalar_one())
    start = (conn.execute(select(func.max(items.c.id))).scalar() or 0) + 1
    return range(start, start + n)


@dataclass(slots=True)
class ItemRows:
    """A batch of new items column by column, in storage form: ``data`` and ``meta`` as JSON text.

    Atomic values only, so that a batch waiting for its transaction holds nothing the garbage
    collector has to walk again and again."""

    keys: Sequence[str | None]
    data: Sequence[str]
    meta: Sequence[str | None]
    sort_keys: Sequence[float]
    predictions: list[tuple[int, str, float | None, str]]  # (position in the batch, model, score, result)


# SQLite: a column of the batch as one JSON array parameter, expanded by json_each in C (a third of the
# cost of a bound row each); the item ids are consecutive (allocate_ids), so an element's id is
# the first id plus its position. Payloads go as an array of strings, so the stored text is exactly ours.
_ITEMS_FROM_JSON = (
    "INSERT INTO items (id, project_id, key, state, is_open, sort_key, n_submitted, import_id, created_at,"
    " updated_at) SELECT ? + key, ?, value, ?, ?, ?, 0, ?, ?, ? FROM json_each(?)"
)
_PAYLOADS_FROM_JSON = "INSERT INTO item_payloads (item_id, data, meta) SELECT ? + key, value, NULL FROM json_each(?)"


def insert_items(conn: Connection, *, project_id: int, import_id: int, batch: ItemRows,
                 visible: bool = False) -> Sequence[int]:
    """Write a batch of items with their payloads and predictions; their ids in order. Staged
    (invisible until ``publish_staged``: they carry the import's id) unless ``visible``: the caller's
    transaction then publishes them by committing. No key may hold a NUL (see ``existing_keys``)."""
    n = len(batch.keys)
    if not n:
        return []
    at = now()
    stamp = time_value(conn, at)
    ids = allocate_ids(conn, n)
    staged_by = None if visible else import_id
    sqlite = conn.dialect.name == "sqlite"
    sort_key = batch.sort_keys[0]
    if sqlite and batch.sort_keys.count(sort_key) == n:
        conn.exec_driver_sql(_ITEMS_FROM_JSON, (ids[0], project_id, "new", True, sort_key, staged_by, stamp, stamp,
                                                json_value(batch.keys)))
    else:  # a queue position per item (random or uncertainty ordering)
        insert_rows(conn, items, ITEM_INSERT,
                    [(i, project_id, key, "new", True, sort, 0, staged_by, stamp, stamp)
                     for i, key, sort in zip(ids, batch.keys, batch.sort_keys, strict=True)])
    if sqlite and batch.meta.count(None) == n:
        conn.exec_driver_sql(_PAYLOADS_FROM_JSON, (ids[0], json_value(batch.data)))
    else:
        insert_rows(conn, item_payloads, ("item_id", "data", "meta"),
                    list(zip(ids, batch.data, batch.meta, strict=True)))
    search.defer_range(conn, ids[0], ids[-1])  # SQLite: the ids are consecutive (allocate_ids)
    insert_rows(conn, predictions, ("item_id", "model", "score", "result", "created_at"),
                [(ids[j], model, score, result, stamp) for j, model, score, result in batch.predictions])
    if not visible:
        conn.execute(update(imports).where(imports.c.id == import_id).values(heartbeat_at=at))
    return ids


def insert_new_items(conn: Connection, *, project_id: int, import_id: int, batch: ItemRows,
                     visible: bool = False) -> Sequence[int] | None:
    """``insert_items`` for a batch whose keys are most likely new, without looking them up first (SQLite:
    the unique index on (project, key) checks each key as it is written, which is what a lookup before
    would cost again). None, with nothing of the batch written, when a key is already in the project or
    twice in the batch: the caller then looks the keys up (``existing_keys``) and writes the new ones.
    Always None on PostgreSQL, where the keys are looked up first (a failed COPY would cost the batch)."""
    if conn.dialect.name != "sqlite":
        return None
    try:
        with conn.begin_nested():
            return insert_items(conn, project_id=project_id, import_id=import_id, batch=batch, visible=visible)
    except IntegrityError as exc:
        if _KEY_TAKEN not in str(exc.orig):
            raise
        return None


_KEY_TAKEN = "UNIQUE constraint failed: items.project_id, items.key"  # SQLite's message for uq_items_project_key

ITEM_INSERT = ("id", "project_id", "key", "state", "is_open", "sort_key", "n_submitted", "import_id", "created_at",
               "updated_at")


def publish_staged(conn: Connection, import_id: int, staged: tuple[int, int], *, settled: bool = False) -> None:
    """Make a finished import's staged items (between these ids) visible, all at once (its ids only: no walk
    through the other items of the database). They were written new and open: publishing clears their
    import id, which enters them into the visible-item indexes. With ``settled``, items that came with
    submitted annotations (``n_submitted``) keep the openness their batch decided (dynamic overlap,
    ``quality.settle_many``) and get the state it implies: in progress while open, else annotated."""
    values: dict[str, Any] = {"import_id": None}
    if settled:
        values["state"] = case((items.c.n_submitted == 0, "new"), (items.c.is_open, "in_progress"),
                               else_="annotated")
        values["is_open"] = case((items.c.n_submitted == 0, True), else_=items.c.is_open)
    conn.execute(update(items).where(items.c.id.between(*staged), items.c.import_id == import_id).values(**values))


def finish_import(conn: Connection, import_id: int, report: dict[str, Any]) -> None:
    conn.execute(update(imports).where(imports.c.id == import_id).values(status="done", report=report,
                                                                           heartbeat_at=now()))


def import_status(conn: Connection, import_id: int) -> tuple[str, int | None] | None:
    """The import's status and user; None once it is gone (with its project)."""
    row = conn.execute(select(imports.c.status, imports.c.user_id).where(imports.c.id == import_id)).first()
    return None if row is None else (row.status, row.user_id)


def discard_import(conn: Connection, import_id: int, report: dict[str, Any] | None = None, *,
                   staged: tuple[int, int] | None = None) -> None:
    """Remove every item a failed or abandoned import staged: those between the ``staged`` ids when the
    importing process knows them (a range of the primary key), else those of its project (no index
    holds ``import_id``: without either bound this read every item of the database)."""
    where = (items.c.id.between(*staged) if staged else
             items.c.project_id == select(imports.c.project_id).where(imports.c.id == import_id).scalar_subquery())
    conn.execute(delete(items).where(where, items.c.import_id == import_id))
    conn.execute(update(imports).where(imports.c.id == import_id).values(status="failed", report=report))


def running_imports(conn: Connection) -> list[dict[str, Any]]:
    q = select(imports.c.id, imports.c.owner, imports.c.heartbeat_at).where(imports.c.status == "running")
    return [dict(r) for r in conn.execute(q).mappings()]


@dataclass(frozen=True, slots=True)
class ItemFilter:
    """What to list. Every field narrows the set; None means any."""

    state: str | None = None
    annotator_id: int | None = None
    label: str | None = None  # a label value found in a submitted result
    meta: dict[str, str] | None = None
    text: str | None = None  # a substring of the item's data
    ids: Sequence[int] | None = None


def _conditions(project_id: int, f: ItemFilter, dialect: str = "") -> list[ColumnElement[bool]]:
    """The filter as conditions on ``items``; with the ``dialect``, a text search may use the text index."""
    conds: list[ColumnElement[bool]] = [items.c.project_id == project_id, VISIBLE]
    if f.state:
        conds.append(items.c.state == f.state)
    if f.ids is not None:
        conds.append(items.c.id.in_(list(f.ids)))
    if f.annotator_id is not None or f.label:
        sub = [annotations.c.item_id == items.c.id, annotations.c.status == "submitted"]
        if f.annotator_id is not None:
            sub.append(annotations.c.user_id == f.annotator_id)
        if f.label:
            sub.append(cast(annotations.c.result, String).contains(_json_string(f.label), autoescape=True))
        conds.append(exists().where(*sub))
    if f.meta or f.text:
        sub = [item_payloads.c.item_id == items.c.id]
        for key, value in (f.meta or {}).items():
            sub.append(item_payloads.c.meta[key].as_string() == value)
        if f.text:
            # the exact condition; the text index (store.search) only narrows the rows it is checked on
            needle = f.text.lower()
            lowered = func.lower(cast(item_payloads.c.data, String))
            if dialect == "postgresql":
                # the needle lowered by the same lower() as the data: PostgreSQL folds "İ" to "i" and every
                # capital sigma to a small sigma, where Python gives "i" + U+0307 and, at a word end, a final sigma
                escaped = f.text.replace("/", "//").replace("%", "/%").replace("_", "/_")
                sub.append(lowered.like(literal("%") + func.lower(escaped) + literal("%"), escape="/"))
            else:  # SQLite's lower is Python's str.lower (registered by store.database)
                sub.append(lowered.contains(needle, autoescape=True))
            narrowed = search.candidates(dialect, needle)
            if narrowed is not None:
                # from the index's candidates, not from a scan of the project's items: ``project_id + 0``
                # keeps SQLite's planner off the project indexes (240 -> 7 ms for a rare needle in 1,000,000)
                conds[0] = (items.c.project_id + 0) == project_id
                conds.append(narrowed)
        # correlate on items only: a listing joins item_payloads too, which must stay in the subquery
        conds.append(exists().where(*sub).correlate(items))
    return conds


def _json_string(value: str) -> str:
    import orjson

    return orjson.dumps(value).decode()


ITEM_COLUMNS = [items.c.id, items.c.key, items.c.state, items.c.n_submitted, items.c.created_at, items.c.updated_at]


def list_items(conn: Connection, project_id: int, f: ItemFilter, *, after: int = 0, limit: int = 50,
               with_data: bool = True) -> list[dict[str, Any]]:
    """One page in id order, starting after ``after`` (keyset pagination)."""
    cols = [*ITEM_COLUMNS, item_payloads.c.data, item_payloads.c.meta] if with_data else ITEM_COLUMNS
    q = select(*cols)
    if with_data:
        q = q.join(item_payloads, item_payloads.c.item_id == items.c.id)
    q = q.where(*_conditions(project_id, f, conn.dialect.name), items.c.id > after).order_by(items.c.id).limit(limit)
    return [dict(r) for r in conn.execute(q).mappings()]


def count_items(conn: Connection, project_id: int, f: ItemFilter) -> int:
    conds = _conditions(project_id, f, conn.dialect.name)
    return conn.execute(select(func.count()).select_from(items).where(*conds)).scalar_one()


def counts_by_state(conn: Connection, project_id: int) -> dict[str, int]:
    q = select(items.c.state, func.count()).where(items.c.project_id == project_id, VISIBLE).group_by(items.c.state)
    return dict(conn.execute(q).all())


_ITEM_DETAIL_QUERY = (
    select(*ITEM_COLUMNS, items.c.is_open, item_payloads.c.data, item_payloads.c.meta)
    .join(item_payloads, item_payloads.c.item_id == items.c.id)
    .where(items.c.id == bindparam("item_id"), items.c.project_id == bindparam("project_id"), VISIBLE)
)
# Prepared statements (store/prepared.py): every submission reads its item this way
_ITEM_DETAIL = Prepared(_ITEM_DETAIL_QUERY)
_ITEM_DETAIL_LOCKED = Prepared(_ITEM_DETAIL_QUERY.with_for_update(of=items))
_PREDICTIONS = (
    select(predictions.c.item_id, predictions.c.model, predictions.c.score, predictions.c.result)
    .where(predictions.c.item_id.in_(bindparam("item_ids", expanding=True)))
    .order_by(predictions.c.item_id, predictions.c.id)
)


def item_detail(conn: Connection, project_id: int, item_id: int, *, lock: bool = False) -> dict[str, Any] | None:
    """One visible item with its payload; ``lock`` holds its row until commit (PostgreSQL)."""
    q = _ITEM_DETAIL_LOCKED if lock and conn.dialect.name == "postgresql" else _ITEM_DETAIL
    return q.first(conn, {"item_id": item_id, "project_id": project_id})


def predictions_for(conn: Connection, item_ids: Sequence[int]) -> dict[int, list[dict[str, Any]]]:
    out: dict[int, list[dict[str, Any]]] = {}
    if not item_ids:
        return out
    for row in conn.execute(_PREDICTIONS, {"item_ids": list(item_ids)}).mappings():
        out.setdefault(row["item_id"], []).append({"model": row["model"], "score": row["score"],
                                                    "result": row["result"]})
    return out


def annotations_for(conn: Connection, item_ids: Sequence[int], *, user_id: int | None = None,
                    submitted_only: bool = True) -> dict[int, list[dict[str, Any]]]:
    """Annotations of these items with their annotators' emails, grouped by item."""
    out: dict[int, list[dict[str, Any]]] = {}
    if not item_ids:
        return out
    conds = [annotations.c.item_id.in_(list(item_ids))]
    if submitted_only:
        conds.append(annotations.c.status == "submitted")
    if user_id is not None:
        conds.append(annotations.c.user_id == user_id)
    q = (
        select(annotations.c.id, annotations.c.item_id, annotations.c.user_id, users.c.email.label("annotator"),
               annotations.c.status, annotations.c.result, annotations.c.schema_version, annotations.c.lead_time,
               annotations.c.review_status, annotations.c.skip_reason, annotations.c.created_at,
               annotations.c.submitted_at, annotations.c.updated_at)
        .join(users, users.c.id == annotations.c.user_id)
        .where(and_(*conds))
        .order_by(annotations.c.item_id, annotations.c.id)
    )
    for row in conn.execute(q).mappings():
        out.setdefault(row["item_id"], []).append(dict(row))
    return out


def reorder_queue(conn: Connection, project_id: int, ordering: str) -> None:
    """Recompute every item's queue position for a new ordering (see domain.states.sort_key_for)."""
    if ordering == "random":
        draw = func.random() if conn.dialect.name == "postgresql" else (func.abs(func.random()) % 1_000_000) / 1e6
        value: Any = draw
    elif ordering == "uncertainty":
        value = func.coalesce(
            select(func.min(predictions.c.score)).where(predictions.c.item_id == items.c.id).scalar_subquery(), 2.0
        )
    else:
        value = 0.0
    conn.execute(update(items).where(items.c.project_id == project_id).values(sort_key=value))


def reopen_for_overlap(conn: Connection, project_id: int, overlap: int) -> None:
    """After the overlap changed: items with fewer submissions than it are open (and in progress) again,
    items that now have enough are closed (and annotated); gold items stay out of the regular queue."""
    gold = exists().where(gold_answers.c.item_id == items.c.id)
    short = items.c.n_submitted < overlap
    state = case(  # as domain.states.item_state decides it; a rejection keeps the item rejected
        (items.c.state == "rejected", items.c.state),
        (short & items.c.state.in_(["annotated", "in_review", "accepted"]), "in_progress"),
        (~short & (items.c.n_submitted > 0) & items.c.state.in_(["new", "in_progress"]), "annotated"),
        else_=items.c.state,
    )
    conn.execute(update(items).where(items.c.project_id == project_id, VISIBLE, ~gold)
                 .values(is_open=short, state=state))
