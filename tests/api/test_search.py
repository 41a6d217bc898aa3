"""The items filter's text search through the text index (store/search.py): the same results as a scan
of every item's stored JSON, on both databases, after imports, discarded imports and deleted projects."""

from __future__ import annotations

from typing import Any

import orjson
from sqlalchemy import text

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


def _check_index(w: Any) -> None:
    with w.ctx.db.engine.begin() as conn:
        if conn.dialect.name == "sqlite":  # raises if the index and item_payloads disagree
            conn.execute(text("INSERT INTO item_search (item_search, rank) VALUES ('integrity-check', 1)"))


def test_search_gives_what_a_scan_gives(world: Any) -> None:
    ids = import_records(world, RECORDS)
    for needle in NEEDLES:
        expected = _scan(ids, RECORDS, needle)
        assert _search(world, needle) == (expected, len(expected)), needle
    assert _search(world, "café")[0] == [ids[0], ids[1]]
    assert _search(world, "number 1999")[0] == [ids[3], ids[4]]
    _check_index(world)


def test_index_follows_deleted_items(world: Any) -> None:
    first = import_records(world, RECORDS[:3])
    other = [{"text": f"other project item {i} café"} for i in range(5)]
    r = world.outsider.client.post(f"{API}/projects/other/records", json={"records": other})  # its manager
    assert r.status_code == 201, r.text
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
