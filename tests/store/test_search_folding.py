"""Case folding of the text index against the exact check's ``lower``: FTS5's trigram tokenizer compared with
Python's ``str.lower`` over all of Unicode, and searches with the characters they fold apart giving what the
exact check gives, through the index, on SQLite and PostgreSQL."""

from __future__ import annotations

import sqlite3
import sys
from typing import Any

import orjson
import pytest
from sqlalchemy import text

from labelwise.services.jobs import drain_search_index
from labelwise.store import search
from tests.api.helpers import API, import_records

P = f"{API}/projects/demo"


def _fts5_folding() -> dict[str, str]:
    """{character: what FTS5's trigram tokenizer (as migration 0007 makes it) indexes it as}, every code point
    but the surrogates and NUL (stored JSON escapes NUL, so no indexed text holds one)."""
    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE t USING fts5(x, tokenize='trigram', detail='none')")
    points = [cp for cp in range(1, sys.maxunicode + 1) if not 0xD800 <= cp <= 0xDFFF]
    db.executemany("INSERT INTO t (rowid, x) VALUES (?, ?)", ((cp, chr(cp) + "##") for cp in points))
    db.execute("CREATE VIRTUAL TABLE v USING fts5vocab(t, 'instance')")
    terms = dict(db.execute("SELECT doc, term FROM v"))
    db.close()
    assert len(terms) == len(points) and all(terms[cp][1:] == "##" for cp in points)
    return {chr(cp): terms[cp][0] for cp in points}


def test_fts5_folds_like_python_lower_but_for_the_unfolded_characters() -> None:
    fold = _fts5_folding()

    def folded(s: str) -> str:
        return "".join(fold.get(c, c) for c in s)

    apart = {c for c in fold if folded(c.lower()) != fold[c]}
    assert apart == {chr(cp) for first, last, step in search.UNFOLDED for cp in range(first, last + 1, step)}
    assert len(apart) == 391 and {"\u0130", "\u1c90", "\u13a0", "\U0001e900"} <= apart
    assert all(fold[c] == c and len(c.lower()) == 1 for c in apart - {"\u0130"})  # indexed as they are
    assert [c for c in fold if len(c.lower()) > 1] == ["\u0130"]  # the one lower case of two characters
    assert {fold[c] for c in "\u03a3\u03c3\u03c2"} == {"\u03c3"}  # final sigma, Python's one context rule
    assert fold["\u212a"] == "k" and fold["\u2126"] == "ω"  # the Kelvin and Ohm signs fold alike
    assert all(fold.get(f, f) == f for f in fold.values())


RECORDS = [
    {"text": "İSTANBUL ve DİYARBAKIR, MEHDİ"},
    {"text": "istanbul, i\u0307stanbul"},
    {"text": "ᲡᲐᲥᲐᲠᲗᲕᲔᲚᲝ (Mtavruli)"},
    {"text": "საქართველო (Mkhedruli)"},
    {"text": "ᏣᎳᎩ ᎦᏬᏂᎯᏍᏗ"},
    {"text": "ꮳꮃꭹ lower Cherokee"},
    {"text": "𞤀𞤁𞤂 Adlam, ꞫꞬ IPA capitals"},
    {"text": "300 \u212a and 5 \u2126, Å"},
    {"text": "ΟΔΟΣ and οδος"},
]
NEEDLES = ["istanbul", "İSTANBUL", "i\u0307stanbul", "stanbul", "diyarbakir", "DİYARBAKIR", "mehdi", "MEHDİ",
           "hdi", "ehd", "\u0307st", "ᲡᲐᲥᲐᲠᲗᲕᲔᲚᲝ", "საქართველო", "ქართ", "ᲥᲐᲠᲗ", "ᏣᎳᎩ", "ꮳꮃꭹ", "ꮃꭹ ", "𞤢𞤣𞤤",
           "ɜɡ", "ꞫꞬ i", "300 k", "300 \u212a", "5 ω", "5 \u2126", "å", "οδος", "ΟΔΟΣ", "οδοσ", "δοσ", "ος "]


