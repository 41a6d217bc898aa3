"""Load generators, run in their own process so that they do not share the server's interpreter."""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict
from typing import Any

import httpx


def _pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))] * 1000


async def _annotators(url: str, project: str, tokens: list[str], seconds: float) -> dict[str, Any]:
    next_lat: list[float] = []
    submit_lat: list[float] = []
    errors: list[str] = []
    handed: dict[int, set[int]] = defaultdict(set)
    done = 0
    deadline = time.monotonic() + seconds
    limits = httpx.Limits(max_connections=len(tokens) + 4, max_keepalive_connections=len(tokens) + 4)

    async def annotator(i: int, token: str, client: httpx.AsyncClient) -> None:
        nonlocal done
        headers = {"Authorization": f"Bearer {token}"}
        while time.monotonic() < deadline:
            t0 = time.perf_counter()
            r = await client.post(f"/api/v1/projects/{project}/tasks/next", headers=headers)
            next_lat.append(time.perf_counter() - t0)
            if r.status_code == 204:
                return
            if r.status_code != 200:
                errors.append(f"next {r.status_code} {r.text[:200]}")
                continue
            task = r.json()
            handed[task["id"]].add(i)
            t0 = time.perf_counter()
            r = await client.post(f"/api/v1/projects/{project}/tasks/{task['id']}/submit",
                                  json={"result": {"sentiment": "positive"}, "lead_time": 1.0}, headers=headers)
            submit_lat.append(time.perf_counter() - t0)
            if r.status_code != 201:
                errors.append(f"submit {r.status_code} {r.text[:200]}")
                continue
            done += 1

    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=60) as client:
        start = time.monotonic()
        await asyncio.gather(*(annotator(i, t, client) for i, t in enumerate(tokens)))
        elapsed = time.monotonic() - start
    return {
        "annotations": done, "seconds": elapsed, "rate": done / elapsed,
        "next_p50_ms": _pct(next_lat, 0.5), "next_p99_ms": _pct(next_lat, 0.99),
        "submit_p50_ms": _pct(submit_lat, 0.5), "submit_p99_ms": _pct(submit_lat, 0.99),
        "errors": len(errors), "error_samples": errors[:5],
        "double_handed": sum(1 for users in handed.values() if len(users) > 1),
    }


async def _pairs(url: str, clients: int, seconds: float) -> dict[str, Any]:
    lat: list[float] = []
    done = 0
    deadline = time.monotonic() + seconds
    limits = httpx.Limits(max_connections=clients + 4, max_keepalive_connections=clients + 4)

    async def worker(client: httpx.AsyncClient) -> None:
        nonlocal done
        while time.monotonic() < deadline:
            t0 = time.perf_counter()
            await client.get("/read")
            lat.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            await client.post("/write", content=b'{"sentiment":"positive"}')
            lat.append(time.perf_counter() - t0)
            done += 1

    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=60) as client:
        start = time.monotonic()
        await asyncio.gather(*(worker(client) for _ in range(clients)))
        elapsed = time.monotonic() - start
    return {"pairs": done, "seconds": elapsed, "rate": done / elapsed, "p99_ms": _pct(lat, 0.99)}


def annotate(url: str, project: str, tokens: list[str], seconds: float) -> dict[str, Any]:
    return asyncio.run(_annotators(url, project, tokens, seconds))


def pairs(url: str, clients: int, seconds: float) -> dict[str, Any]:
    return asyncio.run(_pairs(url, clients, seconds))
