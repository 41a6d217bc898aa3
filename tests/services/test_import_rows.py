"""What an import stores, whichever way it is written: in one transaction (one batch) or staged batches
published at the end; SQLite's JSON-array inserts or the bound rows they fall back to."""

from __future__ import annotations

from array import array
from typing import Any

import orjson
import pytest
from sqlalchemy import text

from labelwise.errors import Invalid
from labelwise.services import imports, projects
from tests.conftest import World

ROWS: list[dict[str, Any]] = [
    {"key": "plain", "text": "café \u2028 \"quoted\" \\ back\nslash \u0001 😀 / 1e16"},
    {"key": 7, "text": "a number as the key", "n": 1.5e300, "nested": {"a": [1, 2.5, None, True, {"b": "ü"}]}},
    {"text": "no key", "meta": {"source": "x", "v": [1, 2.5]}},
    {"key": "with meta columns", "text": "t", "meta.lang": "de", "meta.n": 3},
    {"key": "predicted", "text": "p", "predictions": [{"model": "m", "score": 0.25,
                                                        "result": {"sentiment": "negative"}}]},
    {"key": "inner", "data": {"text": "from a data object", "z": "ü"}},
]


def _stored(world: World, project: str) -> list[tuple[Any, ...]]:
    """Each item of a project as stored: key, state, openness, staging mark, payload text (SQLite) or value."""
    with world.ctx.db.read() as conn:
        rows = conn.execute(text(
            "SELECT i.key, i.state, i.is_open, i.import_id, p.data, p.meta FROM items i"
            " JOIN item_payloads p ON p.item_id = i.id JOIN projects pr ON pr.id = i.project_id"
            " WHERE pr.name = :name ORDER BY i.id"), {"name": project}).all()
    return [tuple(r) for r in rows]


def _expected(world: World) -> list[tuple[Any, ...]]:
    out = []
    for row in ROWS:
        data = row.get("data") or {k: v for k, v in row.items() if k not in ("key", "meta", "predictions")
                                   and not k.startswith("meta.")}
        meta = row.get("meta") or ({k[5:]: v for k, v in row.items() if k.startswith("meta.")} or None)
        if world.ctx.settings.is_sqlite:  # the exact text: exports and content hashes read it
            data, meta = orjson.dumps(data).decode(), meta if meta is None else orjson.dumps(meta).decode()
        key = row.get("key")
        out.append((None if key is None else str(key), "new", True, None, data, meta))
    return out


@pytest.mark.parametrize("batch_size", [1000, 2], ids=["one transaction", "staged batches"])
def test_stored_rows_are_the_rows_given(world: World, batch_size: int) -> None:
    world.ctx.settings = world.ctx.settings.model_copy(update={"import_batch_size": batch_size})
    report = imports.import_records(world.ctx, world.manager.actor, "demo", ROWS)
    assert (report.created, report.skipped, report.invalid) == (len(ROWS), 0, 0)
    assert _stored(world, "demo") == _expected(world)
    # a second import of the same rows finds every key and only adds the unkeyed row
    again = imports.import_records(world.ctx, world.manager.actor, "demo", ROWS)
    assert (again.created, again.skipped) == (1, len(ROWS) - 1)


def test_rows_without_meta_the_same(world: World) -> None:
    """The rows SQLite takes as JSON arrays: every payload text exactly as given."""
    rows = [{"key": f"k{i}", "text": f"item {i} \u00e9 \"{i}\" \\"} for i in range(50)]
    imports.import_records(world.ctx, world.manager.actor, "demo", rows)
    stored = _stored(world, "demo")
    data = [{"text": r["text"]} for r in rows]
    expected = [orjson.dumps(d).decode() for d in data] if world.ctx.settings.is_sqlite else data
    assert [s[4] for s in stored] == expected
    assert [s[0] for s in stored] == [r["key"] for r in rows]
    assert {s[5] for s in stored} == {None}


