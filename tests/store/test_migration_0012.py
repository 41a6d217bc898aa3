"""Migration 0012 both ways: downgraded, staged items get back the state that hid them before it
(``importing``, closed) and the two indexes hold every item again; upgraded, the indexes are partial again and
staged items stay hidden by their import id. On a SQLite database of its own, in either run of the suite (going
down and up on the shared PostgreSQL database would disturb the tests around it)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from sqlalchemy import Connection, text

from labelwise.config import Settings
from labelwise.services import auth, imports, projects
from labelwise.services.setup import prepare
from labelwise.store import items as item_rows
from labelwise.store.migrate import alembic_config, upgrade

SCHEMA = {"fields": {"text": "text"}, "labels": [{"name": "s", "kind": "choice", "options": ["a", "b"]}]}


def _index_sql(conn: Connection, name: str) -> str:
    return conn.execute(text("SELECT sql FROM sqlite_master WHERE name = :n"), {"n": name}).scalar_one()


def test_downgrade_and_upgrade(tmp_path: Path) -> None:
    ctx = prepare(Settings(data_dir=tmp_path / "data", db=None))
    admin = auth.create_user(ctx, None, email="a@example.org", password="correct horse", is_admin=True)
    actor = auth.local_admin(ctx)
    project = projects.create_project(ctx, actor, name="p", schema=SCHEMA)
    imports.import_records(ctx, actor, "p", [{"key": "seen", "text": "visible"}])
    with ctx.db.write() as conn:  # an import left running: one staged item
        import_id = item_rows.insert_import(conn, project_id=project["id"], user_id=admin["id"], source="x",
                                            owner="elsewhere:1")
        item_rows.insert_items(conn, project_id=project["id"], import_id=import_id, batch=item_rows.ItemRows(
            keys=["staged"], data=['{"text": "staged"}'], meta=[None], sort_keys=[0.0], predictions=[]))
    engine = ctx.db.engine

    config = alembic_config()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "0011")
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT key, state, is_open, import_id IS NULL FROM items ORDER BY id")).all()
        assert [tuple(r) for r in rows] == [("seen", "new", 1, 1), ("staged", "importing", 0, 0)]
        assert "WHERE" not in _index_sql(conn, "ix_items_state").upper()
        assert "WHERE" not in _index_sql(conn, "ix_items_queue").upper()

    upgrade(engine)
    with engine.connect() as conn:
        assert "import_id IS NULL" in _index_sql(conn, "ix_items_state")
        assert "import_id IS NULL" in _index_sql(conn, "ix_items_queue")
        assert item_rows.counts_by_state(conn, project["id"]) == {"new": 1}
    ctx.close()
