"""32 annotators on one event loop (as in one server process): on SQLite their next and submit calls share
transactions by group commit; no item is handed out twice, every submission is stored and answered."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx

from tests.api.helpers import API, add_annotators, annotation_rows, import_records, item_row, texts
from tests.conftest import PG_URL

P = f"{API}/projects/demo"


def test_32_annotators_on_one_loop_get_every_item_once(world: Any) -> None:
    ids = import_records(world, texts(200))
    crowd = add_annotators(world, 32)
    handed: dict[int, list[str]] = defaultdict(list)
    sizes: list[int] = []
    db = world.ctx.db
    run_group = db.run_group

    def counted(group: list[Any]) -> list[tuple[bool, Any]]:
        sizes.append(len(group))
        return run_group(group)

    async def annotate(client: httpx.AsyncClient, email: str) -> None:
        while True:
            r = await client.post(f"{P}/tasks/next")
            if r.status_code == 204:
                return
            assert r.status_code == 200, r.text
            item_id = r.json()["id"]
            handed[item_id].append(email)
            s = await client.post(f"{P}/tasks/{item_id}/submit", json={"result": {"sentiment": "positive"}})
            assert s.status_code == 201, s.text
            assert s.json()["item_state"] == "annotated"

    async def main() -> None:
        transport = httpx.ASGITransport(app=world.app)
        clients = [httpx.AsyncClient(transport=transport, base_url="http://test",
                                     headers={"Authorization": f"Bearer {m.token}"}) for m in crowd]
        try:
            await asyncio.gather(*(annotate(c, m.actor.email) for c, m in zip(clients, crowd, strict=True)))
        finally:
            for c in clients:
                await c.aclose()

    db.run_group = counted
    try:
        with ThreadPoolExecutor(1) as pool:  # a loop of its own (browser tests leave one running here)
            pool.submit(lambda: asyncio.run(main())).result()
    finally:
        del db.run_group
    assert sorted(handed) == ids
    assert all(len(who) == 1 for who in handed.values())
    for item_id in ids:
        assert [r["status"] for r in annotation_rows(world, item_id)] == ["submitted"]
        assert item_row(world, item_id)["n_submitted"] == 1
    if not PG_URL:
        assert sum(sizes) == 2 * len(ids) + len(crowd)  # every next and submit went through a group
        assert max(sizes) > 1  # and calls did share transactions