def test_random_ordering_gives_each_item_its_own_queue_position(world: World) -> None:
    projects.update_project(world.ctx, world.admin.actor, "demo", ordering="random")
    imports.import_records(world.ctx, world.manager.actor, "demo", [{"text": f"t{i}"} for i in range(20)])
    with world.ctx.db.read() as conn:
        keys = conn.execute(text("SELECT sort_key FROM items")).scalars().all()
    assert len(set(keys)) == 20 and all(0 <= k < 1 for k in keys)


def test_a_duplicate_in_the_last_batch_rejects_everything(world: World) -> None:
    world.ctx.settings = world.ctx.settings.model_copy(update={"import_batch_size": 2})
    rows = [{"key": k, "text": k} for k in ("a", "b", "c", "a")]  # a staged batch, then the last one
    with pytest.raises(Invalid) as caught:
        imports.import_records(world.ctx, world.manager.actor, "demo", rows)
    assert caught.value.errors == [
        {"row": 4, "loc": ["key"], "msg": "duplicate key 'a' in this import (first at row 1)"}]
    assert _stored(world, "demo") == []


def test_a_nul_in_a_key_is_a_row_error(world: World) -> None:
    """PostgreSQL cannot store it and SQLite's JSON functions would not find it again for the dedupe."""
    with pytest.raises(Invalid) as caught:
        imports.import_records(world.ctx, world.manager.actor, "demo", [{"key": "a\u0000b", "text": "t"}])
    assert caught.value.errors == [{"row": 1, "loc": ["key"], "msg": "key contains a NUL character"}]


def test_an_import_in_between_the_batches_of_another(world: World) -> None:
    """The second import's items lie between the first one's staged batches: publishing the first (its
    ids' range) leaves them as they are, and both end up whole."""
    world.ctx.settings = world.ctx.settings.model_copy(update={"import_batch_size": 2})
    inner: list[imports.ImportReport] = []

    def first_rows():  # type: ignore[no-untyped-def]
        for i in range(5):
            if i == 3:  # rows 1-2 are written (staged) by now
                inner.append(imports.import_records(world.ctx, world.manager.actor, "demo",
                                                    [{"key": f"b{j}", "text": f"b{j}"} for j in range(3)]))
            yield i + 1, {"key": f"a{i}", "text": f"a{i}"}

    report = imports.import_rows(world.ctx, world.manager.actor, "demo", first_rows(), source="a")
    assert (report.created, inner[0].created) == (5, 3)
    stored = _stored(world, "demo")
    assert [s[0] for s in stored] == ["a0", "a1", "b0", "b1", "b2", "a2", "a3", "a4"]
    assert {s[1:4] for s in stored} == {("new", True, None)}


def test_a_duplicate_names_the_row_of_its_first_in_any_batch(world: World) -> None:
    """Keys met again within a batch and in later batches, with rows left out in between (so that a
    batch's rows are not consecutive): each error names the row that brought the key first."""
    world.ctx.settings = world.ctx.settings.model_copy(update={"import_batch_size": 2})
    rows = [{"key": "a", "text": "a"}, {"key": "bad"}, {"key": "b", "text": "b"}, {"key": "c", "text": "c"},
            {"key": "c", "text": "again in its batch"}, {"key": "d", "text": "d"}, {"key": "a", "text": "a2"},
            {"key": "b", "text": "b2"}, {"key": "e", "text": "e"}]
    report = imports.import_records(world.ctx, world.manager.actor, "demo", rows, skip_invalid=True)
    assert (report.created, report.invalid, report.skipped) == (5, 4, 0)
    assert report.errors == [
        {"row": 2, "loc": ["data", "text"], "msg": "missing field 'text', which the schema binds"},
        {"row": 5, "loc": ["key"], "msg": "duplicate key 'c' in this import (first at row 4)"},
        {"row": 7, "loc": ["key"], "msg": "duplicate key 'a' in this import (first at row 1)"},
        {"row": 8, "loc": ["key"], "msg": "duplicate key 'b' in this import (first at row 3)"},
    ]
    assert [(s[0], s[4]) for s in _stored(world, "demo")] == [
        (k, orjson.dumps({"text": k}).decode() if world.ctx.settings.is_sqlite else {"text": k})
        for k in ("a", "b", "c", "d", "e")]


