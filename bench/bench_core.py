"""Core platform benchmark: import, annotate, export over real HTTP, with the machine's ceiling.

Run:  python bench/bench_core.py            (SQLite, 1 worker; SQLite, 2 workers; PostgreSQL, 1 worker)
      python bench/bench_core.py --quick    (smaller sizes, for a smoke run)
      python bench/bench_core.py --only sqlite-1 --big   (adds the 1,000,000-item export)
      python bench/bench_core.py --keep     (keeps the data folders in /tmp/lw-bench-*; removed by default)

Prints one table per configuration and writes bench/out/core.json. Every labelwise figure is also
given as a share of a ceiling measured in the same run: a plain ``executemany`` of the same rows
for imports, and a bare ASGI endpoint doing one SQLite read and one write for annotation. The imports
run in ``--rounds`` rounds (3 by default; each a new project, over HTTP, then the ceiling, then the
file): the table gives the median rate, and the median of the rounds' shares with each round's.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import shutil
import sqlite3
import statistics
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import _load
import _server
import httpx
import orjson
from _people import people
from rich.console import Console
from rich.table import Table
from sqlalchemy import create_engine, insert, literal, select, text, update

from labelwise.config import Settings
from labelwise.services.setup import prepare
from labelwise.store.tables import annotations, items

PG_ADMIN = os.environ.get("BENCH_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
SCHEMA = {"fields": {"text": "text"},
          "labels": [{"name": "sentiment", "kind": "choice", "options": ["positive", "negative", "neutral"]}]}
console = Console()


def rows(start: int, n: int) -> list[dict[str, Any]]:
    return [{"key": f"k{i}", "text": f"Comment number {i}: this product is great, would buy again."}
            for i in range(start, start + n)]


def jsonl(batch: list[dict[str, Any]]) -> bytes:
    return b"".join(orjson.dumps(r) + b"\n" for r in batch)


def fresh_pg(name: str) -> str:
    """The URL of a new, empty PostgreSQL database ``name`` (dropped first if a run left it)."""
    _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', f'CREATE DATABASE "{name}"')
    return PG_ADMIN.rsplit("/", 1)[0] + "/" + name


def drop_pg(url: str) -> None:
    """Drop the database :func:`fresh_pg` made, so that benchmarks leave none behind."""
    _pg_admin(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)')


def _pg_admin(*statements: str) -> None:
    engine = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        for statement in statements:
            conn.execute(text(statement))
    engine.dispose()


def ceiling_executemany(batch: list[dict[str, Any]]) -> float:
    """Rows per second for a plain sqlite3 executemany of the same rows (key + JSON payload)."""
    with tempfile.TemporaryDirectory() as d:
        conn = sqlite3.connect(Path(d) / "c.db", isolation_level=None)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, key TEXT, data TEXT)")
        t0 = time.perf_counter()
        for start in range(0, len(batch), 10_000):
            conn.execute("BEGIN")
            conn.executemany("INSERT INTO t (key, data) VALUES (?, ?)",
                             [(r["key"], orjson.dumps(r).decode()) for r in batch[start:start + 10_000]])
            conn.execute("COMMIT")
        elapsed = time.perf_counter() - t0
        conn.close()
    return len(batch) / elapsed


def seed_annotations(url: str, project_id: int, user_id: int) -> None:
    """Mark every item of a project annotated, straight in the database (export needs annotated items)."""
    engine = create_engine(url)
    with engine.begin() as conn:
        now = conn.execute(select(literal("2026-01-01 00:00:00"))).scalar()
        src = select(
            items.c.project_id, items.c.id, literal(user_id), literal("submitted"),
            literal('{"sentiment": "positive"}'), literal(1), literal(2.5), literal(now), literal(now), literal(now),
        ).where(items.c.project_id == project_id, items.c.n_submitted == 0)
        if engine.dialect.name == "postgresql":
            conn.execute(text(
                "INSERT INTO annotations (project_id, item_id, user_id, status, result, schema_version, lead_time,"
                " created_at, updated_at, submitted_at) SELECT project_id, id, :u, 'submitted',"
                " '{\"sentiment\": \"positive\"}'::json, 1, 2.5, now(), now(), now() FROM items"
                " WHERE project_id = :p AND n_submitted = 0"), {"u": user_id, "p": project_id})
        else:
            conn.execute(insert(annotations).from_select(
                ["project_id", "item_id", "user_id", "status", "result", "schema_version", "lead_time",
                 "created_at", "updated_at", "submitted_at"], src))
        conn.execute(update(items).where(items.c.project_id == project_id)
                     .values(n_submitted=1, state="annotated", is_open=False))
    engine.dispose()


class PeakRss:
    """Samples a process tree's memory in the background; ``peak`` is the largest sample, ``base`` the
    first (what the server held before: imports and annotation ran in it first)."""

    def __init__(self, pid: int) -> None:
        self.pid, self.base, self.peak, self._stop = pid, 0.0, 0.0, threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, _server.tree_rss_mb(self.pid))
            time.sleep(0.05)

    def __enter__(self) -> PeakRss:
        self.base = self.peak = _server.tree_rss_mb(self.pid)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def export_once(url: str, token: str, project: str) -> tuple[float, int]:
    t0 = time.perf_counter()
    n = 0
    with httpx.stream("GET", f"{url}/api/v1/projects/{project}/export?format=jsonl",
                      headers={"Authorization": f"Bearer {token}"}, timeout=None) as r:
        r.raise_for_status()
        for chunk in r.iter_raw(1 << 20):  # as a client saving the file would: no per-line work
            n += chunk.count(b"\n")
    return time.perf_counter() - t0, n


def browse_timings(url: str, token: str, project: str) -> dict[str, float]:
    """Milliseconds (best of 3) for listing and counting calls on a large project."""
    calls = {
        "count by state": "/items/count",
        "first page of 50": "/items?limit=50",
        "page after item 900,000": "/items?limit=50&after=900000",
        "filtered by state, page of 50": "/items?limit=50&state=annotated",
        "filtered count (state)": "/items/count?state=annotated",
        "text search (1 match), page of 50": "/items?limit=50&text=number%20999999",
        "text search (1 match), count": "/items/count?text=number%20999999",
        "text search (11 matches), page of 50": "/items?limit=50&text=number%2099999",
        "text search (every item), page of 50": "/items?limit=50&text=great",
    }
    out = {}
    with httpx.Client(base_url=f"{url}/api/v1/projects/{project}", timeout=None,
                      headers={"Authorization": f"Bearer {token}"}) as client:
        for name, path in calls.items():
            best = float("inf")
            for _ in range(3):
                t0 = time.perf_counter()
                client.get(path).raise_for_status()
                best = min(best, time.perf_counter() - t0)
            out[name] = best * 1000
    return out


def import_locally(settings: Settings, actor: Any, project: str, path: Path) -> float:
    """Items/s of ``labelwise import PROJECT FILE`` on the data folder, from the import's start: the command
    opens the job queue first (0.2 s in a fresh process), as a server does at startup."""
    from labelwise.services.imports import import_stream, prepare_index_queue

    ctx = prepare(settings, migrate=False)
    prepare_index_queue(ctx)
    t0 = time.perf_counter()
    with path.open("rb") as f:
        report = import_stream(ctx, actor, project, f, "jsonl", source=path.name)
    elapsed = time.perf_counter() - t0
    ctx.close()
    return report.created / elapsed


def drain_index(settings: Settings) -> tuple[float, int]:
    """Run the text index's catch-up (the job an import queues; SQLite) here: seconds, ids indexed."""
    from labelwise.services.jobs import drain_search_index

    ctx = prepare(settings, migrate=False)
    t0 = time.perf_counter()
    n = drain_search_index(ctx)
    elapsed = time.perf_counter() - t0
    ctx.close()
    return elapsed, n


