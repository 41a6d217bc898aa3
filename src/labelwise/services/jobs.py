"""Background jobs as use cases: ask for one, read its status, run it (in a worker).

The task queue (:mod:`labelwise.jobs`, huey) only carries a job id; the ``jobs`` table holds what was
asked, by whom, the status (``queued`` -> ``running`` -> ``done`` | ``failed``), the result and the
error. A job runs as the user who asked for it, through the same services as a request would, so its
permission checks hold when it runs too (a manager removed in between gets a failed job).

Kinds: ``recompute`` (final labels of the project, ``method``), ``snapshot`` (``name``) and
``import_file`` (a file on the server: ``path``, ``format``, ``labels``, ``skip_invalid``; instance
admins only, since it reads the server's disk).

:func:`drain_search_index` is the queue's other task (no ``jobs`` row: it belongs to no project or user):
on SQLite it indexes the ids imports left in the text index's backlog (``store.search``).

A running job records its worker (``host:pid``), and a thread of that worker writes the job's ``heartbeat_at``
every ``JOB_HEARTBEAT_TIMEOUT / 5`` seconds while it runs. :func:`recover_stale_jobs` (run as a worker starts,
then every minute by each consumer as a huey periodic task, and for one job when it is read) marks failed the
running jobs whose worker is gone: on this host its pid no longer exists; on any host, its last heartbeat is
older than ``JOB_HEARTBEAT_TIMEOUT``. They are not queued again: ask for the job again.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from labelwise.domain.permissions import Action, Actor
from labelwise.errors import Forbidden, Invalid, LabelwiseError, NotFound
from labelwise.services.access import open_project
from labelwise.services.context import Context
from labelwise.services.process_owner import is_dead, this_process
from labelwise.store import audit, search
from labelwise.store import jobs as job_rows
from labelwise.store import users as user_rows
from labelwise.store.clock import aware, now

log = logging.getLogger("labelwise.jobs")
KINDS = ("recompute", "snapshot", "import_file")
PUBLIC = ("id", "project_id", "kind", "params", "status", "result", "error", "created_at", "started_at",
          "heartbeat_at", "finished_at")
BEATS_PER_TIMEOUT = 5


def _check(actor: Actor, kind: str, params: dict[str, Any]) -> dict[str, Any]:
    if kind == "recompute":
        from labelwise.services.quality import METHODS

        method = params.get("method") or "auto"
        if method not in METHODS:
            raise Invalid(f"method must be one of {', '.join(METHODS)}, not {method!r}")
        return {"method": method}
    if kind == "snapshot":
        return {"name": str(params.get("name") or "")[:200]}
    if kind == "import_file":
        if not actor.is_admin:
            raise Forbidden("only instance admins may import a file from the server's disk")
        path = Path(str(params.get("path") or ""))
        if not path.is_file():
            raise Invalid(f"{path} is not a file on the server")
        return {"path": str(path.resolve()), "format": str(params.get("format") or path.suffix.lstrip(".")),
                "labels": params.get("labels"), "skip_invalid": bool(params.get("skip_invalid"))}
    raise Invalid(f"job kind must be one of {', '.join(KINDS)}, not {kind!r}")


def create_job(ctx: Context, actor: Actor, ref: int | str, kind: str, params: dict[str, Any] | None = None
               ) -> dict[str, Any]:
    """Record a queued job (managers); the caller hands its id to the queue."""
    clean = _check(actor, kind, params or {})
    with ctx.db.write() as conn:
        access = open_project(ctx, conn, actor, ref, Action.manage)
        job_id = job_rows.create(conn, project_id=access.id, kind=kind, params=clean, user_id=actor.id)
        audit.record(conn, user_id=actor.id, project_id=access.id, action="job.create", target=f"job:{job_id}",
                     details={"kind": kind})
        job = job_rows.get(conn, job_id)
    assert job is not None
    return {k: job[k] for k in PUBLIC}


def get_job(ctx: Context, actor: Actor, ref: int | str, job_id: int) -> dict[str, Any]:
    with ctx.db.read() as conn:
        access = open_project(ctx, conn, actor, ref, Action.manage)
        job = job_rows.get(conn, job_id)
    if job is None or job["project_id"] != access.id:
        raise NotFound(f"job {job_id} not found in project {access.name!r}")
    if job["status"] == "running":
        why = _stale(ctx, {**job, "worker": str((job["result"] or {}).get("worker") or "")})
        if why:
            with ctx.db.write() as conn:
                job_rows.fail_running(conn, job_id, why)
                job = job_rows.get(conn, job_id)
            assert job is not None
    return {k: job[k] for k in PUBLIC}


def _stale(ctx: Context, job: dict[str, Any], timeout: float | None = None) -> str | None:
    """Why a running job (``worker``, ``started_at``, ``heartbeat_at``) counts as stopped; None if it may run."""
    worker = job["worker"]
    if worker and is_dead(worker):
        return f"the worker running this job stopped: {worker}"
    timeout = ctx.settings.job_heartbeat_timeout if timeout is None else timeout
    last: datetime | None = job["heartbeat_at"] or job["started_at"]
    if last is None or aware(last) < now() - timedelta(seconds=timeout):
        when = aware(last).isoformat(timespec="seconds") if last is not None else "never"
        return (f"the worker running this job ({worker or 'unknown worker'}) sent no heartbeat for more than "
                f"{timeout:g} s (last: {when}); it is taken to have stopped")
    return None


def recover_stale_jobs(ctx: Context, *, timeout: float | None = None) -> int:
    """Mark failed the running jobs whose worker stopped: on this host, its pid is gone; on any host, its last
    heartbeat is older than ``timeout`` seconds (default ``JOB_HEARTBEAT_TIMEOUT``). Returns how many."""
    with ctx.db.write() as conn:
        failed = 0
        for row in job_rows.running(conn):
            why = _stale(ctx, row, timeout)
            if why and job_rows.fail_running(conn, row["id"], why):
                failed += 1
        return failed


@contextmanager
def _heartbeat(ctx: Context, job_id: int) -> Iterator[None]:
    """A thread writing the job's ``heartbeat_at`` every ``JOB_HEARTBEAT_TIMEOUT / 5`` seconds while the
    body runs (it stops early when the job is no longer running, e.g. marked failed meanwhile)."""
    stop = threading.Event()
    every = ctx.settings.job_heartbeat_timeout / BEATS_PER_TIMEOUT

    def beat() -> None:
        while not stop.wait(every):
            try:
                with ctx.db.write() as conn:
                    if not job_rows.beat(conn, job_id):
                        return
            except Exception as exc:  # the database is unreachable for now: the next beat tries again
                log.warning("job %s: heartbeat not written (%s: %s)", job_id, type(exc).__name__, exc)

    thread = threading.Thread(target=beat, name=f"labelwise-job-{job_id}-heartbeat", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def run_job(ctx: Context, job_id: int) -> str:
    """Run a queued job (in a worker); its status afterwards. A job already taken is left alone."""
    with ctx.db.write() as conn:
        job = job_rows.get(conn, job_id)
        if job is None or not job_rows.start(conn, job_id, worker=this_process()):
            return job["status"] if job else "missing"
        user = user_rows.user_by_id(conn, job["created_by"]) if job["created_by"] is not None else None
    result: dict[str, Any] | None = None
    error: str | None = None
    try:
        if user is None or not user["is_active"]:
            raise Forbidden("the user who asked for this job no longer exists or is disabled")
        actor = Actor(id=int(user["id"]), email=user["email"], is_admin=bool(user["is_admin"]))
        with _heartbeat(ctx, job_id):
            result = _dispatch(ctx, actor, int(job["project_id"]), job["kind"], job["params"] or {})
    except LabelwiseError as exc:
        error = exc.message
    except Exception as exc:  # recorded on the job; the worker goes on with the next one
        error = f"{type(exc).__name__}: {exc}"
    with ctx.db.write() as conn:
        job_rows.finish(conn, job_id, result=result, error=error)
    return "failed" if error is not None else "done"


def _dispatch(ctx: Context, actor: Actor, project_id: int, kind: str, params: dict[str, Any]) -> dict[str, Any]:
    if kind == "recompute":
        from labelwise.services import quality

        return quality.recompute(ctx, actor, project_id, method=params["method"])
    if kind == "snapshot":
        from labelwise.services import snapshots

        return snapshots.create_snapshot(ctx, actor, project_id, name=params["name"])
    if kind == "import_file":
        from labelwise.services import imports

        path = Path(params["path"])
        with path.open("rb") as stream:
            return imports.import_stream(ctx, actor, project_id, stream, params["format"], source=path.name,
                                         skip_invalid=params["skip_invalid"], labels=params["labels"]).as_dict()
    raise Invalid(f"unknown job kind {kind!r}")


def drain_search_index(ctx: Context, *, chunk: int = search.DRAIN_CHUNK, limit: int | None = None) -> int:
    """Index what imports left in the text index's backlog, ``chunk`` ids per write transaction (so that
    other writers get the one SQLite writer in between); the ids covered. ``limit`` stops after that many
    (tests). Idempotent: a crash leaves the rest in the backlog, searched by a scan until a later drain."""
    done = 0
    while limit is None or done < limit:
        with ctx.db.write() as conn:
            step = search.drain_step(conn, chunk if limit is None else min(chunk, limit - done))
        if not step:
            break
        done += step
    return done
