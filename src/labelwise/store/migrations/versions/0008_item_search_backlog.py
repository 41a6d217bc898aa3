"""item search backlog: SQLite imports record new id ranges; a background drain indexes them

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-28 04:15:00.000000
"""

from __future__ import annotations

from alembic import op


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

# A payload is either in item_search or inside one backlog range, never both: the triggers only touch the
# index for rows outside every range (an FTS5 'delete' of a row it never indexed corrupts the index).
_INDEXED = ("NOT EXISTS (SELECT 1 FROM item_search_backlog"
            " WHERE first_id <= old.item_id AND last_id >= old.item_id)")
SQLITE_UP = [
    "CREATE TABLE item_search_backlog (first_id INTEGER PRIMARY KEY, last_id INTEGER NOT NULL)",
    "DROP TRIGGER item_search_delete",
    "DROP TRIGGER item_search_update",
    f"CREATE TRIGGER item_search_delete AFTER DELETE ON item_payloads WHEN {_INDEXED} BEGIN"
    " INSERT INTO item_search (item_search, rowid, data) VALUES ('delete', old.item_id, old.data); END",
    f"CREATE TRIGGER item_search_update AFTER UPDATE OF data ON item_payloads WHEN {_INDEXED} BEGIN"
    " INSERT INTO item_search (item_search, rowid, data) VALUES ('delete', old.item_id, old.data);"
    " INSERT INTO item_search (rowid, data) VALUES (new.item_id, new.data); END",
]
_OLD_TRIGGERS = [
    "CREATE TRIGGER item_search_delete AFTER DELETE ON item_payloads BEGIN"
    " INSERT INTO item_search (item_search, rowid, data) VALUES ('delete', old.item_id, old.data); END",
    "CREATE TRIGGER item_search_update AFTER UPDATE OF data ON item_payloads BEGIN"
    " INSERT INTO item_search (item_search, rowid, data) VALUES ('delete', old.item_id, old.data);"
    " INSERT INTO item_search (rowid, data) VALUES (new.item_id, new.data); END",
]
SQLITE_DOWN = [
    # index what is still waiting, so that the 0007 triggers find every payload indexed
    "INSERT INTO item_search (rowid, data) SELECT p.item_id, p.data FROM item_search_backlog b"
    " JOIN item_payloads p ON p.item_id BETWEEN b.first_id AND b.last_id",
    "DROP TRIGGER item_search_delete",
    "DROP TRIGGER item_search_update",
    *_OLD_TRIGGERS,
    "DROP TABLE item_search_backlog",
]


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":  # PostgreSQL's trigram index is kept up to date by itself
        for sql in SQLITE_UP:
            op.execute(sql)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for sql in SQLITE_DOWN:
            op.execute(sql)
