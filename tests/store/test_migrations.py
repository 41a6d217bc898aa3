"""The Alembic migrations build exactly the tables declared in store/tables.py, on both databases."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from labelwise.store.migrate import alembic_config, is_current
from labelwise.store.search import is_search_object
from labelwise.store.tables import metadata


def test_history_is_linear() -> None:
    script = ScriptDirectory.from_config(alembic_config())
    assert len(script.get_heads()) == 1
    assert all(len(r.down_revision or ()) <= 1 or isinstance(r.down_revision, str) for r in script.walk_revisions())


def test_migrated_database_matches_the_tables(ctx) -> None:
    assert is_current(ctx.db.engine)
    with ctx.db.engine.connect() as conn:
        # the text index (an FTS5 table, a pg_trgm index) is made by its migration, not declared in tables.py
        opts = {"compare_type": True, "include_name": lambda name, _type, _parent: not is_search_object(name)}
        diff = compare_metadata(MigrationContext.configure(conn, opts=opts), metadata)
    assert diff == []