def test_a_duplicate_in_one_transaction_rejects_everything(world: World) -> None:
    rows = [{"key": "a", "text": "a"}, {"key": "b", "text": "b"}, {"key": "a", "text": "a2"}]
    with pytest.raises(Invalid) as caught:
        imports.import_records(world.ctx, world.manager.actor, "demo", rows)
    assert caught.value.errors == [
        {"row": 3, "loc": ["key"], "msg": "duplicate key 'a' in this import (first at row 1)"}]
    assert _stored(world, "demo") == []


@pytest.mark.parametrize("batch_size", [1000, 2], ids=["one transaction", "staged batches"])
@pytest.mark.parametrize("ordering", ["sequential", "random"])  # random: bound rows, not JSON arrays
def test_a_batch_with_stored_keys_writes_only_the_new_ones(world: World, batch_size: int, ordering: str) -> None:
    """A batch meeting stored keys (the unique index refuses it on SQLite, then the keys are looked up):
    the new rows are written, in order, the others counted as skipped."""
    world.ctx.settings = world.ctx.settings.model_copy(update={"import_batch_size": batch_size})
    projects.update_project(world.ctx, world.admin.actor, "demo", ordering=ordering)
    imports.import_records(world.ctx, world.manager.actor, "demo", [{"key": k, "text": k} for k in ("b", "d")])
    report = imports.import_records(world.ctx, world.manager.actor, "demo",
                                    [{"key": k, "text": k + "!"} for k in ("a", "b", "c", "d", "e")])
    assert (report.created, report.skipped, report.invalid) == (3, 2, 0)
    stored = [(s[0], s[4]) for s in _stored(world, "demo")]
    as_stored = (lambda d: orjson.dumps(d).decode()) if world.ctx.settings.is_sqlite else (lambda d: d)
    assert stored == [(k, as_stored({"text": t})) for k, t in
                      [("b", "b"), ("d", "d"), ("a", "a!"), ("c", "c!"), ("e", "e!")]]
    assert {s[1:4] for s in _stored(world, "demo")} == {("new", True, None)}


def test_an_import_keeps_two_ranges_a_batch_to_find_rows_again(world: World) -> None:
    """What an import remembers to name the first row of a duplicate key: per batch its ids and rows,
    as ranges when consecutive (memory that does not grow with the rows), else as arrays."""
    world.ctx.settings = world.ctx.settings.model_copy(update={"import_batch_size": 2})
    rows = [{"key": f"k{i}", "text": "t"} for i in range(5)]
    rows.insert(1, {"key": "bad"})  # row 2: invalid, so the first batch holds rows 1 and 3
    report = imports.import_records(world.ctx, world.manager.actor, "demo", rows, skip_invalid=True)
    ids = [list(batch_ids) for batch_ids, _ in report.written]
    flat = [i for batch_ids in ids for i in batch_ids]
    assert [len(batch_ids) for batch_ids in ids] == [2, 2, 1] and flat == sorted(flat)
    assert [numbers for _, numbers in report.written] == [array("q", [1, 3]), range(4, 6), range(6, 7)]
    if world.ctx.settings.is_sqlite:  # consecutive ids (allocate_ids), kept as ranges
        first = flat[0]
        assert [batch_ids for batch_ids, _ in report.written] == [
            range(first, first + 2), range(first + 2, first + 4), range(first + 4, first + 5)]
    assert [report.row_of(i) for i in flat] == [1, 3, 4, 5, 6]
    assert report.row_of(flat[0] - 1) is None and report.row_of(flat[-1] + 1) is None
