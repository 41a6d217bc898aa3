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
import sys, time
from labelwise.config import Settings
from labelwise.jobs import Worker
from labelwise.services import snapshots
from labelwise.services.context import Context

snapshots.create_snapshot = lambda *a, **k: time.sleep(3600)  # a job that runs until the worker is killed
Worker(Context.from_settings(Settings()), workers=1).run()
"""


def _killed_worker(world: Any, tmp_path: Any) -> tuple[int, str]:
    """Ask for a snapshot, let a worker subprocess take it (it blocks), SIGKILL the worker; the job and the
    worker (host:pid) recorded on it."""
    settings = world.ctx.settings
    env = {**os.environ, "LABELWISE_DATA_DIR": str(settings.data_dir)}
    if settings.db:
        env["LABELWISE_DB"] = settings.db
    log = (tmp_path / "worker.log").open("ab")
    proc = subprocess.Popen([sys.executable, "-c", WORKER], env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        r = world.manager.client.post(f"{P}/jobs", json={"kind": "snapshot", "params": {"name": "never"}})
        assert r.status_code == 202, r.text
        job_id = r.json()["id"]
        deadline = time.monotonic() + 60
        job = r.json()
        while job["status"] != "running" and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.05)
            job = world.manager.client.get(f"{P}/jobs/{job_id}").json()
        assert job["status"] == "running", (job, (tmp_path / "worker.log").read_text()[-2000:])
        worker = f"{socket.gethostname()}:{proc.pid}"
        assert job["result"] == {"worker": worker}
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        log.close()
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


def test_jobs_of_another_host_fail_only_after_a_long_silence(world: Any) -> None:
    set_project(world)
    ids = [job_service.create_job(world.ctx, world.manager.actor, "demo", "snapshot", {"name": n})["id"]
           for n in ("old", "recent", "here")]
    with world.ctx.db.write() as conn:
        for job_id, worker in zip(ids, ("elsewhere:1", "elsewhere:2", f"{socket.gethostname()}:{os.getpid()}"),
                                  strict=True):
            assert job_rows.start(conn, job_id, worker=worker)
        conn.execute(update(jobs).where(jobs.c.id == ids[0]).values(started_at=now() - timedelta(days=2)))
    assert job_service.recover_stale_jobs(world.ctx) == 1
    statuses = [world.manager.client.get(f"{P}/jobs/{i}").json() for i in ids]
    assert [s["status"] for s in statuses] == ["failed", "running", "running"]
    assert statuses[0]["error"] == "the worker running this job stopped: elsewhere:1"
    assert job_service.recover_stale_jobs(world.ctx) == 0