def _medians(out: dict[str, Any]) -> None:
    """Each import's median rate, and its median share of the ceiling measured in the same round: the
    machine's speed drifts between rounds, and a ratio is only fair between figures taken together."""
    ceilings = out["executemany_rates"]
    out["executemany_rate"] = statistics.median(ceilings)
    for name in ("import", "cli_import"):
        rates = out[f"{name}_rates"]
        out[f"{name}_rate"] = statistics.median(rates)
        out[f"{name}_shares"] = [rate / ceiling for rate, ceiling in zip(rates, ceilings, strict=True)]
        out[f"{name}_share"] = statistics.median(out[f"{name}_shares"])


def run(config: str, *, n_import: int, seconds: float, big: bool, pool: Any, rounds: int = 3, keep: bool = False
        ) -> dict[str, Any]:
    work = Path(tempfile.mkdtemp(prefix=f"lw-bench-{config}-"))
    kind, workers = config.split("-")
    db = fresh_pg(f"lw_bench_{kind}_{workers}") if kind == "postgres" else None
    try:
        return _run(config, work, db, n_import=n_import, seconds=seconds, big=big, pool=pool, rounds=rounds)
    finally:
        if keep:
            console.print(f"data kept in {work}" + (f" and {db}" if db else ""))
        else:
            shutil.rmtree(work, ignore_errors=True)
            if db:
                drop_pg(db)


