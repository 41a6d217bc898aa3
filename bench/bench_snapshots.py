"""Snapshots on the folder backend and in an S3 bucket (moto's server on this machine, so the network is local).

Run:  python bench/bench_snapshots.py [items]

A text project of ``items`` items (default 50,000, ~260 bytes of JSON Lines each) on SQLite. For each store:
making a snapshot (the gzip written, hashed and stored: for the bucket, uploaded), then on a second server
(for the bucket: its own empty local cache) the JSON Lines and CSV exports of it, streamed from the store, and
the diff of two snapshots; wall-clock seconds with the process's CPU seconds beside them (the machine is shared).
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
from _moto import start_moto
from rich.console import Console
from rich.table import Table

from labelwise.config import Settings
from labelwise.services import auth, projects, snapshot_diff, snapshots
from labelwise.services.context import Context
from labelwise.services.imports import import_records
from labelwise.services.setup import prepare

SCHEMA = {"fields": {"text": "text"}, "labels": [
    {"name": "sentiment", "kind": "choice", "options": ["positive", "negative", "neutral"]}]}


def _timed(fn: Callable[[], Any]) -> tuple[Any, str]:
    wall, cpu = time.perf_counter(), time.process_time()
    out = fn()
    return out, f"{time.perf_counter() - wall:.2f} ({time.process_time() - cpu:.2f})"


def run(settings: Settings, items: int, row: list[str]) -> None:
    ctx = prepare(settings)
    # the second server: for the bucket, its own (empty) local cache; for the folder, the same folder
    cache = {"media_dir": settings.data_dir / "server-two"} if settings.media_url else {}
    other = Context.from_settings(settings.model_copy(update=cache))
    try:
        auth.create_user(ctx, None, email="bench@example.org", is_admin=True)
        actor = auth.local_admin(ctx)
        projects.create_project(ctx, actor, name="bench", schema=SCHEMA)
        words = "the quick brown fox jumps over the lazy dog while labelers annotate sentences of modest size"
        import_records(ctx, actor, "bench", ({"key": f"k{i}", "text": f"{i} {words} {words[: i % 80]}"}
                                             for i in range(items)))
        first, spent = _timed(lambda: snapshots.create_snapshot(ctx, actor, "bench", name="v1"))
        row += [f"{first['size'] / 1e6:.1f}", spent]
        import_records(ctx, actor, "bench", ({"key": f"n{i}", "text": f"new {i}"} for i in range(items // 100)))
        second = snapshots.create_snapshot(ctx, actor, "bench", name="v2")
        for fmt in ("jsonl", "csv"):
            out, spent = _timed(lambda f=fmt: b"".join(  # type: ignore[misc]
                snapshots.export_snapshot(other, actor, "bench", first["id"], f).chunks))
            if fmt == "jsonl":
                assert len(out) == first["size"] and orjson.loads(out.split(b"\n", 1)[0])["key"] == "k0"
            row.append(spent)
        diff, spent = _timed(lambda: snapshot_diff.diff_snapshots(other, actor, "bench", first["id"], second["id"]))
        assert diff["counts"]["added"] == items // 100
        row.append(spent)
    finally:
        other.close()
        ctx.close()


def main() -> None:
    items = int(sys.argv[1]) if len(sys.argv) > 1 else 50_000
    proc, endpoint = start_moto()
    os.environ.update({"AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench-secret"})
    table = Table(title=f"Snapshots of {items:,} text items (moto S3 on localhost; seconds, CPU seconds in brackets)")
    for column in ("store", "JSON Lines (MB)", "make", "export JSONL, other server", "export CSV, other server",
                   "diff, other server"):
        table.add_column(column, justify="left" if column == "store" else "right")
    try:
        with tempfile.TemporaryDirectory() as tmp:
            import boto3

            s3 = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1")
            for name in ("folder", "S3"):
                data_dir = Path(tmp) / uuid.uuid4().hex
                data_dir.mkdir()
                extra: dict[str, Any] = {}
                if name == "S3":
                    bucket = f"bench-{uuid.uuid4().hex[:12]}"
                    s3.create_bucket(Bucket=bucket)
                    extra = {"media_url": f"s3://{bucket}/media", "s3_endpoint_url": endpoint,
                             "s3_region": "us-east-1"}
                row = [name]
                run(Settings(data_dir=data_dir, **extra), items, row)
                table.add_row(*row)
    finally:
        proc.terminate()
        proc.wait()
    Console(width=150).print(table)


if __name__ == "__main__":
    main()
