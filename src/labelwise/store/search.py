"""The text index behind the items filter's ``text`` search (a case-insensitive substring of an item's data).

The search itself is always the same exact condition, ``lower(data as text) LIKE '%needle%'``; the index
only narrows the rows it is checked on, so both databases give the same results with or without it.

- **SQLite**: an FTS5 table ``item_search`` with the trigram tokenizer, external content on
  ``item_payloads`` (the index holds no copy of the text). Indexing costs about 10 µs a row, so an import
  does not index: ``insert_items`` records each batch's id range in ``item_search_backlog``
  (:func:`defer_range`), and :func:`drain_step`, run by a background job after the import, indexes a
  range a chunk at a time, deleting what it indexed from the backlog in the same transaction. A payload
  is either indexed or inside a backlog range, never both; the search takes the index's candidates plus
  every item of the backlog (checked exactly), so results never depend on how far the drain got.
  Triggers remove deleted payloads (an import discarded, a project deleted) and re-index a changed one,
  for indexed rows only (an FTS5 'delete' of a row it never indexed corrupts the index). A needle of
  three characters or more becomes an AND of its trigrams. FTS5 folds case per character with Unicode
  tables older than Python's, and the exact check lowers with Python's ``str.lower`` (registered as
  SQLite's ``lower``): 391 characters (:data:`UNFOLDED`: ``İ`` U+0130, whose lower case is two characters,
  and capitals added to Unicode later, e.g. Georgian Mtavruli, Cherokee, Adlam) are lowered by Python but
  indexed as they are. So a needle character that one of them lowers to also matches that capital in
  the index (``"ა"`` is ``("ა" OR "Ა")`` there), a needle ending in ``i`` may end inside ``İ``, and a
  needle holding U+0307 (the dot of ``İ`` lowered) scans. ``tests/store/test_search_folding.py`` compares
  the two foldings over all of Unicode.
- **PostgreSQL**: a GIN index with ``gin_trgm_ops`` (pg_trgm) on the very expression the search uses,
  ``lower(CAST(data AS VARCHAR))``; the planner uses it for a LIKE with three characters or more. pg_trgm
  folds with the same ``lower`` and every row it finds is checked again, so the index never changes a
  result.

Shorter needles scan, as they did before the index.
"""

from __future__ import annotations

from functools import cache
from itertools import product

from sqlalchemy import Connection, column, literal_column, select, table, text, union_all
from sqlalchemy.sql.elements import ColumnElement

from labelwise.store.tables import items

FTS_TABLE = "item_search"
BACKLOG = "item_search_backlog"
PG_INDEX = "ix_item_payloads_search"
MAX_TRIGRAMS = 24  # a longer needle is narrowed by its first 24 distinct trigrams, then checked exactly
DRAIN_CHUNK = 2000  # item ids indexed per drain transaction (about 20 ms of the one SQLite writer)

_fts = table(FTS_TABLE, column("rowid"))
_backlog = table(BACKLOG, column("first_id"), column("last_id"))
_INDEX_RANGE = text(
    f"INSERT INTO {FTS_TABLE} (rowid, data) SELECT item_id, data FROM item_payloads"
    " WHERE item_id >= :first AND item_id <= :last"
)
# New ids come after every existing one (allocate_ids), so backlog ranges at or past ``first`` cover no
# row: they are left from items deleted before they were indexed, and are cut away so that ranges never
# overlap (a row in two ranges would be indexed twice).
_CLIP = [
    text(f"DELETE FROM {BACKLOG} WHERE first_id >= :first"),
    text(f"UPDATE {BACKLOG} SET last_id = :first - 1 WHERE last_id >= :first"),
]
_EXTEND = text(f"UPDATE {BACKLOG} SET last_id = :last WHERE last_id = :first - 1")
_ADD = text(f"INSERT INTO {BACKLOG} (first_id, last_id) VALUES (:first, :last)")
_OLDEST = text(f"SELECT first_id, last_id FROM {BACKLOG} ORDER BY first_id LIMIT 1")
_DONE = text(f"DELETE FROM {BACKLOG} WHERE first_id = :first")
_RESTART = text(f"UPDATE {BACKLOG} SET first_id = :next WHERE first_id = :first")
_WAITING = text(f"SELECT coalesce(sum(last_id - first_id + 1), 0) FROM {BACKLOG}")


def is_search_object(name: str | None) -> bool:
    """Whether a table or index name belongs to the text index (not declared in ``tables.py``)."""
    return name is not None and (name in (PG_INDEX, FTS_TABLE) or name.startswith(FTS_TABLE + "_"))


def defer_range(conn: Connection, first: int, last: int) -> None:
    """Record that the payloads of items ``first..last`` (just written by this transaction) wait for the
    index (SQLite only); a range that continues the previous one extends it."""
    if conn.dialect.name != "sqlite":
        return
    bounds = {"first": first, "last": last}
    for stmt in _CLIP:
        conn.execute(stmt, bounds)
    if not conn.execute(_EXTEND, bounds).rowcount:
        conn.execute(_ADD, bounds)