def _run(config: str, work: Path, db: str | None, *, n_import: int, seconds: float, big: bool, pool: Any,
         rounds: int) -> dict[str, Any]:
    workers = config.split("-")[1]
    settings = Settings(data_dir=work / "data", db=db)
    ctx = prepare(settings)
    more = [f"{name}-{n}" for n in range(2, rounds + 1) for name in ("imports", "cli")]
    actor, token, tokens = people(ctx, SCHEMA, ("imports", "annotate", "cli", *more), annotate="annotate")
    ctx.close()
    serve, _ = _server.start_serve(["--data-dir", str(settings.data_dir), *(["--db", db] if db else []),
                                    "--workers", workers])
    time.sleep(3)
    rss_serve = _server.tree_rss_mb(serve.pid)
    _server.stop(serve)
    env = {"LABELWISE_DATA_DIR": str(settings.data_dir)}
    if db:
        env["LABELWISE_DB"] = db
    proc, url = _server.start("labelwise.api.app:app_from_env", env=env, workers=int(workers))
    out: dict[str, Any] = {"config": config, "rss_serve_mb": rss_serve, "import_rates": [], "executemany_rates": [],
                           "cli_import_rates": []}
    try:
        time.sleep(3)
        out["rss_rest_mb"] = _server.tree_rss_mb(proc.pid)
        data = rows(0, n_import)
        chunk = max(n_import // 10, 1)
        bodies = [jsonl(data[i:i + chunk]) for i in range(0, n_import, chunk)]
        path = work / "items.jsonl"
        path.write_bytes(b"".join(bodies))
        with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=None) as client:
            for n in range(1, rounds + 1):  # the imports and their ceiling, alternated
                suffix = "" if n == 1 else f"-{n}"
                t0 = time.perf_counter()
                for body in bodies:
                    r = client.post(f"/api/v1/projects/imports{suffix}/import?format=jsonl", content=body)
                    assert r.status_code == 201, r.text
                out["import_rates"].append(n_import / (time.perf_counter() - t0))
                if n == 1:
                    for body in bodies:  # the annotation project gets the same items
                        client.post("/api/v1/projects/annotate/import?format=jsonl", content=body).raise_for_status()
                    # the server runs no job worker here: the text index's catch-up of both imports, on its own
                    elapsed, done = drain_index(settings)
                    out["drain_rate"] = done / elapsed if done else None
                out["executemany_rates"].append(ceiling_executemany(data))
                out["cli_import_rates"].append(import_locally(settings, actor, f"cli{suffix}", path))
        _medians(out)
        result = pool.apply(_load.annotate, (url, "annotate", tokens, seconds))
        out.update({f"annotate_{k}": v for k, v in result.items()})
        seed_annotations(settings.database_url, 1, actor.id)
        with PeakRss(proc.pid) as peak:
            elapsed, n = export_once(url, token, "imports")
        out.update(export_rate=n / elapsed, export_items=n, export_peak_mb=peak.peak, export_base_mb=peak.base)
        if big:
            more = work / "more.jsonl"
            with more.open("wb") as f:
                for start in range(n_import, 1_000_000, 100_000):
                    f.write(jsonl(rows(start, min(100_000, 1_000_000 - start))))
            import_locally(settings, actor, "imports", more)
            elapsed, n = drain_index(settings)
            out["big_drain_rate"] = n / elapsed if n else None
            seed_annotations(settings.database_url, 1, actor.id)
            with PeakRss(proc.pid) as peak:
                elapsed, n = export_once(url, token, "imports")
            out.update(big_export_rate=n / elapsed, big_export_items=n, big_export_peak_mb=peak.peak,
                       big_export_base_mb=peak.base)
            out["browse_ms"] = browse_timings(url, token, "imports")
    finally:
        _server.stop(proc)
    ceiling_env = {"CEILING_DB": str(work / "ceiling.db")}
    cproc, curl = _server.start("ceiling_app:app", env=ceiling_env, workers=int(workers), factory=False)
    try:
        out["ceiling"] = pool.apply(_load.pairs, (curl, 32, min(seconds, 10.0)))
    finally:
        _server.stop(cproc)
    return out


