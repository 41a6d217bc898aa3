"""SIGKILL the server mid-import and mid-annotation: nothing acknowledged is lost, nothing half-applied.

The server runs in a subprocess on the test's data folder (SQLite, or PostgreSQL with
LABELWISE_TEST_DB); the test talks to it over real HTTP and kills it with SIGKILL, so no shutdown
code runs.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Iterator
from datetime import timedelta

import httpx
import orjson
import pytest
from sqlalchemy import func, select, update

from labelwise.config import Settings
from labelwise.domain.permissions import Actor
from labelwise.services import auth, projects
from labelwise.services.setup import prepare
from labelwise.store.clock import now
from labelwise.store.tables import VISIBLE, annotations, imports, items
from tests.live_server import LiveServer, postgres_database

pytestmark = pytest.mark.slow
SCHEMA = {"fields": {"text": "text"},
          "labels": [{"name": "sentiment", "kind": "choice", "options": ["positive", "negative"]}]}


@pytest.fixture
def live(tmp_path) -> Iterator[tuple[LiveServer, dict[str, str]]]:
    name = f"labelwise_faults_{os.getpid()}"
    db = postgres_database(name) if os.environ.get("LABELWISE_TEST_DB") else None
    settings = Settings(data_dir=tmp_path / "data", db=db)
    ctx = prepare(settings)
    admin = auth.create_user(ctx, None, email="admin@x.org", password="long enough", is_admin=True)
    actor = Actor(id=admin["id"], email="admin@x.org", is_admin=True)
    projects.create_project(ctx, actor, name="p", schema=SCHEMA, lease_seconds=10)
    tokens = {"admin": auth.create_token(ctx, None, email="admin@x.org")}
    for email in [*(f"a{i}@x.org" for i in range(6)), "holder@x.org", "late@x.org"]:
        auth.create_user(ctx, None, email=email, password="long enough")
        projects.add_member(ctx, actor, "p", email=email, role="annotator")
        tokens[email] = auth.create_token(ctx, None, email=email)
    ctx.close()
    server = LiveServer(settings)
    server.start()
    try:
        yield server, tokens
    finally:
        server.stop()
        if db:
            postgres_database(name, drop=True)


def _db(server: LiveServer):  # type: ignore[no-untyped-def]
    return prepare(server.settings, migrate=False).db


def _rows(n: int) -> Iterator[bytes]:
    for i in range(n):
        yield orjson.dumps({"key": f"k{i}", "text": f"item {i}"}) + b"\n"


def test_sigkill_during_import_leaves_no_half_import(live) -> None:
    server, tokens = live
    headers = {"Authorization": f"Bearer {tokens['admin']}"}
    db = _db(server)

    def send() -> None:
        with contextlib.suppress(httpx.HTTPError):  # the server dies under it
            httpx.post(f"{server.url}/api/v1/projects/p/import?format=jsonl", content=_rows(400_000),
                       headers=headers, timeout=120)

    sender = threading.Thread(target=send)
    sender.start()
    deadline = time.monotonic() + 60
    staged = 0
    while staged == 0 and time.monotonic() < deadline:  # wait until batches are being written
        time.sleep(0.05)
        with db.read() as conn:
            staged = conn.execute(select(func.count()).select_from(items).where(~VISIBLE)).scalar()
    assert staged > 0, "the import never started writing"
    server.kill()
    sender.join()
    with db.read() as conn:
        visible = conn.execute(select(func.count()).select_from(items).where(VISIBLE)).scalar()
    assert visible == 0  # staged rows were never visible, even before any clean-up

    server.start()  # start-up discards the dead process's import
    with db.read() as conn:
        assert conn.execute(select(func.count()).select_from(items)).scalar() == 0
        assert conn.execute(select(imports.c.status)).scalars().all() == ["failed"]
    counts = httpx.get(f"{server.url}/api/v1/projects/p/items/count", headers=headers).json()
    assert counts["total"] == 0
    # the same file imports cleanly afterwards
    r = httpx.post(f"{server.url}/api/v1/projects/p/import?format=jsonl", content=b"".join(_rows(1000)),
                   headers=headers, timeout=60)
    assert r.status_code == 201 and r.json()["created"] == 1000
    db.dispose()


def test_sigkill_while_annotators_submit_loses_nothing_acknowledged(live) -> None:
    server, tokens = live
    admin = {"Authorization": f"Bearer {tokens['admin']}"}
    r = httpx.post(f"{server.url}/api/v1/projects/p/import?format=jsonl", content=b"".join(_rows(5000)),
                   headers=admin, timeout=60)
    assert r.status_code == 201
    acknowledged: list[tuple[str, int, int]] = []
    stop = threading.Event()

    def annotate(email: str) -> None:
        headers = {"Authorization": f"Bearer {tokens[email]}"}
        with httpx.Client(base_url=server.url, headers=headers, timeout=10) as client:
            while not stop.is_set():
                try:
                    task = client.post("/api/v1/projects/p/tasks/next")
                    if task.status_code != 200:
                        return
                    item_id = task.json()["id"]
                    done = client.post(f"/api/v1/projects/p/tasks/{item_id}/submit",
                                       json={"result": {"sentiment": "positive"}})
                except httpx.HTTPError:
                    return  # the server was killed
                if done.status_code == 201:
                    acknowledged.append((email, item_id, done.json()["id"]))

    workers = [threading.Thread(target=annotate, args=(f"a{i}@x.org",)) for i in range(6)]
    for w in workers:
        w.start()
    while len(acknowledged) < 200:
        time.sleep(0.01)
    # One annotator certainly holds a lease when the server dies (the others may or may not).
    holder = {"Authorization": f"Bearer {tokens['holder@x.org']}"}
    held = httpx.post(f"{server.url}/api/v1/projects/p/tasks/next", headers=holder).json()["id"]
    server.kill()
    stop.set()
    for w in workers:
        w.join()

    server.start()
    db = _db(server)
    with db.read() as conn:
        stored = {(r.item_id, r.id) for r in conn.execute(
            select(annotations.c.item_id, annotations.c.id).where(annotations.c.status == "submitted"))}
        leased = conn.execute(select(annotations.c.item_id).where(annotations.c.status == "leased")).scalars().all()
    assert {(item, ann) for _, item, ann in acknowledged} <= stored
    for email, item_id, _ in acknowledged[:20]:
        export = httpx.get(f"{server.url}/api/v1/projects/p/items/{item_id}", headers=admin).json()
        assert [a["annotator"] for a in export["annotations"]] == [email]

    # Leases the dead server handed out expire: push them into the past. A fresh annotator is handed, in
    # queue order, every item nobody submitted up to the last leased one: the leased items, and on
    # PostgreSQL perhaps an item whose lease the kill rolled back while a concurrent "next" skipped its
    # locked row (SKIP LOCKED) and leased a later one. At most one such item per annotator's request.
    assert held in leased
    with db.write() as conn:
        conn.execute(update(annotations).where(annotations.c.status == "leased")
                     .values(lease_expires_at=now() - timedelta(seconds=1)))
    with db.read() as conn:
        unsubmitted = conn.execute(select(items.c.id).where(items.c.n_submitted == 0)
                                   .order_by(items.c.sort_key, items.c.id)).scalars().all()
    expected = unsubmitted[:max(unsubmitted.index(item_id) for item_id in leased) + 1]
    assert set(leased) <= set(expected) and len(expected) - len(leased) <= len(workers), (expected, leased)
    late = {"Authorization": f"Bearer {tokens['late@x.org']}"}
    handed = []
    for _ in expected:
        item_id = httpx.post(f"{server.url}/api/v1/projects/p/tasks/next", headers=late).json()["id"]
        handed.append(item_id)
        httpx.post(f"{server.url}/api/v1/projects/p/tasks/{item_id}/skip", json={}, headers=late)
    assert handed == expected
    db.dispose()
