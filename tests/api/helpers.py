"""Helpers for the API tests: extra annotators, imports, the queue, direct row access."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import select, update
from starlette.testclient import TestClient

from labelwise.domain.permissions import Actor
from labelwise.services import auth, projects
from labelwise.store.clock import now
from labelwise.store.tables import annotations, items

API = "/api/v1"
World = Any  # tests/conftest.py's World: ctx, app, project and one Member per role


@dataclass
class Member:
    actor: Actor
    token: str
    client: TestClient


def no_server_error(response: httpx.Response) -> None:
    request = response.request
    assert response.status_code < 500, f"{request.method} {request.url} -> {response.status_code}"


def safe_client(world: World, member: Member) -> TestClient:
    """A client for ``member`` that turns server exceptions into responses (to assert there are none)."""
    client = TestClient(world.app, raise_server_exceptions=False,
                        headers={"Authorization": f"Bearer {member.token}"})
    client.event_hooks["response"].append(no_server_error)
    return client


def add_annotators(world: World, n: int, *, project: str = "demo", role: str = "annotator",
                   prefix: str = "crowd") -> list[Member]:
    """``n`` new users with ``role`` in ``project``, each with a client."""
    out = []
    for i in range(n):
        email = f"{prefix}{i}@example.org"
        user = auth.create_user(world.ctx, None, email=email, password="correct horse")
        token = auth.create_token(world.ctx, None, email=email)
        projects.add_member(world.ctx, world.admin.actor, project, email=email, role=role)
        client = TestClient(world.app, headers={"Authorization": f"Bearer {token}"})  # type: ignore[arg-type]
        out.append(Member(Actor(id=user["id"], email=email), token, client))
    return out


def import_records(world: World, records: list[dict[str, Any]], *, project: str = "demo",
                   key_field: str | None = None) -> list[int]:
    """Import ``records`` as the manager; the new items' ids in import order."""
    body: dict[str, Any] = {"records": records}
    if key_field:
        body["key_field"] = key_field
    r = world.manager.client.post(f"{API}/projects/{project}/records", json=body)
    assert r.status_code == 201, r.text
    assert r.json()["created"] == len(records)
    return all_item_ids(world, project)


def texts(n: int, prefix: str = "item") -> list[dict[str, Any]]:
    return [{"text": f"{prefix} {i}"} for i in range(n)]


def all_item_ids(world: World, project: str = "demo") -> list[int]:
    ids: list[int] = []
    after = 0
    while True:
        page = world.admin.client.get(f"{API}/projects/{project}/items",
                                      params={"after": after, "limit": 1000})
        assert page.status_code == 200, page.text
        body = page.json()
        ids += [i["id"] for i in body["items"]]
        if body["next"] is None:
            return ids
        after = body["next"]


def set_project(world: World, project: str = "demo", **settings: Any) -> dict[str, Any]:
    r = world.manager.client.patch(f"{API}/projects/{project}", json=settings)
    assert r.status_code == 200, r.text
    return r.json()  # type: ignore[no-any-return]


def annotation_rows(world: World, item_id: int | None = None) -> list[dict[str, Any]]:
    q = select(annotations).order_by(annotations.c.id)
    if item_id is not None:
        q = q.where(annotations.c.item_id == item_id)
    with world.ctx.db.read() as conn:
        return [dict(r) for r in conn.execute(q).mappings()]


def item_row(world: World, item_id: int) -> dict[str, Any]:
    with world.ctx.db.read() as conn:
        return dict(conn.execute(select(items).where(items.c.id == item_id)).mappings().one())


def expire_lease(world: World, item_id: int, user_id: int) -> None:
    """Move a lease into the past by editing its row: as if its time ran out."""
    with world.ctx.db.write() as conn:
        n = conn.execute(
            update(annotations)
            .where(annotations.c.item_id == item_id, annotations.c.user_id == user_id,
                   annotations.c.status == "leased")
            .values(lease_expires_at=now() - timedelta(seconds=1))
        ).rowcount
    assert n == 1


def submit(client: TestClient, item_id: int, result: dict[str, Any], project: str = "demo") -> httpx.Response:
    return client.post(f"{API}/projects/{project}/tasks/{item_id}/submit", json={"result": result})


def next_task(client: TestClient, project: str = "demo") -> dict[str, Any] | None:
    r = client.post(f"{API}/projects/{project}/tasks/next")
    assert r.status_code in (200, 204), r.text
    return None if r.status_code == 204 else r.json()
