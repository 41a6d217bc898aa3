"""Background work on huey: project-wide recomputes, snapshots, imports of server-side files, the SQLite text
index catch-up.

- :func:`queue_for` builds (once per settings, never at import) a ``SqliteHuey`` in the data folder
  (``jobs.db``: nothing to install or run) or a ``RedisHuey`` when ``LABELWISE_REDIS_URL`` is set (several
  servers sharing one queue). Its tasks: ``run_job(job_id)`` runs :func:`labelwise.services.jobs.run_job`
  with the context the consumer was started with; ``drain_search_index`` indexes the text index's backlog;
  ``recover_stale_jobs`` (periodic, every minute) fails jobs whose worker died or stopped beating.
- :func:`enqueue` hands a job (a ``jobs`` row made by ``services.jobs.create_job``) to the queue;
  :func:`enqueue_drain` asks for the text index's backlog to be indexed (SQLite: imports leave their new
  items to it; a worker asks for it as it starts, in case a stopped process left some).
- :class:`Worker` runs a huey consumer in threads of this process: ``labelwise serve`` starts one
  (``LABELWISE_JOB_WORKERS``, 0 for none), ``labelwise worker`` runs one on its own.

The queue carries only job ids; status and results live in the database, so any server answers
``GET /projects/{ref}/jobs/{id}``.
"""

from labelwise.jobs.queue import Worker, enqueue, enqueue_drain, queue_for

__all__ = ["Worker", "enqueue", "enqueue_drain", "queue_for"]
