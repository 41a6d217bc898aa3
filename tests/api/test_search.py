"""The items filter's text search through the text index (store/search.py): the same results as a scan
of every item's stored JSON, on both databases, after imports, discarded imports and deleted projects;
on SQLite before the backlog of imported items is indexed, half-way through and after (the drain job)."""

from __future__ import annotations

import time
from typing import Any

import orjson
from sqlalchemy import text

from labelwise.jobs import Worker, queue_for
from labelwise.services.jobs import drain_search_index
from labelwise.store import search
from tests.api.helpers import API, all_item_ids, import_records

P = f"{API}/projects/demo"

RECORDS = [
    {"text": "The café was lovely", "note": "Quote \"inside\" here"},
    {"text": "Le CAFÉ était bon"},
    {"text": "100% off_sale, back\\slash"},
    {"text": "Comment number 1999: great"},
    {"text": "Comment number 19990: also great"},
    {"text": "ab"},
    {"text": "Straße und STRASSE"},
]
NEEDLES = ["café", "CAFÉ", "afé", "number 1999", "NUMBER 19990", "1999:", "great", "ab", "a", "10", "100%",
           "off_sale", "f_sa", "o_f", '"inside"', "quote \"in", "back\\slash", "straße", "strasse", '"text":"le',
           "text", "nothing at all", "ééé"]


def _search(w: Any, needle: str) -> tuple[list[int], int]:
    r = w.reviewer.client.get(f"{P}/items", params={"limit": 1000, "text": needle})
    assert r.status_code == 200, r.text
    c = w.reviewer.client.get(f"{P}/items/count", params={"text": needle})
    assert c.status_code == 200, c.text
    return [i["id"] for i in r.json()["items"]], c.json()["total"]


def _scan(ids: list[int], records: list[dict[str, Any]], needle: str) -> list[int]:
    """What the search means: a case-insensitive substring of the item's data as stored (its JSON)."""
    return [i for i, rec in zip(ids, records, strict=True) if needle.lower() in orjson.dumps(rec).decode().lower()]


def _waiting(w: Any) -> int:
    with w.ctx.db.read() as conn:
        return search.waiting(conn)


def _check_index(w: Any) -> None:
    """On SQLite: the index is sound; once the backlog is drained, it holds exactly item_payloads (a row
    indexed twice, or a deleted row still indexed, fails the check)."""
    with w.ctx.db.engine.begin() as conn:
        if conn.dialect.name == "sqlite":
            conn.execute(text("INSERT INTO item_search (item_search) VALUES ('integrity-check')"))
    drain_search_index(w.ctx)
    assert _waiting(w) == 0
    with w.ctx.db.engine.begin() as conn:
        if conn.dialect.name == "sqlite":  # raises if the index and item_payloads disagree
            conn.execute(text("INSERT INTO item_search (item_search, rank) VALUES ('integrity-check', 1)"))


def _same_as_scan(w: Any, ids: list[int], records: list[dict[str, Any]], needles: list[str]) -> None:
    for needle in needles:
        expected = _scan(ids, records, needle)
        assert _search(w, needle) == (expected, len(expected)), needle


def test_search_gives_what_a_scan_gives(world: Any) -> None:
    ids = import_records(world, RECORDS)
    sqlite = world.ctx.settings.is_sqlite
    assert _waiting(world) == (len(RECORDS) if sqlite else 0)  # the import indexed nothing itself
    _same_as_scan(world, ids, RECORDS, NEEDLES)
    assert _search(world, "café")[0] == [ids[0], ids[1]]
    assert _search(world, "number 1999")[0] == [ids[3], ids[4]]
    assert drain_search_index(world.ctx, chunk=2, limit=3) == (3 if sqlite else 0)  # half-way
    assert _waiting(world) == (len(RECORDS) - 3 if sqlite else 0)
    _same_as_scan(world, ids, RECORDS, NEEDLES)
    assert drain_search_index(world.ctx, chunk=2) == (len(RECORDS) - 3 if sqlite else 0)
    assert drain_search_index(world.ctx) == 0  # again: nothing left, nothing done
    _same_as_scan(world, ids, RECORDS, NEEDLES)
    _check_index(world)


def test_imports_extend_one_backlog_range(world: Any) -> None:
    world.ctx.settings = world.ctx.settings.model_copy(update={"import_batch_size": 2})
    import_records(world, RECORDS)
    ids = import_records(world, RECORDS[:2])  # every item's id
    with world.ctx.db.read() as conn:
        if conn.dialect.name == "sqlite":  # consecutive batches and imports: one range
            rows = conn.execute(text("SELECT first_id, last_id FROM item_search_backlog")).all()
            assert [tuple(r) for r in rows] == [(ids[0], ids[-1])]
    _same_as_scan(world, ids, RECORDS + RECORDS[:2], NEEDLES)
    _check_index(world)


