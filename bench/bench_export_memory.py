"""Export memory on a real server: a 100,000-item and a 1,000,000-item project exported as JSONL by one
uvicorn worker, in turns, with the server's memory before and at its peak during each export.

Run:  python bench/bench_export_memory.py              (exports: 100k, 100k, 1M, 1M, 100k)
      python bench/bench_export_memory.py --small 20000 --big 200000   (a quicker run)

The issue asks for the same peak at both sizes. One server exports both projects in turns, so each
export is measured with the caches it shares with the others already warm: what the first export
adds (SQLite's page cache of the reading connection, up to its 16 MiB cap, Python's arenas) is paid once.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

import _server
from _people import people
from bench_core import SCHEMA, PeakRss, export_once, import_locally, jsonl, rows, seed_annotations
from rich.console import Console
from rich.table import Table

from labelwise.config import Settings
from labelwise.services.setup import prepare


def seed(settings: Settings, sizes: dict[str, int]) -> str:
    """Projects of ``sizes`` items, every item annotated; the admin's API token."""
    ctx = prepare(settings)
    actor, token, _ = people(ctx, SCHEMA, tuple(sizes))
    ctx.close()
    chunk = settings.data_dir.parent / "chunk.jsonl"
    start = 0
    for project_id, (name, n) in enumerate(sizes.items(), start=1):
        for first in range(0, n, 100_000):
            chunk.write_bytes(jsonl(rows(start + first, min(100_000, n - first))))
            import_locally(settings, actor, name, chunk)
        start += n
        seed_annotations(settings.database_url, project_id, actor.id)
    chunk.unlink()
    return token


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--small", type=int, default=100_000)
    parser.add_argument("--big", type=int, default=1_000_000)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="lw-bench-export-memory-"))
    try:
        settings = Settings(data_dir=work / "data")
        token = seed(settings, {"small": args.small, "big": args.big})
        proc, url = _server.start("labelwise.api.app:app_from_env", env={"LABELWISE_DATA_DIR": str(settings.data_dir)})
        table = Table(title="JSONL export memory, one uvicorn worker (SQLite)")
        for col in ("export", "items", "items/s", "server MB before", "peak MB during"):
            table.add_column(col)
        try:
            time.sleep(2)
            for i, name in enumerate(("small", "small", "big", "big", "small"), start=1):
                with PeakRss(proc.pid) as peak:
                    elapsed, n = export_once(url, token, name)
                table.add_row(str(i), f"{n:,}", f"{n / elapsed:,.0f}", f"{peak.base:.0f}", f"{peak.peak:.0f}")
        finally:
            _server.stop(proc)
        Console().print(table)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