def drain_step(conn: Connection, chunk: int = DRAIN_CHUNK) -> int:
    """Index up to ``chunk`` ids of the oldest backlog range and take them off the backlog, in the
    caller's (write) transaction; how many ids it covered, 0 once the backlog is empty. Safe to repeat
    and to run from several workers: each step reads the backlog inside its own write transaction."""
    if conn.dialect.name != "sqlite":
        return 0
    row = conn.execute(_OLDEST).first()
    if row is None:
        return 0
    first, last = int(row[0]), int(row[1])
    end = min(last, first + chunk - 1)
    conn.execute(_INDEX_RANGE, {"first": first, "last": end})
    if end == last:
        conn.execute(_DONE, {"first": first})
    else:
        conn.execute(_RESTART, {"first": first, "next": end + 1})
    return end - first + 1


def waiting(conn: Connection) -> int:
    """How many item ids wait for the index (0 on PostgreSQL)."""
    if conn.dialect.name != "sqlite":
        return 0
    return int(conn.execute(_WAITING).scalar_one())


#: ``(first, last, step)`` code point ranges of the characters Python's ``str.lower`` lowers and FTS5's
#: trigram tokenizer (``case_sensitive 0``, SQLite 3.40) leaves as they are
UNFOLDED = (
    (0x0130, 0x0130, 1), (0x037F, 0x037F, 1), (0x0528, 0x052E, 2), (0x13A0, 0x13F5, 1), (0x1C90, 0x1CBA, 1),
    (0x1CBD, 0x1CBF, 1), (0x2C2F, 0x2C2F, 1), (0xA698, 0xA69A, 2), (0xA796, 0xA79E, 2), (0xA7AB, 0xA7AE, 1),
    (0xA7B0, 0xA7B4, 1), (0xA7B6, 0xA7C4, 2), (0xA7C5, 0xA7C7, 1), (0xA7C9, 0xA7C9, 1), (0xA7D0, 0xA7D0, 1),
    (0xA7D6, 0xA7D8, 2), (0xA7F5, 0xA7F5, 1), (0x104B0, 0x104D3, 1), (0x10570, 0x1057A, 1),
    (0x1057C, 0x1058A, 1), (0x1058C, 0x10592, 1), (0x10594, 0x10595, 1), (0x10C80, 0x10CB2, 1),
    (0x118A0, 0x118BF, 1), (0x16E40, 0x16E5F, 1), (0x1E900, 0x1E921, 1),
)
DOTTED_I, COMBINING_DOT = "\u0130", "\u0307"  # "İ".lower() == "i" + COMBINING_DOT


@cache
def _indexed_as() -> dict[str, str]:
    """{lower-case character: the UNFOLDED capitals that lower to it} (İ aside: it lowers to two)."""
    out: dict[str, str] = {}
    for first, last, step in UNFOLDED:
        for cp in range(first, last + 1, step):
            if chr(cp) != DOTTED_I:
                out[chr(cp).lower()] = out.get(chr(cp).lower(), "") + chr(cp)
    return out


def fts_query(needle: str) -> str | None:
    """An FTS5 query matching every indexed text whose ``lower`` holds ``needle`` (lower-cased): an AND of
    its trigrams, each an OR of the forms the index may hold it in (see the module docstring); None when
    the index cannot narrow the search (a needle shorter than 3 characters, or holding U+0307 or NUL)."""
    if COMBINING_DOT in needle or "\0" in needle:
        return None
    indexed_as = _indexed_as()
    forms = [c + indexed_as.get(c, "") for c in needle]
    if needle.endswith("i"):
        forms[-1] += DOTTED_I  # the needle may end on the "i" of a lowered "İ"
    windows = list(dict.fromkeys(tuple(forms[i:i + 3]) for i in range(len(needle) - 2)))[:MAX_TRIGRAMS]
    if not windows:
        return None
    terms = []
    for window in windows:
        grams = ['"' + "".join(g).replace('"', '""') + '"' for g in product(*window)]
        terms.append(grams[0] if len(grams) == 1 else "(" + " OR ".join(grams) + ")")
    return " AND ".join(terms)


def candidates(dialect: str, needle: str) -> ColumnElement[bool] | None:
    """A condition on ``items`` that narrows a search for ``needle`` through the index, if any applies."""
    if dialect != "sqlite":
        return None  # PostgreSQL's planner picks the trigram index for the LIKE itself
    query = fts_query(needle)
    if query is None:
        return None
    match = select(_fts.c.rowid).where(literal_column(FTS_TABLE).op("MATCH")(query))
    # plus every item still waiting in the backlog: a rowid range per backlog row, not a scan of the project
    tail = items.alias("unindexed")
    waiting_ids = select(tail.c.id).join_from(_backlog, tail, tail.c.id.between(_backlog.c.first_id,
                                                                               _backlog.c.last_id))
    return items.c.id.in_(union_all(match, waiting_ids))
