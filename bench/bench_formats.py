"""Dataset export formats at scale: time and peak memory of JSONL, Parquet, CoNLL and COCO exports.

Data is written straight into a fresh SQLite database in bulk (driver executemany, as
``bench_core.seed_annotations`` does), never through HTTP; each export then runs in-process through
``services.exports.export`` and its bytes are consumed (counted, not kept). Memory is the peak RSS above
the RSS before the export, sampled every 20 ms from /proc/self/statm, after a warm-up export of each
format (one-off costs of a process's first export are printed separately). "CPU s" is this process's
CPU time: on a shared machine it shows how much of the wall time was waiting for a core, and "items/CPU s"
the rate the export would reach with a core to itself.

    python bench/bench_formats.py --sizes 100000,1000000 --coco-images 100000 --boxes 10
    python bench/bench_formats.py --sizes 0 --coco-images 100000 --boxes 10 --coco-general --repeat 5  # COCO

COCO and CoNLL exports of a live project take the fast path (items as stored, ``exports.iter_stored``);
``--coco-general`` and ``--conll-general`` also time the general path over records
(``iter_records(lean=True)``, what snapshots and the other label formats use) on the same project, and
check both give the same bytes.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import orjson
from rich.console import Console
from rich.table import Table

from labelwise.config import Settings
from labelwise.services import auth, exports, projects
from labelwise.services.context import Context
from labelwise.services.setup import prepare

TEXT_SCHEMA = {"fields": {"text": "text"}, "labels": [
    {"name": "sentiment", "kind": "choice", "options": ["positive", "negative"], "required": True},
    {"name": "entities", "kind": "spans", "field": "text", "options": ["PER", "ORG", "LOC"]}]}
IMAGE_SCHEMA = {"fields": {"image": "image"}, "labels": [
    {"name": "boxes", "kind": "bbox", "field": "image", "options": ["cat", "dog"]}]}
BATCH = 20_000
PAGE = os.sysconf("SC_PAGE_SIZE")

try:
    from labelwise.services.collector import paused as _paused
except ImportError:  # a revision before services/collector.py (bench_export_ab runs older code with this file)
    _paused = exports.gc_paused  # type: ignore[attr-defined]


def rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * PAGE / 2**20


class Peak:
    def __init__(self) -> None:
        self.base = self.peak = rss_mb()
        self._stop = threading.Event()
        self._t = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(0.02):
            self.peak = max(self.peak, rss_mb())

    def __enter__(self) -> Peak:
        self._t.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._t.join()


def seed(ctx: Context, project_id: int, user_id: int, n: int, make: Any) -> None:
    """``n`` annotated items: items, payloads and one submitted annotation each, in bulk."""
    stamp = "2026-01-01 00:00:00.000000"
    with ctx.db.engine.begin() as conn:
        start = (conn.exec_driver_sql("SELECT max(id) FROM items").scalar() or 0) + 1
        for lo in range(0, n, BATCH):
            ids = range(start + lo, start + min(n, lo + BATCH))
            rows = [make(i - start) for i in ids]
            conn.exec_driver_sql(
                "INSERT INTO items (id, project_id, key, state, is_open, sort_key, n_submitted, created_at, "
                "updated_at) VALUES (?, ?, ?, 'annotated', 0, 0, 1, ?, ?)",
                [(i, project_id, f"k{i}", stamp, stamp) for i in ids])
            conn.exec_driver_sql("INSERT INTO item_payloads (item_id, data, meta) VALUES (?, ?, ?)",
                                 [(i, orjson.dumps(d).decode(), orjson.dumps(m).decode())
                                  for i, (d, m, _) in zip(ids, rows, strict=True)])
            conn.exec_driver_sql(
                "INSERT INTO annotations (project_id, item_id, user_id, status, result, schema_version, lead_time, "
                "created_at, updated_at, submitted_at) VALUES (?, ?, ?, 'submitted', ?, 1, 2.5, ?, ?, ?)",
                [(project_id, i, user_id, orjson.dumps(r).decode(), stamp, stamp, stamp)
                 for i, (_, _, r) in zip(ids, rows, strict=True)])


def text_item(i: int) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    text = f"Ada Lovelace wrote to Charles Babbage from London about item {i}"
    return ({"text": text}, {}, {"sentiment": "positive" if i % 3 else "negative",
                                 "entities": [{"start": 0, "end": 12, "label": "PER"},
                                              {"start": 22, "end": 37, "label": "PER"},
                                              {"start": 43, "end": 49, "label": "LOC"}]})


def image_item(boxes: int) -> Any:
    def make(i: int) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
        return ({"image": f"http://images/{i}.jpg"}, {"media": {"image": {"width": 640, "height": 480}}},
                {"boxes": [{"x": 10 + j, "y": 20 + j, "width": 30.5, "height": 40, "label": "cat" if j % 2 else "dog"}
                           for j in range(boxes)]})
    return make


def measure(ctx: Context, actor: Any, project: str, fmt: str, options: dict[str, Any] | None = None
            ) -> tuple[float, float, float, int]:
    """Wall seconds, CPU seconds of this process, peak RSS above the start (MB) and output bytes."""
    start, cpu = time.perf_counter(), time.process_time()
    size = 0
    with Peak() as peak:
        out = exports.export(ctx, actor, project, fmt, options=options or {})
        for chunk in out.chunks:
            size += len(chunk)
    return time.perf_counter() - start, time.process_time() - cpu, peak.peak - peak.base, size


def measure_general(ctx: Context, actor: Any, project: str, fmt: str = "coco",
                    ) -> tuple[float, float, float, int, bytes]:
    """:func:`measure` for the general path of ``fmt`` (pages of lean records), with a digest of its bytes."""
    from hashlib import sha256

    from labelwise.domain.permissions import Action
    from labelwise.formats import registry
    from labelwise.services.access import open_project
    from labelwise.store.items import ItemFilter

    with ctx.db.read() as conn:
        access = open_project(ctx, conn, actor, project, Action.manage)
    start, cpu = time.perf_counter(), time.process_time()
    size, digest = 0, sha256()
    with Peak() as peak:
        pages = exports.iter_records(ctx, access, ItemFilter(), lean=True)
        for chunk in _paused(registry.export(fmt, pages, access.schema)):
            size += len(chunk)
            digest.update(chunk)
    return time.perf_counter() - start, time.process_time() - cpu, peak.peak - peak.base, size, digest.digest()


def export_digest(ctx: Context, actor: Any, project: str, fmt: str = "coco") -> bytes:
    from hashlib import sha256

    digest = sha256()
    for chunk in exports.export(ctx, actor, project, fmt).chunks:
        digest.update(chunk)
    return digest.digest()


def warm_up(ctx: Context, actor: Any, user_id: int) -> float:
    """Export a 2,000-item project in every format once, so that one-off costs of the first export in a
    process (SQLite's page cache, up to 64 MB per connection; Arrow's first-use initialisation; the
    tokenizer's regex) are not counted against the measured sizes. Returns the RSS it added (MB)."""
    before = rss_mb()
    for name, schema, make in (("warm-text", TEXT_SCHEMA, text_item), ("warm-images", IMAGE_SCHEMA, image_item(2))):
        p = projects.create_project(ctx, actor, name=name, schema=schema)
        seed(ctx, p["id"], user_id, 2000, make)
        for fmt in ("jsonl", "parquet", "conll") if name == "warm-text" else ("coco",):
            measure(ctx, actor, name, fmt)
    return rss_mb() - before


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="100000,1000000")
    ap.add_argument("--coco-images", type=int, default=100_000)
    ap.add_argument("--boxes", type=int, default=10)
    ap.add_argument("--coco-general", action="store_true", help="also time COCO's general path (records)")
    ap.add_argument("--conll-general", action="store_true", help="also time CoNLL's general path (records)")
    ap.add_argument("--repeat", type=int, default=1, help="COCO runs (alternating paths), the best one kept")
    args = ap.parse_args()
    load_before = os.getloadavg()
    results: list[tuple[str, int, float, float, float, int]] = []
    with tempfile.TemporaryDirectory() as tmp:
        ctx = prepare(Settings(data_dir=Path(tmp)))
        user = auth.create_user(ctx, None, email="bench@example.org", password="correct horse", is_admin=True)
        actor = auth.local_admin(ctx)
        warm = warm_up(ctx, actor, user["id"])
        for n in [int(x) for x in args.sizes.split(",") if x and int(x)]:
            name = f"text-{n}"
            p = projects.create_project(ctx, actor, name=name, schema=TEXT_SCHEMA)
            seed(ctx, p["id"], user["id"], n, text_item)
            for fmt in ("jsonl", "parquet", "conll"):
                secs, cpu, mem, size = measure(ctx, actor, name, fmt)
                results.append((fmt, n, secs, cpu, mem, size))
            if args.conll_general:
                *run, digest = measure_general(ctx, actor, name, "conll")
                results.append(("conll, general path", n, *run))  # type: ignore[arg-type]
                same = digest == export_digest(ctx, actor, name, "conll")
                print(f"conll {n:,}: the fast and the general path give {'the same' if same else 'DIFFERENT'} bytes")
        if args.coco_images:
            p = projects.create_project(ctx, actor, name="images", schema=IMAGE_SCHEMA)
            seed(ctx, p["id"], user["id"], args.coco_images, image_item(args.boxes))
            fast: list[tuple[float, float, float, int]] = []
            general: list[tuple[float, float, float, int]] = []
            for _ in range(args.repeat):  # the two paths alternate; the run with the least CPU time is kept
                fast.append(measure(ctx, actor, "images", "coco"))
                if args.coco_general:
                    *run, digest = measure_general(ctx, actor, "images")
                    general.append(tuple(run))  # type: ignore[arg-type]
            name = f"coco ({args.boxes * args.coco_images:,} boxes)"
            results.append((name, args.coco_images, *min(fast, key=lambda r: r[1])))
            if general:
                results.append(("coco, general path", args.coco_images, *min(general, key=lambda r: r[1])))
                same = digest == export_digest(ctx, actor, "images")
                print(f"coco: the fast and the general path give {'the same' if same else 'DIFFERENT'} bytes")
        ctx.close()
    table = Table(title="labelwise exports (SQLite, in-process)")
    for col in ("format", "items", "seconds", "CPU s", "items/s", "x Label Studio", "items/CPU s", "x LS (CPU)",
                "peak RSS +MB", "output MB"):
        table.add_column(col, justify="right")
    for fmt, n, secs, cpu, mem, size in results:
        table.add_row(fmt, f"{n:,}", f"{secs:.1f}", f"{cpu:.1f}", f"{n / secs:,.0f}", f"{n / secs / 630:,.0f}x",
                      f"{n / cpu:,.0f}", f"{n / cpu / 630:,.0f}x", f"{mem:.0f}", f"{size / 2**20:,.0f}")
    console = Console(width=140)
    console.print(table)
    console.print(f"warm-up (first export of each format in this process, 2,000 items) added {warm:.0f} MB RSS")
    console.print("load average (1, 5, 15 min) before: {:.2f} {:.2f} {:.2f}, after: {:.2f} {:.2f} {:.2f}".format(
        *load_before, *os.getloadavg()))


if __name__ == "__main__":
    main()
