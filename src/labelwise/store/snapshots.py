"""Snapshot rows (dataset versions) and the facts a dataset card needs from other tables."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, func, insert, select

from labelwise.store.clock import now
from labelwise.store.tables import imports, snapshots, users

COLUMNS = [c for c in snapshots.c if c.name != "created_by"]


def insert_snapshot(conn: Connection, **values: Any) -> int:
    return int(conn.execute(insert(snapshots).values(created_at=now(), **values)
                            .returning(snapshots.c.id)).scalar_one())


def _select() -> Any:
    return (select(*COLUMNS, users.c.email.label("created_by"))
            .outerjoin(users, users.c.id == snapshots.c.created_by))


def file_sha256(conn: Connection, file_key: str) -> str | None:
    """The SHA-256 recorded for a stored snapshot file (the same content gives the same file)."""
    q = select(snapshots.c.file_sha256).where(snapshots.c.file_key == file_key).limit(1)
    return conn.execute(q).scalar_one_or_none()


def list_snapshots(conn: Connection, project_id: int) -> list[dict[str, Any]]:
    q = _select().where(snapshots.c.project_id == project_id).order_by(snapshots.c.id)
    return [dict(r) for r in conn.execute(q).mappings()]


def get_snapshot(conn: Connection, project_id: int, snapshot_id: int) -> dict[str, Any] | None:
    q = _select().where(snapshots.c.project_id == project_id, snapshots.c.id == snapshot_id)
    row = conn.execute(q).mappings().first()
    return dict(row) if row else None


def import_sources(conn: Connection, project_id: int) -> list[dict[str, Any]]:
    """Finished imports of the project: source name, when, and their reports."""
    q = (select(imports.c.source, imports.c.created_at, imports.c.report)
         .where(imports.c.project_id == project_id, imports.c.status == "done").order_by(imports.c.id))
    return [dict(r) for r in conn.execute(q).mappings()]


def count_snapshots(conn: Connection, project_id: int) -> int:
    return int(conn.execute(select(func.count()).where(snapshots.c.project_id == project_id)).scalar_one())
