"""Background jobs on huey with a real consumer: SqliteHuey in the data folder, and RedisHuey on the local
Redis (127.0.0.1:6379). The recompute endpoint answers 202 with a job; the job's result equals the
synchronous recompute; failures are recorded on the job."""

from __future__ import annotations

import time
from typing import Any

import pytest
import redis

from labelwise.jobs import Worker, enqueue
from labelwise.services import jobs as job_service
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
