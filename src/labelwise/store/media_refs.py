"""Which media keys a project's items refer to, with their probed facts."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection, delete, insert, select, tuple_

from labelwise.store.clock import now
from labelwise.store.tables import media_refs


def add(conn: Connection, project_id: int, refs: Iterable[dict[str, Any]]) -> list[str]:
    """Insert refs ``{key, kind, name, facts}`` the project does not hold yet; the keys inserted."""
    rows = {r["key"]: r for r in refs}
    if not rows:
        return []
    held = set(conn.execute(select(media_refs.c.key).where(
        media_refs.c.project_id == project_id, media_refs.c.key.in_(list(rows)))).scalars())
    fresh = [{"project_id": project_id, "key": k, "kind": r["kind"], "name": r.get("name", "")[:500],
              "facts": r.get("facts"), "created_at": now()} for k, r in rows.items() if k not in held]
    if fresh:
        conn.execute(insert(media_refs), fresh)
    return [r["key"] for r in fresh]


def remove(conn: Connection, project_id: int, keys: list[str]) -> None:
    if keys:
        conn.execute(delete(media_refs).where(tuple_(media_refs.c.project_id, media_refs.c.key).in_(
            [(project_id, k) for k in keys])))


def get(conn: Connection, project_id: int, key: str) -> dict[str, Any] | None:
    row = conn.execute(select(media_refs.c.key, media_refs.c.kind, media_refs.c.name, media_refs.c.facts).where(
        media_refs.c.project_id == project_id, media_refs.c.key == key)).mappings().first()
    return dict(row) if row else None