def _search(w: Any, needle: str) -> list[int]:
    r = w.reviewer.client.get(f"{P}/items", params={"limit": 1000, "text": needle})
    assert r.status_code == 200, r.text
    return [i["id"] for i in r.json()["items"]]


def test_sqlite_search_gives_what_python_lower_gives(world: Any) -> None:
    if not world.ctx.settings.is_sqlite:
        pytest.skip("the FTS5 index is SQLite's")
    ids = import_records(world, RECORDS)
    drain_search_index(world.ctx)  # every item searched through the index (none in the backlog)
    stored = [orjson.dumps(r).decode().lower() for r in RECORDS]
    for needle in NEEDLES:  # the exact check: Python's lower on both sides
        expected = [i for i, data in zip(ids, stored, strict=True) if needle.lower() in data]
        assert _search(world, needle) == expected, needle
    assert _search(world, "mehdi") == [ids[0]]  # ends inside the lowered İ
    assert _search(world, "საქართველო") == [ids[2], ids[3]]


def test_postgresql_index_gives_what_the_exact_check_gives(world: Any) -> None:
    """PostgreSQL's lower() (the exact check there, on the data) folds İ to "i" and capital sigma to small
    sigma anywhere (not to final sigma); with the trigram index forced, each needle finds what a scan with
    the same condition finds."""
    if world.ctx.settings.is_sqlite:
        pytest.skip("the pg_trgm index is PostgreSQL's")
    import_records(world, RECORDS)
    with world.ctx.db.read() as conn:
        query = text("SELECT item_id FROM item_payloads WHERE lower(CAST(data AS VARCHAR)) LIKE :p ORDER BY 1")
        for needle in NEEDLES:
            pattern = {"p": f"%{needle.lower()}%"}
            # forced: no sequential scan, and no plain index scan (with the import's fresh statistics the
            # planner reads these few rows in order from the primary key); the trigram index is GIN: bitmap only
            conn.execute(text("SET LOCAL enable_seqscan = off"))
            conn.execute(text("SET LOCAL enable_indexscan = off"))
            if len(needle) >= 3:
                plan = "\n".join(r[0] for r in conn.execute(text(f"EXPLAIN {query.text}"), pattern))
                assert search.PG_INDEX in plan, plan
            indexed = conn.execute(query, pattern).scalars().all()
            conn.execute(text("SET LOCAL enable_seqscan = on"))
            conn.execute(text("SET LOCAL enable_bitmapscan = off"))
            scanned = conn.execute(query, pattern).scalars().all()
            conn.execute(text("RESET enable_bitmapscan"))
            conn.execute(text("RESET enable_indexscan"))
            assert indexed == scanned, needle
        istanbul = conn.execute(query, {"p": "%istanbul%"}).scalars().all()
        assert len(istanbul) == 2  # "İSTANBUL" is "istanbul" there


def test_a_needle_typed_as_the_data_has_it_is_found_on_both_databases(world: Any) -> None:
    """The needle is lowered by the lower() that lowers the data: on PostgreSQL that is PostgreSQL's (İ -> i,
    capital sigma -> small sigma anywhere), on SQLite Python's; "İSTANBUL" and "ΟΔΟΣ" find the item that holds
    them either way."""
    ids = import_records(world, RECORDS)
    drain_search_index(world.ctx)
    assert _search(world, "İSTANBUL") == [ids[0], ids[1]]  # the second holds "i\u0307stanbul" and "istanbul"
    assert _search(world, "MEHDİ") == [ids[0]]
    assert ids[8] in _search(world, "ΟΔΟΣ")
    assert _search(world, "ᲡᲐᲥᲐᲠᲗᲕᲔᲚᲝ")[:1] == [ids[2]]
    assert _search(world, "50%") == [] and _search(world, "_") == []  # LIKE's wildcards are escaped
