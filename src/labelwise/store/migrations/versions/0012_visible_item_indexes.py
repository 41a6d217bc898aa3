"""visible item indexes: ix_items_queue and ix_items_state hold only visible items (import_id IS NULL), so
that an import's staged items enter them once, when the import publishes them, instead of being written in
as staged and moved again on publishing; staged items now carry the state they will have (``new``)

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-28 12:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

VISIBLE = sa.text("import_id IS NULL")


def upgrade() -> None:
    # an import running during the upgrade cannot finish under the new code: its staged rows stay hidden
    # (import_id is set) until recover_stale_imports discards them
    op.drop_index('ix_items_queue', table_name='items')
    op.drop_index('ix_items_state', table_name='items')
    op.create_index('ix_items_queue', 'items', ['project_id', 'is_open', 'sort_key', 'id'], sqlite_where=VISIBLE,
                    postgresql_where=VISIBLE)
    op.create_index('ix_items_state', 'items', ['project_id', 'state', 'id', 'import_id'], sqlite_where=VISIBLE,
                    postgresql_where=VISIBLE)


def downgrade() -> None:
    # the old code hides staged items by their state
    op.execute("UPDATE items SET state = 'importing', is_open = false WHERE import_id IS NOT NULL")
    op.drop_index('ix_items_queue', table_name='items')
    op.drop_index('ix_items_state', table_name='items')
    op.create_index('ix_items_queue', 'items', ['project_id', 'is_open', 'sort_key', 'id'])
    op.create_index('ix_items_state', 'items', ['project_id', 'state', 'id'])