def test_index_follows_deleted_items(world: Any) -> None:
    first = import_records(world, RECORDS[:3])
    other = [{"text": f"other project item {i} café"} for i in range(5)]
    r = world.outsider.client.post(f"{API}/projects/other/records", json={"records": other})  # its manager
    assert r.status_code == 201, r.text
    drain_search_index(world.ctx, chunk=1, limit=6)  # the 3 items and 3 of the other project's 5: indexed
    r = world.outsider.client.post(f"{API}/projects/other/records", json={"records": other})  # not indexed
    assert r.status_code == 201, r.text
    assert _waiting(world) == (7 if world.ctx.settings.is_sqlite else 0)
    # a rejected import (a duplicate key) writes a batch, then discards it
    bad = [{"key": "a", "text": "rejected café"}, {"key": "a", "text": "rejected café again"}]
    r = world.manager.client.post(f"{P}/records", json={"records": bad})
    assert r.status_code == 422
    assert world.admin.client.delete(f"{API}/projects/other").status_code == 200
    _check_index(world)
    more = RECORDS[3:]
    import_records(world, more)  # on SQLite these may take the ids the deleted items had
    ids = all_item_ids(world)
    assert ids[:3] == first
    records = RECORDS[:3] + more
    for needle in ("café", "rejected", "other project", "number 1999", "great", "straße"):
        expected = _scan(ids, records, needle)
        assert _search(world, needle) == (expected, len(expected)), needle
    _check_index(world)


def test_an_import_queues_the_drain(world: Any) -> None:
    """Import -> the drain job on the queue -> an empty backlog (PostgreSQL: nothing to drain)."""
    ids = import_records(world, RECORDS)
    pending = [t.name for t in queue_for(world.ctx.settings).pending()]
    assert pending == (["drain_search_index"] if world.ctx.settings.is_sqlite else [])  # queued by the import
    with Worker(world.ctx, workers=1) as worker:
        deadline = time.monotonic() + 30
        while _waiting(world) and time.monotonic() < deadline:
            time.sleep(0.05)
    worker.huey.flush()
    assert _waiting(world) == 0
    _same_as_scan(world, ids, RECORDS, NEEDLES)
    _check_index(world)


def test_ids_reused_after_a_discarded_import(world: Any) -> None:
    """SQLite gives the ids of a discarded, never indexed import to the next one: its backlog range must
    not make them indexed twice."""
    import_records(world, RECORDS[:2])
    world.ctx.settings = world.ctx.settings.model_copy(update={"import_batch_size": 1})
    bad = [{"key": "a", "text": "rejected café"}, {"key": "b", "text": "rejected too"},
           {"key": "a", "text": "rejected café again"}]  # two batches written, then the duplicate
    assert world.manager.client.post(f"{P}/records", json={"records": bad}).status_code == 422
    with world.ctx.db.read() as conn:
        assert search.waiting(conn) == (4 if conn.dialect.name == "sqlite" else 0)  # a range of no rows
    ids = import_records(world, RECORDS[2:])
    if world.ctx.settings.is_sqlite:
        assert ids[2] == ids[1] + 1  # the rejected import's ids, taken again
    _same_as_scan(world, ids, RECORDS, NEEDLES)
    _check_index(world)


def _exported_ids(w: Any, needle: str) -> list[int]:
    r = w.manager.client.get(f"{P}/export", params={"format": "jsonl", "text": needle})
    assert r.status_code == 200, r.text
    return [orjson.loads(line)["id"] for line in r.content.splitlines()]


def test_text_filtered_export_matches_the_search(world: Any) -> None:
    """The export's text filter goes through the index too (it is given the dialect), with the same rows."""
    ids = import_records(world, RECORDS)
    needles = ["café", "number 1999", "great", "ab", "straße", "nothing at all"]
    before = {n: _exported_ids(world, n) for n in needles}  # everything still in the backlog
    drain_search_index(world.ctx)
    for needle in needles:
        expected = _scan(ids, RECORDS, needle)
        assert before[needle] == expected == _exported_ids(world, needle), needle


def test_concurrent_drains(world: Any) -> None:
    """Two drains at once (two workers) share the backlog: each id indexed once."""
    from concurrent.futures import ThreadPoolExecutor

    world.ctx.settings = world.ctx.settings.model_copy(update={"import_batch_size": 3})
    ids = import_records(world, RECORDS * 4)
    with ThreadPoolExecutor(2) as pool:
        done = list(pool.map(lambda _: drain_search_index(world.ctx, chunk=2), range(2)))
    assert sum(done) == (len(ids) if world.ctx.settings.is_sqlite else 0)
    assert _waiting(world) == 0
    _same_as_scan(world, ids, RECORDS * 4, NEEDLES)
    _check_index(world)
