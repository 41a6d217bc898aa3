"""item search: a text index for the items filter (SQLite FTS5 trigram table, PostgreSQL pg_trgm GIN)

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-28 03:10:00.000000
"""

from __future__ import annotations

from alembic import op


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

SQLITE_UP = [
    # external content: the index reads the text from item_payloads and keeps only trigrams (no positions)
    "CREATE VIRTUAL TABLE item_search USING fts5(data, content='item_payloads', content_rowid='item_id',"
    " tokenize='trigram', detail='none')",
    "INSERT INTO item_search (item_search) VALUES ('rebuild')",
    # new payloads are indexed a batch at a time by store.items.insert_items; these keep deletes and edits in step
    "CREATE TRIGGER item_search_delete AFTER DELETE ON item_payloads BEGIN"
    " INSERT INTO item_search (item_search, rowid, data) VALUES ('delete', old.item_id, old.data); END",
    "CREATE TRIGGER item_search_update AFTER UPDATE OF data ON item_payloads BEGIN"
    " INSERT INTO item_search (item_search, rowid, data) VALUES ('delete', old.item_id, old.data);"
    " INSERT INTO item_search (rowid, data) VALUES (new.item_id, new.data); END",
]
SQLITE_DOWN = ["DROP TRIGGER item_search_update", "DROP TRIGGER item_search_delete", "DROP TABLE item_search"]
PG_UP = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    # the same expression as the search's condition (store.items._conditions), so that LIKE can use it
    "CREATE INDEX ix_item_payloads_search ON item_payloads USING gin (lower(CAST(data AS VARCHAR)) gin_trgm_ops)",
]
PG_DOWN = ["DROP INDEX ix_item_payloads_search"]


def upgrade() -> None:
    for sql in SQLITE_UP if op.get_bind().dialect.name == "sqlite" else PG_UP:
        op.execute(sql)


def downgrade() -> None:
    for sql in SQLITE_DOWN if op.get_bind().dialect.name == "sqlite" else PG_DOWN:
        op.execute(sql)
