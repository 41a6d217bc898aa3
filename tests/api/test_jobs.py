"""Background jobs on huey with a real consumer: SqliteHuey in the data folder, and RedisHuey on the local
Redis (127.0.0.1:6379). The recompute endpoint answers 202 with a job; the job's result equals the
synchronous recompute; failures are recorded on the job."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from datetime import timedelta
from typing import Any

import pytest
import redis
from sqlalchemy import update

from labelwise.jobs import Worker, enqueue
from labelwise.services import jobs as job_service
from labelwise.store import jobs as job_rows
from labelwise.store.clock import now
from labelwise.store.tables import jobs
from tests.api.helpers import API, add_annotators, import_records, set_project, submit, texts

P = f"{API}/projects/demo"
REDIS_URL = "redis://127.0.0.1:6379/15"


def _redis_up() -> bool:
    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


@pytest.fixture(params=["sqlite", "redis"])
def queue(request: pytest.FixtureRequest, world: Any) -> Any:
    if request.param == "redis":
        if not _redis_up():
            pytest.skip("no Redis on 127.0.0.1:6379")
        world.ctx.settings = world.ctx.settings.model_copy(update={"redis_url": REDIS_URL})
    worker = Worker(world.ctx, workers=1).start()
    yield world
    worker.stop()
    worker.huey.flush()


def _wait(world: Any, job_id: int, timeout: float = 30.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        r = world.manager.client.get(f"{P}/jobs/{job_id}")
        assert r.status_code == 200, r.text
        if r.json()["status"] in ("done", "failed"):
            return r.json()  # type: ignore[no-any-return]
        time.sleep(0.05)
    raise AssertionError(f"job {job_id} did not finish: {r.json()}")


def _finals(world: Any) -> dict[int, Any]:
    body = world.manager.client.get(f"{P}/quality/final", params={"limit": 1000}).json()
    return {i["item_id"]: {k: (v["value"], v["method"], round(v["confidence"], 9)) for k, v in i["final"].items()}
            for i in body["items"]}


def test_recompute_in_the_background(queue: Any) -> None:
    world = queue
    set_project(world, overlap=3)
    ids = import_records(world, texts(6))
    people = add_annotators(world, 3)
    for n, item in enumerate(ids):
        for k, person in enumerate(people):
            value = "positive" if (n + k) % 3 else "negative"
            result = {"sentiment": value, "entities": [{"start": 0, "end": 4, "label": "PER"}]}
            assert submit(person.client, item, result).status_code == 201
    r = world.manager.client.post(f"{P}/quality/final/recompute", params={"background": "true",
                                                                          "method": "dawid_skene"})
    assert r.status_code == 202, r.text
    job = _wait(world, r.json()["id"])
    assert job["status"] == "done", job
    assert job["kind"] == "recompute" and job["result"]["labels"]["sentiment"]["method"] == "dawid_skene"
    background = _finals(world)
    assert {v["sentiment"][1] for v in background.values()} == {"dawid_skene"}
    assert {v["entities"][0][0]["label"] for v in background.values()} == {"PER"}
    sync = world.manager.client.post(f"{P}/quality/final/recompute", params={"method": "dawid_skene"})
    assert sync.status_code == 200
    assert _finals(world) == background

    r = world.manager.client.post(f"{P}/jobs", json={"kind": "snapshot", "params": {"name": "nightly"}})
    assert r.status_code == 202, r.text
    job = _wait(world, r.json()["id"])
    assert job["status"] == "done" and job["result"]["name"] == "nightly"
    snaps = world.manager.client.get(f"{P}/snapshots").json()
    assert any(s["name"] == "nightly" for s in (snaps["snapshots"] if isinstance(snaps, dict) else snaps))


def test_server_file_import_and_a_failed_job(queue: Any, tmp_path: Any) -> None:
    world = queue
    good = tmp_path / "rows.jsonl"
    good.write_text("\n".join(f'{{"key": "k{i}", "text": "row {i}"}}' for i in range(50)) + "\n")
    job = job_service.create_job(world.ctx, world.admin.actor, "demo", "import_file", {"path": str(good)})
    enqueue(world.ctx.settings, job["id"])
    done = _wait(world, job["id"])
    assert done["status"] == "done" and done["result"]["created"] == 50
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "fine"}\n{"nope": 1}\n')
    job = job_service.create_job(world.ctx, world.admin.actor, "demo", "import_file", {"path": str(bad)})
    enqueue(world.ctx.settings, job["id"])
    failed = _wait(world, job["id"])
    assert failed["status"] == "failed" and "1 of 2 rows are invalid" in failed["error"]
    # only instance admins read the server's disk; outsiders do not see the job
    r = world.manager.client.post(f"{P}/jobs", json={"kind": "import_file", "params": {"path": str(good)}})
    assert r.status_code == 403
    assert world.outsider.client.get(f"{P}/jobs/{job['id']}").status_code == 404
    assert world.manager.client.post(f"{P}/jobs", json={"kind": "mine bitcoin"}).status_code == 422


WORKER = """
import socket, sys, time
if sys.argv[1] != "-":
    socket.gethostname = lambda: sys.argv[1]  # a worker on another host: its pid means nothing here
