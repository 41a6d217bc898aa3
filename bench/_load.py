"""Load generators, run in their own process so that they do not share the server's interpreter."""

from __future__ import annotations

import asyncio
import json
import time
from collections import defaultdict
from typing import Any

import aiohttp


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
    async def annotator(i: int, token: str, client: aiohttp.ClientSession) -> None:
        nonlocal done
        headers = {"Authorization": f"Bearer {token}"}
        while time.monotonic() < deadline:
            t0 = time.perf_counter()
            async with client.post(f"/api/v1/projects/{project}/tasks/next", headers=headers) as r:
                status, body = r.status, await r.read()
            next_lat.append(time.perf_counter() - t0)
            if status == 204:
                return
            if status != 200:
                errors.append(f"next {status} {body[:200]!r}")
                continue
            task = json.loads(body)
            handed[task["id"]].add(i)
            t0 = time.perf_counter()
            async with client.post(f"/api/v1/projects/{project}/tasks/{task['id']}/submit", headers=headers,
                                   json={"result": {"sentiment": "positive"}, "lead_time": 1.0}) as r:
                status, body = r.status, await r.read()
            submit_lat.append(time.perf_counter() - t0)
            if status != 201:
                errors.append(f"submit {status} {body[:200]!r}")
                continue
            done += 1

    connector = aiohttp.TCPConnector(limit=len(tokens) + 4)
    async with aiohttp.ClientSession(url, connector=connector, timeout=aiohttp.ClientTimeout(total=60)) as client:
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
    async def worker(client: aiohttp.ClientSession) -> None:
        nonlocal done
        while time.monotonic() < deadline:
            t0 = time.perf_counter()
            async with client.get("/read") as r:
                await r.read()
            lat.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            async with client.post("/write", data=b'{"sentiment":"positive"}') as r:
                await r.read()
            lat.append(time.perf_counter() - t0)
            done += 1

    connector = aiohttp.TCPConnector(limit=clients + 4)
    async with aiohttp.ClientSession(url, connector=connector, timeout=aiohttp.ClientTimeout(total=60)) as client:
        start = time.monotonic()
        await asyncio.gather(*(worker(client) for _ in range(clients)))
        elapsed = time.monotonic() - start
    return {"pairs": done, "seconds": elapsed, "rate": done / elapsed, "p99_ms": _pct(lat, 0.99)}


def annotate(url: str, project: str, tokens: list[str], seconds: float) -> dict[str, Any]:
    return asyncio.run(_annotators(url, project, tokens, seconds))


def pairs(url: str, clients: int, seconds: float) -> dict[str, Any]:
    return asyncio.run(_pairs(url, clients, seconds))
