"""Prepared statements (store/prepared.py) read and write the same values as SQLAlchemy's own execution."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import bindparam, select, update

from labelwise.services import annotation, imports
from labelwise.store.clock import now
from labelwise.store.prepared import Prepared
from labelwise.store.tables import annotations, items


def _leased(world: Any) -> int:
    imports.import_records(world.ctx, world.manager.actor, "demo", [{"text": "one"}, {"text": "two"}])
    task = annotation.next_task(world.ctx, world.annotator.actor, "demo")
    assert task is not None
    return int(task["id"])


def test_rows_match_sqlalchemy_for_every_column_type(world: Any) -> None:
    item_id = _leased(world)
    for stmt in (select(annotations).where(annotations.c.item_id == bindparam("item_id")),
                 select(items, items.c.id.label("again")).where(items.c.id == bindparam("item_id"))):
        with world.ctx.db.read() as conn:
            expected = [dict(r) for r in conn.execute(stmt, {"item_id": item_id}).mappings()]
            got = Prepared(stmt).rows(conn, {"item_id": item_id})
        assert len(got) == 1
        assert got == expected
        assert [type(v) for v in got[0].values()] == [type(v) for v in expected[0].values()]


def test_writes_store_what_sqlalchemy_stores(world: Any) -> None:
    """A JSON column set to None, a literal value, a datetime and a dict go in as through conn.execute."""
    item_id = _leased(world)
    assert annotation.next_task(world.ctx, world.annotator2.actor, "demo") is not None
    assert item_id > 0
    stmt = (update(annotations).where(annotations.c.user_id == bindparam("who"))
            .values(draft=None, status="leased", result=bindparam("result"), updated_at=bindparam("at")))
    at = now()
    params = {"result": {"sentiment": "positive", "n": [1, 2]}, "at": at}
    with world.ctx.db.write() as conn:
        conn.execute(stmt, {**params, "who": world.annotator.actor.id})
        changed = Prepared(stmt).run(conn, {**params, "who": world.annotator2.actor.id})
    assert changed == 1
    with world.ctx.db.read() as conn:
        stored = select(annotations.c.draft, annotations.c.status, annotations.c.result, annotations.c.updated_at)
        by_user = {r.user_id: r for r in conn.execute(stored.add_columns(annotations.c.user_id))}
    mine, theirs = by_user[world.annotator.actor.id], by_user[world.annotator2.actor.id]
    assert tuple(theirs) == (None, "leased", {"sentiment": "positive", "n": [1, 2]}, theirs.updated_at,
                             world.annotator2.actor.id)
    assert tuple(mine)[:4] == tuple(theirs)[:4]
    if world.ctx.db.is_sqlite:  # the stored text itself, not only what reads back
        with world.ctx.db.read() as conn:
            raw = conn.exec_driver_sql("SELECT user_id, quote(draft), quote(result), updated_at FROM annotations "
                                       "WHERE user_id IN (?, ?) ORDER BY user_id",
                                       (world.annotator.actor.id, world.annotator2.actor.id)).all()
        assert raw[0][1:] == raw[1][1:]


def test_returning_and_scalar(world: Any) -> None:
    item_id = _leased(world)
    stmt = (update(annotations).where(annotations.c.item_id == bindparam("item"))
            .values(lead_time=bindparam("lead")).returning(annotations.c.id, annotations.c.lead_time))
    with world.ctx.db.write() as conn:
        first = Prepared(stmt).first(conn, {"item": item_id, "lead": 2.5})
        none = Prepared(stmt).first(conn, {"item": -1, "lead": 2.5})
        scalar = Prepared(select(annotations.c.lead_time).where(annotations.c.item_id == bindparam("item_id"))
                          ).scalar(conn, {"item_id": item_id})
    assert first is not None and first["lead_time"] == 2.5 and isinstance(first["id"], int)
    assert (none, scalar) == (None, 2.5)


def test_a_missing_parameter_is_an_error(world: Any) -> None:
    _leased(world)
    with world.ctx.db.read() as conn, pytest.raises(Exception, match="item_id"):
        Prepared(select(annotations).where(annotations.c.item_id == bindparam("item_id"))).rows(conn, {})


def test_sqlite_refuses_expanding_in(world: Any) -> None:
    if not world.ctx.db.is_sqlite:
        pytest.skip("PostgreSQL runs prepared statements through SQLAlchemy")
    with world.ctx.db.read() as conn, pytest.raises(ValueError, match="non-expanding"):
        Prepared(select(items.c.id).where(items.c.id.in_(bindparam("ids", expanding=True)))).rows(conn, {"ids": [1]})


def test_outside_a_transaction_sqlalchemy_begins_one(world: Any) -> None:
    item_id = _leased(world)
    stmt = Prepared(update(items).where(items.c.id == bindparam("item")).values(state="in_review"))
    with world.ctx.db.engine.connect() as conn:
        assert not conn.in_transaction()
        assert stmt.run(conn, {"item": item_id}) == 1
        assert conn.in_transaction()
        conn.rollback()
    with world.ctx.db.read() as conn:
        assert conn.execute(select(items.c.state).where(items.c.id == item_id)).scalar_one() == "in_progress"


def test_run_many_writes_each_row(world: Any) -> None:
    item_id = _leased(world)
    stmt = update(items).where(items.c.id == bindparam("item")).values(review_priority=bindparam("p"))
    with world.ctx.db.write() as conn:
        other = conn.execute(select(items.c.id).where(items.c.id != item_id)).scalars().first()
        Prepared(stmt).run_many(conn, [{"item": item_id, "p": 0.25}, {"item": other, "p": None}])
        pairs = select(items.c.id, items.c.review_priority).where(items.c.id.in_([item_id, other]))
        got = dict(conn.execute(pairs).all())
    assert got == {item_id: 0.25, other: None}