def _shares(r: dict[str, Any], name: str) -> str:
    """The median share, and each round's."""
    return f"{r[name + '_share']:.0%} ({', '.join(f'{x:.0%}' for x in r[name + '_shares'])})"


def report(r: dict[str, Any]) -> Table:
    t = Table(title=f"labelwise core — {r['config']}")
    for col in ("measure", "labelwise", "ceiling / target", "share of ceiling"):
        t.add_column(col)
    c = r["ceiling"]["rate"]
    t.add_row("import over HTTP, items/s (median of rounds)", f"{r['import_rate']:,.0f}",
              f"executemany {r['executemany_rate']:,.0f}", _shares(r, "import"))
    if r.get("drain_rate"):
        t.add_row("  then the text index's catch-up (drain job), items/s", f"{r['drain_rate']:,.0f}", "", "")
    t.add_row("import JSONL file (local, CLI path), items/s", f"{r['cli_import_rate']:,.0f}",
              f"executemany {r['executemany_rate']:,.0f}", _shares(r, "cli_import"))
    t.add_row("next+submit, 32 annotators, annotations/s", f"{r['annotate_rate']:,.0f}", f"bare pair {c:,.0f}/s",
              f"{r['annotate_rate'] / c:.0%}")
    t.add_row("  next p50 / p99 ms", f"{r['annotate_next_p50_ms']:.1f} / {r['annotate_next_p99_ms']:.1f}",
              f"bare p99 {r['ceiling']['p99_ms']:.1f}", "")
    t.add_row("  submit p50 / p99 ms", f"{r['annotate_submit_p50_ms']:.1f} / {r['annotate_submit_p99_ms']:.1f}", "", "")
    t.add_row("  errors / handed to two", f"{r['annotate_errors']} / {r['annotate_double_handed']}", "0 / 0", "")
    t.add_row(f"export {r['export_items']:,} items JSONL, items/s", f"{r['export_rate']:,.0f}", "100,000", "")
    t.add_row("  server memory before / peak during export, MB",
              f"{r['export_base_mb']:.0f} / {r['export_peak_mb']:.0f}", "", "")
    if "big_export_rate" in r:
        t.add_row(f"export {r['big_export_items']:,} items JSONL, items/s", f"{r['big_export_rate']:,.0f}", "", "")
        t.add_row("  server memory before / peak during export, MB",
                  f"{r['big_export_base_mb']:.0f} / {r['big_export_peak_mb']:.0f}", "peak same as 100k", "")
        if r.get("big_drain_rate"):
            t.add_row("  text index catch-up of 900,000 items, items/s", f"{r['big_drain_rate']:,.0f}", "", "")
    for name, ms in r.get("browse_ms", {}).items():
        t.add_row(f"1,000,000 items: {name}, ms", f"{ms:.1f}", "", "")
    t.add_row("server memory at rest, MB", f"{r['rss_rest_mb']:.0f}", "< 120", "")
    t.add_row("  labelwise serve at rest (with its job thread), MB", f"{r['rss_serve_mb']:.0f}", "< 120", "")
    return t


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--big", action="store_true", help="also export 1,000,000 items (sqlite-1 only)")
    parser.add_argument("--only", action="append", help="sqlite-1, sqlite-2, postgres-1, postgres-2")
    parser.add_argument("--keep", action="store_true", help="keep the data folders (/tmp/lw-bench-*)")
    parser.add_argument("--rounds", type=int, default=3, help="import rounds, each with its own ceiling (default 3)")
    args = parser.parse_args()
    configs = args.only or ["sqlite-1", "sqlite-2", "postgres-1"]
    n_import, seconds = (20_000, 8.0) if args.quick else (100_000, 30.0)
    results = []
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        for config in configs:
            r = run(config, n_import=n_import, seconds=seconds, big=args.big and config == "sqlite-1", pool=pool,
                    rounds=args.rounds, keep=args.keep)
            results.append(r)
            console.print(report(r))
    out = Path(__file__).parent / "out"
    out.mkdir(exist_ok=True)
    (out / "core.json").write_text(json.dumps(results, indent=1, default=str))


if __name__ == "__main__":
    main()
