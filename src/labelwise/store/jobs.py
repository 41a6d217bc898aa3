"""Rows of background jobs: created queued, marked running, then done (with a result) or failed."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, select, update

from labelwise.store.clock import now
from labelwise.store.tables import jobs


def create(conn: Connection, *, project_id: int, kind: str, params: dict[str, Any], user_id: int) -> int:
    return int(conn.execute(jobs.insert().values(project_id=project_id, kind=kind, params=params, status="queued",
                                                 created_by=user_id, created_at=now()).returning(jobs.c.id))
               .scalar_one())


def get(conn: Connection, job_id: int) -> dict[str, Any] | None:
    row = conn.execute(select(jobs).where(jobs.c.id == job_id)).mappings().first()
    return dict(row) if row else None


def start(conn: Connection, job_id: int) -> bool:
    """Mark a queued job running; False when it is not queued (already taken, or finished)."""
    return bool(conn.execute(update(jobs).where(jobs.c.id == job_id, jobs.c.status == "queued")
                             .values(status="running", started_at=now())).rowcount)


def finish(conn: Connection, job_id: int, *, result: dict[str, Any] | None = None, error: str | None = None) -> None:
    conn.execute(update(jobs).where(jobs.c.id == job_id).values(
        status="failed" if error is not None else "done", result=result, error=error, finished_at=now()))
