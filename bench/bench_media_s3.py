"""Media on the folder backend and in an S3 bucket (moto's server on this machine, so the network is local).

Run:  python bench/bench_media_s3.py

For each store (folder; bucket with presigned redirects; bucket streamed through the app) prints: the import
of one 10-minute WAV (9.6 MB) through ``media_import``; a whole-file GET and a 64 KiB Range GET through the
app in-process (following the 307 to the bucket on a kept-open httpx connection), median of 20; waveform
peaks on first request (computed), on another server sharing the bucket (fresh local cache: the view is
read from the bucket, the original too, for its header), and again (warm).
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import soundfile
from _moto import start_moto
from rich.console import Console
from rich.table import Table
from starlette.testclient import TestClient

from labelwise.api.app import create_app
from labelwise.config import Settings
from labelwise.services import auth, media_import, media_views, projects
from labelwise.services.media import MediaStore
from labelwise.services.setup import prepare

SCHEMA = {"fields": {"audio": "audio"}, "labels": [
    {"name": "speech", "kind": "audio_ranges", "field": "audio", "options": ["a"]}]}


def _ms(fn: Any, n: int = 20) -> float:
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1000


BUCKET = httpx.Client()  # the browser's connection to the bucket, kept open


def _get(client: TestClient, url: str, headers: dict[str, str] | None = None) -> bytes:
    r = client.get(url, headers=headers, follow_redirects=False)
    if r.status_code == 307:
        r = BUCKET.get(r.headers["location"], headers=headers)
    assert r.status_code in (200, 206), r.status_code
    return r.content


def run(settings: Settings, wav: Path, row: list[str]) -> None:
    ctx = prepare(settings)
    try:
        user = auth.create_user(ctx, None, email="bench@example.org", is_admin=True)
        token = auth.create_token(ctx, None, email="bench@example.org")
        actor = auth.local_admin(ctx)
        assert actor.id == user["id"]
        projects.create_project(ctx, actor, name="bench", schema=SCHEMA)
        t0 = time.perf_counter()
        media_import.import_path(ctx, actor, "bench", wav)
        row.append(f"{time.perf_counter() - t0:.2f}")
        key = next(iter(ctx.media.root.glob("??/*.wav"))).relative_to(ctx.media.root).as_posix()
        client = TestClient(create_app(ctx=ctx), headers={"Authorization": f"Bearer {token}"})
        url = f"/api/v1/projects/bench/media/{key}"
        assert len(_get(client, url)) == wav.stat().st_size
        row.append(f"{_ms(lambda: _get(client, url)):.1f}")
        row.append(f"{_ms(lambda: _get(client, url, {'Range': 'bytes=1000000-1065535'})):.1f}")
        t0 = time.perf_counter()
        media_views.peaks(ctx.media, key, buckets=2000)
        row.append(f"{(time.perf_counter() - t0) * 1000:.0f}")
        if ctx.media.remote:  # another server: same bucket, empty local cache
            other = MediaStore.from_settings(settings.model_copy(update={"media_dir": settings.data_dir / "other"}))
            t0 = time.perf_counter()
            media_views.peaks(other, key, buckets=2000)
            row.append(f"{(time.perf_counter() - t0) * 1000:.0f}")
        else:
            row.append("-")
        row.append(f"{_ms(lambda: media_views.peaks(ctx.media, key, buckets=2000)):.1f}")
    finally:
        ctx.close()


def main() -> None:
    proc, endpoint = start_moto()
    os.environ.update({"AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench-secret"})
    table = Table(title="Media stores (moto S3 on localhost; ms are medians of 20)")
    for column in ("store", "import 9.6 MB WAV (s)", "GET whole (ms)", "GET 64 KiB range (ms)",
                   "peaks first (ms)", "peaks, other server (ms)", "peaks warm (ms)"):
        table.add_column(column, justify="right" if "(" in column else "left")
    try:
        with tempfile.TemporaryDirectory() as tmp:
            wav = Path(tmp) / "ten-minutes.wav"
            rate = 8000
            t = np.arange(rate * 600) / rate
            soundfile.write(wav, (0.5 * np.sin(2 * np.pi * 220 * t)).astype(np.float32), rate, subtype="PCM_16")
            import boto3

            s3 = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1")
            for name, extra in (("folder", {}), ("S3, presigned 307", {"s3_presign": True}),
                                ("S3, streamed by the app", {"s3_presign": False})):
                data_dir = Path(tmp) / uuid.uuid4().hex
                data_dir.mkdir()
                if extra:
                    bucket = f"bench-{uuid.uuid4().hex[:12]}"
                    s3.create_bucket(Bucket=bucket)
                    extra = {**extra, "media_url": f"s3://{bucket}/media", "s3_endpoint_url": endpoint,
                             "s3_region": "us-east-1"}
                row = [name]
                run(Settings(data_dir=data_dir, **extra), wav, row)
                table.add_row(*row)
    finally:
        proc.terminate()
        proc.wait()
    Console(width=150).print(table)


if __name__ == "__main__":
    main()