from labelwise.config import Settings
from labelwise.jobs import Worker
from labelwise.services import snapshots
from labelwise.services.context import Context

snapshots.create_snapshot = lambda *a, **k: time.sleep(3600)  # a job that runs until the worker is killed
Worker(Context.from_settings(Settings()), workers=1).run()
"""


def _running_worker(world: Any, tmp_path: Any, host: str = "-", heartbeat_timeout: int = 300,
                    ) -> tuple[subprocess.Popen[bytes], int, str]:
    """Ask for a snapshot and let a worker subprocess take it (it blocks): the process, the job and the worker
    (host:pid) recorded on it. ``host`` stands for another host's name."""
    settings = world.ctx.settings
    env = {**os.environ, "LABELWISE_DATA_DIR": str(settings.data_dir),
           "LABELWISE_JOB_HEARTBEAT_TIMEOUT": str(heartbeat_timeout)}
    if settings.db:
        env["LABELWISE_DB"] = settings.db
    with (tmp_path / "worker.log").open("ab") as log:
        proc = subprocess.Popen([sys.executable, "-c", WORKER, host], env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        r = world.manager.client.post(f"{P}/jobs", json={"kind": "snapshot", "params": {"name": "never"}})
        assert r.status_code == 202, r.text
        job_id = r.json()["id"]
        job = _until(world, job_id, lambda j: j["status"] == "running", proc)
        worker = f"{socket.gethostname() if host == '-' else host}:{proc.pid}"
        assert job["result"] == {"worker": worker}
    except BaseException:
        _kill(proc)
        raise
    return proc, job_id, worker


def _until(world: Any, job_id: int, done: Any, proc: subprocess.Popen[bytes]) -> dict[str, Any]:
    """The job once ``done(job)`` holds (read through the API), while the worker process lives."""
    deadline = time.monotonic() + 60
    job = world.manager.client.get(f"{P}/jobs/{job_id}").json()
    while not done(job) and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.05)
        job = world.manager.client.get(f"{P}/jobs/{job_id}").json()
    assert done(job), job
    return job  # type: ignore[no-any-return]


def _kill(proc: subprocess.Popen[bytes]) -> None:
    proc.send_signal(signal.SIGKILL)
    proc.wait()


def _killed_worker(world: Any, tmp_path: Any) -> tuple[int, str]:
    """A job left running by a worker subprocess of this host that was SIGKILLed, and that worker."""
    proc, job_id, worker = _running_worker(world, tmp_path)
    _kill(proc)
    return job_id, worker


def test_a_job_whose_worker_was_killed_is_marked_failed(world: Any, tmp_path: Any) -> None:
    set_project(world)
    # read through the API: the worker's pid is gone on this host, so the job is failed as it is read
    job_id, worker = _killed_worker(world, tmp_path)
    job = world.manager.client.get(f"{P}/jobs/{job_id}").json()
    assert job["status"] == "failed" and job["finished_at"] is not None
    assert job["error"] == f"the worker running this job stopped: {worker}" and job["result"] is None

    # a starting worker marks failed what dead workers left running, before taking new jobs
    job_id, worker = _killed_worker(world, tmp_path)
    with world.ctx.db.read() as conn:
        assert job_rows.get(conn, job_id)["status"] == "running"  # type: ignore[index]
    fresh = Worker(world.ctx, workers=1).start()
    try:
        with world.ctx.db.read() as conn:
            row = job_rows.get(conn, job_id)
        assert row is not None and row["status"] == "failed"
        assert row["error"] == f"the worker running this job stopped: {worker}"
        # the queue still works: a new job runs to the end on the fresh worker
        r = world.manager.client.post(f"{P}/jobs", json={"kind": "snapshot", "params": {"name": "after"}})
        assert _wait(world, r.json()["id"])["status"] == "done"
    finally:
        fresh.stop()
        fresh.huey.flush()


def _stale_message(worker: str, last: Any, timeout: int = 300) -> str:
    return (f"the worker running this job ({worker}) sent no heartbeat for more than {timeout} s "
            f"(last: {last.isoformat(timespec='seconds')}); it is taken to have stopped")


