"""The huey instance per settings, its tasks, and a consumer that runs in threads."""

from __future__ import annotations

import hashlib
import logging
import threading
from typing import Any

from huey import Huey, RedisHuey, SqliteHuey, crontab
from huey.consumer import Consumer

from labelwise.config import Settings
from labelwise.services.context import Context

log = logging.getLogger("labelwise.jobs")
_QUEUES: dict[tuple[str, str], Huey] = {}
_CONTEXTS: dict[int, Context] = {}  # id(huey) -> the context its consumer runs jobs with
_LOCK = threading.Lock()


def _where(settings: Settings) -> tuple[str, str]:
    if settings.redis_url:
        return "redis", settings.redis_url
    return "sqlite", str((settings.data_dir / "jobs.db").resolve())


def queue_name(settings: Settings) -> str:
    """One queue per database: job ids mean rows of one database, so two instances sharing a Redis server
    never take each other's jobs."""
    return "labelwise-" + hashlib.sha256(settings.database_url.encode()).hexdigest()[:12]


def queue_for(settings: Settings, *, name: str | None = None) -> Huey:
    """The queue these settings name (one instance per place and name, built on first use)."""
    kind, where = _where(settings)
    name = name or queue_name(settings)
    with _LOCK:
        huey = _QUEUES.get((where, name))
        if huey is None:
            if kind == "redis":
                huey = RedisHuey(name, url=where, results=False)
            else:
                settings.data_dir.mkdir(parents=True, exist_ok=True)
                huey = SqliteHuey(name, filename=where, results=False)
            _register(huey)
            _QUEUES[(where, name)] = huey
    return huey


def _register(huey: Huey) -> None:
    @huey.task(name="run_job")
    def run_job(job_id: int) -> None:
        ctx = _CONTEXTS.get(id(huey))
        if ctx is None:  # a consumer always binds its context first
            raise RuntimeError("no context bound to this queue's consumer")
        from labelwise.services import jobs

        status = jobs.run_job(ctx, job_id)
        log.info("job %s: %s", job_id, status)

    @huey.task(name="drain_search_index")
    def drain_search_index() -> None:
        ctx = _CONTEXTS.get(id(huey))
        if ctx is None:
            raise RuntimeError("no context bound to this queue's consumer")
        from labelwise.services import jobs

        log.info("text index: %s ids indexed from the backlog", jobs.drain_search_index(ctx))

    @huey.periodic_task(crontab(), name="recover_stale_jobs")
    def recover_stale_jobs() -> None:
        """Every minute, on every consumer: jobs whose worker stopped (no heartbeat) are marked failed."""
        ctx = _CONTEXTS.get(id(huey))
        if ctx is None:
            raise RuntimeError("no context bound to this queue's consumer")
        _recover_jobs(ctx)

    huey.labelwise_run_job = run_job  # type: ignore[attr-defined]
    huey.labelwise_drain = drain_search_index  # type: ignore[attr-defined]
    huey.labelwise_recover = recover_stale_jobs  # type: ignore[attr-defined]


def _recover_jobs(ctx: Context) -> None:
    from labelwise.services import jobs

    failed = jobs.recover_stale_jobs(ctx)
    if failed:
        log.warning("%s job(s) whose worker stopped marked failed", failed)


def enqueue(settings: Settings, job_id: int, *, name: str | None = None) -> None:
    """Hand a recorded job to the queue."""
    queue_for(settings, name=name).labelwise_run_job(job_id)  # type: ignore[attr-defined]


def enqueue_drain(settings: Settings, *, name: str | None = None) -> None:
    """Ask for the text index's backlog to be indexed (SQLite; a no-op task elsewhere is not queued)."""
    if settings.is_sqlite:
        queue_for(settings, name=name).labelwise_drain()  # type: ignore[attr-defined]


class _ThreadConsumer(Consumer):  # type: ignore[misc]
    """huey's consumer without signal handlers, so that it can run beside a server in its threads."""

    def _set_signal_handlers(self) -> None:
        if threading.current_thread() is threading.main_thread():
            super()._set_signal_handlers()


class Worker:
    """A huey consumer with ``workers`` threads running jobs against ``ctx``'s database.

    ``start()`` returns at once (``labelwise serve``); ``run()`` blocks until interrupted
    (``labelwise worker``); ``stop()`` waits for the running job to finish.
    """

    def __init__(self, ctx: Context, *, workers: int = 1, name: str | None = None) -> None:
        self.huey = queue_for(ctx.settings, name=name)
        _CONTEXTS[id(self.huey)] = ctx
        self.consumer = _ThreadConsumer(self.huey, workers=workers, worker_type="thread", periodic=True,
                                        initial_delay=0.05, max_delay=1.0, check_worker_health=False)

    def start(self) -> Worker:
        self._recover()
        self.consumer.start()
        return self

    def run(self) -> None:
        self._recover()
        self.consumer.run()

    def _recover(self) -> None:
        """Jobs left running by a worker that died are marked failed; the text index backlog is drained."""
        _recover_jobs(_CONTEXTS[id(self.huey)])
        self._drain_leftovers()

    def _drain_leftovers(self) -> None:
        """A backlog left by a process that stopped before its drain ran is drained first thing."""
        settings = _CONTEXTS[id(self.huey)].settings
        if settings.is_sqlite and "drain_search_index" not in {t.name for t in self.huey.pending()}:
            enqueue_drain(settings, name=self.huey.name)

    def stop(self) -> None:
        self.consumer.stop(graceful=True)

    def __enter__(self) -> Worker:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()
