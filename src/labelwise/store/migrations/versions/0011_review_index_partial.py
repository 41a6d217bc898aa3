"""review index partial: ix_items_review holds only items with a review priority (closed ones), so that
an import's new items, all without one, are not written into it

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-28 09:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

WHERE = sa.text("review_priority IS NOT NULL")


def upgrade() -> None:
    op.drop_index('ix_items_review', table_name='items')
    op.create_index('ix_items_review', 'items', ['project_id', 'review_priority'], sqlite_where=WHERE,
                    postgresql_where=WHERE)


def downgrade() -> None:
    op.drop_index('ix_items_review', table_name='items')
    op.create_index('ix_items_review', 'items', ['project_id', 'review_priority'])