def test_a_job_whose_heartbeat_is_stale_fails_on_any_host(world: Any) -> None:
    set_project(world)
    here = f"{socket.gethostname()}:{os.getpid()}"  # alive, but silent: e.g. a pid reused by another process
    workers = ("elsewhere:1", "elsewhere:2", here, "elsewhere:3", "elsewhere:4", "elsewhere:5")
    ids = [job_service.create_job(world.ctx, world.manager.actor, "demo", "snapshot", {"name": str(i)})["id"]
           for i in range(len(workers))]
    at = now().replace(microsecond=0)
    beats = (at - timedelta(seconds=301), at, at - timedelta(seconds=400), at - timedelta(seconds=240), None, at)
    with world.ctx.db.write() as conn:
        for job_id, worker, beat in zip(ids, workers, beats, strict=True):
            assert job_rows.start(conn, job_id, worker=worker)
            conn.execute(update(jobs).where(jobs.c.id == job_id).values(heartbeat_at=beat))
        # a job that has run for two days and still beats is alive; one from before heartbeats (none written)
        # counts from its start
        conn.execute(update(jobs).where(jobs.c.id == ids[1]).values(started_at=at - timedelta(days=2)))
        conn.execute(update(jobs).where(jobs.c.id == ids[4]).values(started_at=at - timedelta(seconds=500)))
    assert job_service.recover_stale_jobs(world.ctx) == 3
    with world.ctx.db.write() as conn:  # silent since the sweep: failed as it is read
        conn.execute(update(jobs).where(jobs.c.id == ids[5]).values(heartbeat_at=at - timedelta(hours=1)))
    statuses = [world.manager.client.get(f"{P}/jobs/{i}").json() for i in ids]
    assert [s["status"] for s in statuses] == ["failed", "running", "failed", "running", "failed", "failed"]
    assert statuses[0]["error"] == _stale_message("elsewhere:1", beats[0])
    assert statuses[2]["error"] == _stale_message(here, beats[2])
    assert statuses[4]["error"] == _stale_message("elsewhere:4", at - timedelta(seconds=500))
    assert statuses[5]["error"] == _stale_message("elsewhere:5", at - timedelta(hours=1))
    assert statuses[1]["heartbeat_at"] is not None and statuses[0]["result"] is None
    assert job_service.recover_stale_jobs(world.ctx) == 0
    assert job_service.recover_stale_jobs(world.ctx, timeout=200) == 1  # elsewhere:3, silent for 240 s


def test_a_worker_on_another_host_beats_until_killed(world: Any, tmp_path: Any) -> None:
    set_project(world)
    proc, job_id, worker = _running_worker(world, tmp_path, host="otherhost", heartbeat_timeout=5)
    try:
        started = _until(world, job_id, lambda j: True, proc)
        first = _until(world, job_id, lambda j: j["heartbeat_at"] != started["heartbeat_at"], proc)
        _until(world, job_id, lambda j: j["heartbeat_at"] != first["heartbeat_at"], proc)  # it keeps beating
        with world.ctx.db.write() as conn:  # running for two days: the heartbeat alone says it is alive
            conn.execute(update(jobs).where(jobs.c.id == job_id).values(started_at=now() - timedelta(days=2)))
        assert job_service.recover_stale_jobs(world.ctx) == 0
    finally:
        _kill(proc)
    # its pid says nothing on this host: the job stays running until its heartbeat is older than the timeout
    assert job_service.recover_stale_jobs(world.ctx) == 0
    job = world.manager.client.get(f"{P}/jobs/{job_id}").json()
    assert job["status"] == "running" and job["result"] == {"worker": worker}
    last = now().replace(microsecond=0) - timedelta(seconds=301)
    with world.ctx.db.write() as conn:
        conn.execute(update(jobs).where(jobs.c.id == job_id).values(heartbeat_at=last))
    job = world.manager.client.get(f"{P}/jobs/{job_id}").json()
    assert job["status"] == "failed" and job["error"] == _stale_message(worker, last)


def test_every_consumer_sweeps_stale_jobs_with_a_periodic_task(world: Any) -> None:
    set_project(world)
    worker = Worker(world.ctx, workers=1).start()
    try:
        assert "recover_stale_jobs" in {t.name for t in worker.huey._registry.periodic_tasks}
        job_id = job_service.create_job(world.ctx, world.manager.actor, "demo", "snapshot", {"name": "x"})["id"]
        last = now().replace(microsecond=0) - timedelta(hours=1)
        with world.ctx.db.write() as conn:
            assert job_rows.start(conn, job_id, worker="elsewhere:9")
            conn.execute(update(jobs).where(jobs.c.id == job_id).values(heartbeat_at=last))
        worker.huey.labelwise_recover()  # what the consumer's scheduler enqueues every minute
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with world.ctx.db.read() as conn:
                row = job_rows.get(conn, job_id)
            if row is not None and row["status"] != "running":
                break
            time.sleep(0.05)
        assert row is not None and row["status"] == "failed"
        assert row["error"] == _stale_message("elsewhere:9", last)
    finally:
        worker.stop()
        worker.huey.flush()
