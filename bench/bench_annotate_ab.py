"""Annotation speed A/B across git revisions: next + submit by 32 annotators over HTTP against one uvicorn
worker (no job threads), each run followed by the bare endpoint pair (bench/ceiling_app.py) on the same
uvicorn, so every rate comes with its share of the same moment's ceiling. Revisions alternate round by
round (the machine is shared: read the medians and the shares). The server's CPU time per annotation
(user + system, from /proc) is the steadiest figure when other work shares the machine.

Run:  python bench/bench_annotate_ab.py --rev 3cb65e5 --rev HEAD --rounds 4
      python bench/bench_annotate_ab.py --rev 3cb65e5 --rev HEAD --pg      (PostgreSQL; BENCH_PG as in bench_core)

Each revision's ``src`` and ``bench`` are extracted with ``git archive`` into a temporary folder and run
there (its own server and load generator); nothing is installed.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_import_ab import cpu_seconds, extract

ROOT = Path(__file__).resolve().parents[1]


def child(tree: Path, n: int, seconds: float, pg: bool) -> None:
    """One annotation run with the code of ``tree``, then the ceiling; prints a JSON line."""
    sys.path[:0] = [str(tree / "src"), str(tree / "bench")]  # before this script's own folder
    import _load
    import _server
    from _people import people
    from bench_core import SCHEMA, fresh_pg, jsonl, rows

    from labelwise.config import Settings
    from labelwise.services.imports import import_stream
    from labelwise.services.setup import prepare

    work = Path(tempfile.mkdtemp(prefix="lw-bench-annotate-ab-"))
    try:
        db = fresh_pg("lw_bench_annotate_ab") if pg else None
        settings = Settings(data_dir=work / "data", db=db)
        ctx = prepare(settings)
        actor, _, tokens = people(ctx, SCHEMA, ("annotate",), annotate="annotate")
        path = work / "items.jsonl"
        path.write_bytes(jsonl(rows(0, n)))
        with path.open("rb") as f:
            import_stream(ctx, actor, "annotate", f, "jsonl", source=path.name)
        ctx.close()
        env = {"LABELWISE_DATA_DIR": str(settings.data_dir), "LABELWISE_JOB_WORKERS": "0",
               **({"LABELWISE_DB": db} if db else {})}
        proc, url = _server.start("labelwise.api.app:app_from_env", env=env)
        try:
            time.sleep(2)
            cpu = cpu_seconds(proc.pid)
            out = _load.annotate(url, "annotate", tokens, seconds)
            out["server_cpu_ms"] = (cpu_seconds(proc.pid) - cpu) / max(out["annotations"], 1) * 1000
        finally:
            _server.stop(proc)
        cproc, curl = _server.start("ceiling_app:app", env={"CEILING_DB": str(work / "ceiling.db")}, factory=False)
        try:
            out["ceiling"] = _load.pairs(curl, 32, min(seconds, 10.0))["rate"]
        finally:
            _server.stop(cproc)
        print(json.dumps(out), flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rev", action="append", required=True, help="a git revision (repeat to compare)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--items", type=int, default=40_000)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--pg", action="store_true", help="PostgreSQL instead of SQLite")
    args = parser.parse_args()
    results: dict[str, list[dict]] = {rev: [] for rev in args.rev}
    with tempfile.TemporaryDirectory(prefix="lw-bench-annotate-ab-trees-") as tmp:
        trees = {rev: extract(rev, Path(tmp) / f"t{i}") for i, rev in enumerate(args.rev)}
        for round_ in range(args.rounds):
            for rev, tree in trees.items():
                env = {**os.environ, "PYTHONPATH": f"{tree / 'src'}{os.pathsep}{tree / 'bench'}"}
                cmd = [sys.executable, str(Path(__file__).resolve()), "--child", str(tree), str(args.items),
                       str(args.seconds)] + (["--child-pg"] if args.pg else [])
                line = subprocess.run(cmd, env=env, check=True, capture_output=True, text=True).stdout
                got = json.loads(line.strip().splitlines()[-1])
                results[rev].append(got)
                print(f"round {round_ + 1} {rev}: {got['rate']:,.0f} annotations/s ({got['rate'] / got['ceiling']:.0%}"
                      f" of the bare pair {got['ceiling']:,.0f}/s), next p50/p99 {got['next_p50_ms']:.0f}/"
                      f"{got['next_p99_ms']:.0f} ms, submit p99 {got['submit_p99_ms']:.0f} ms, server CPU "
                      f"{got['server_cpu_ms']:.2f} ms per annotation, errors "
                      f"{got['errors']}, handed to two {got['double_handed']}, load {os.getloadavg()[0]:.1f}",
                      flush=True)
    if args.pg:  # the children's database (made by the tree's own bench_core.fresh_pg)
        from bench_core import PG_ADMIN, drop_pg

        drop_pg(PG_ADMIN.rsplit("/", 1)[0] + "/lw_bench_annotate_ab")
    for rev, runs in results.items():
        rates = [r["rate"] for r in runs]
        shares = [r["rate"] / r["ceiling"] for r in runs]
        cpu = [r["server_cpu_ms"] for r in runs]
        print(f"{rev}: median {statistics.median(rates):,.0f} annotations/s ({'; '.join(f'{r:,.0f}' for r in rates)}),"
              f" median share {statistics.median(shares):.0%} ({', '.join(f'{s:.0%}' for s in shares)}),"
              f" server CPU per annotation median {statistics.median(cpu):.2f} ms (best {min(cpu):.2f}),"
              f" worst next/submit p99 {max(r['next_p99_ms'] for r in runs):.0f}/"
              f"{max(r['submit_p99_ms'] for r in runs):.0f} ms, errors {sum(r['errors'] for r in runs)},"
              f" handed to two {sum(r['double_handed'] for r in runs)}")


if __name__ == "__main__":
    if len(sys.argv) >= 5 and sys.argv[1] == "--child":
        child(Path(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]), "--child-pg" in sys.argv)
    else:
        main()
