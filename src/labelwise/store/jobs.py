"""Rows of background jobs: created queued, marked running, then done (with a result) or failed.

While a job runs, its ``result`` holds ``{"worker": "host:pid"}`` (the process running it) and that process
writes ``heartbeat_at`` every few seconds, so that a job whose worker died can be told from one still running
(``services.jobs.recover_stale_jobs``)."""

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


def start(conn: Connection, job_id: int, *, worker: str = "") -> bool:
    """Mark a queued job running in ``worker`` (host:pid); False when it is not queued (already taken, or
    finished)."""
    at = now()
    return bool(conn.execute(update(jobs).where(jobs.c.id == job_id, jobs.c.status == "queued")
                             .values(status="running", started_at=at, heartbeat_at=at, result={"worker": worker}))
                .rowcount)


def beat(conn: Connection, job_id: int) -> bool:
    """Record that the job's worker is alive; False when the job is no longer running."""
    return bool(conn.execute(update(jobs).where(jobs.c.id == job_id, jobs.c.status == "running")
                             .values(heartbeat_at=now())).rowcount)


def running(conn: Connection) -> list[dict[str, Any]]:
    """Running jobs: id, started_at, heartbeat_at and the worker running them (host:pid, "" when unknown)."""
    rows = conn.execute(select(jobs.c.id, jobs.c.started_at, jobs.c.heartbeat_at, jobs.c.result)
                        .where(jobs.c.status == "running"))
    return [{"id": r.id, "started_at": r.started_at, "heartbeat_at": r.heartbeat_at,
             "worker": str((r.result or {}).get("worker") or "")} for r in rows]


def fail_running(conn: Connection, job_id: int, error: str) -> bool:
    """Mark a job failed if it is still running (its worker stopped); False when it finished meanwhile."""
    return bool(conn.execute(update(jobs).where(jobs.c.id == job_id, jobs.c.status == "running")
                             .values(status="failed", result=None, error=error, finished_at=now())).rowcount)


def finish(conn: Connection, job_id: int, *, result: dict[str, Any] | None = None, error: str | None = None) -> None:
    conn.execute(update(jobs).where(jobs.c.id == job_id).values(
        status="failed" if error is not None else "done", result=result, error=error, finished_at=now()))
