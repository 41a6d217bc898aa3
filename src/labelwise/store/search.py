"""The text index behind the items filter's ``text`` search (a case-insensitive substring of an item's data).

The search itself is always the same exact condition, ``lower(data as text) LIKE '%needle%'``; the index
only narrows the rows it is checked on, so both databases give the same results with or without it.

- **SQLite**: an FTS5 table ``item_search`` with the trigram tokenizer, external content on
  ``item_payloads`` (the index holds no copy of the text). ``insert_items`` indexes each batch of new
  payloads in one statement (a trigger per row costs six times as much); triggers remove deleted payloads
  (an import discarded, a project deleted) and re-index a changed one. A needle of three characters or
  more becomes an AND of its trigrams; FTS5 folds case (beyond ASCII) like our ``lower``.
- **PostgreSQL**: a GIN index with ``gin_trgm_ops`` (pg_trgm) on the very expression the search uses,
  ``lower(CAST(data AS VARCHAR))``; the planner uses it for a LIKE with three characters or more.

Shorter needles scan, as they did before the index.
"""

from __future__ import annotations

from sqlalchemy import Connection, column, literal_column, select, table, text
from sqlalchemy.sql.elements import ColumnElement

from labelwise.store.tables import items

FTS_TABLE = "item_search"
PG_INDEX = "ix_item_payloads_search"
MAX_TRIGRAMS = 24  # a longer needle is narrowed by its first 24 distinct trigrams, then checked exactly

_fts = table(FTS_TABLE, column("rowid"))
_INDEX_RANGE = text(
    f"INSERT INTO {FTS_TABLE} (rowid, data) SELECT item_id, data FROM item_payloads"
    " WHERE item_id >= :first AND item_id <= :last"
)


def is_search_object(name: str | None) -> bool:
    """Whether a table or index name belongs to the text index (not declared in ``tables.py``)."""
    return name is not None and (name in (PG_INDEX, FTS_TABLE) or name.startswith(FTS_TABLE + "_"))


def index_range(conn: Connection, first: int, last: int) -> None:
    """Index the payloads of items ``first..last`` (just written by this transaction; SQLite only)."""
    if conn.dialect.name == "sqlite":
        conn.execute(_INDEX_RANGE, {"first": first, "last": last})


def fts_query(needle: str) -> str | None:
    """An FTS5 query matching every text that holds ``needle`` (lower-cased): its trigrams, ANDed."""
    grams = list(dict.fromkeys(needle[i:i + 3] for i in range(len(needle) - 2)))[:MAX_TRIGRAMS]
    if not grams:
        return None
    return " AND ".join('"' + g.replace('"', '""') + '"' for g in grams)


def candidates(dialect: str, needle: str) -> ColumnElement[bool] | None:
    """A condition on ``items`` that narrows a search for ``needle`` through the index, if any applies."""
    if dialect != "sqlite":
        return None  # PostgreSQL's planner picks the trigram index for the LIKE itself
    query = fts_query(needle)
    if query is None:
        return None
    match = select(_fts.c.rowid).where(literal_column(FTS_TABLE).op("MATCH")(query))
    return items.c.id.in_(match)
