"""Import speed A/B across git revisions: 100,000 items over HTTP (10 JSONL requests, one uvicorn worker,
no job threads), then the same rows as one JSONL file through the CLI's local path (``import_stream`` in
this process, into another project), each with the same run's ``executemany`` ceiling, the revisions
alternated round by round (the machine is shared: read the medians, the shares and the CPU times: the
server process's CPU per item over HTTP, this process's for the file).

Run:  python bench/bench_import_ab.py --rev 8b1c477~1 --rev 182988e --rev HEAD --rounds 5
      python bench/bench_import_ab.py --rev HEAD --pg        (PostgreSQL; BENCH_PG as in bench_core)
      python bench/bench_import_ab.py --rev HEAD --warm      (one 1-row import first, over HTTP and locally)

``--warm`` leaves out what only a process's first import pays (loading the job queue's modules for the text
index's catch-up: huey, which loads redis and psycopg, about 0.1-0.15 s; first compilations), so that the CPU
per item is the steady one; without it the figures are those of a fresh process, as bench_core measures.

Each revision's ``src`` and ``bench`` are extracted with ``git archive`` into a temporary folder and run
there (its own server and client code); nothing is installed.
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

ROOT = Path(__file__).resolve().parents[1]


def child(tree: Path, n: int, pg: bool, warm: bool = False) -> None:
    """One import with the code of ``tree``; prints a JSON line."""
    sys.path[:0] = [str(tree / "src"), str(tree / "bench")]  # before this script's own folder
    import _server
    import httpx
    from _people import people
    from bench_core import SCHEMA, ceiling_executemany, fresh_pg, import_locally, jsonl, rows

    from labelwise.config import Settings
    from labelwise.services.setup import prepare

    work = Path(tempfile.mkdtemp(prefix="lw-bench-ab-"))
    try:
        db = fresh_pg("lw_bench_import_ab") if pg else None
        settings = Settings(data_dir=work / "data", db=db)
        ctx = prepare(settings)
        actor, token, _ = people(ctx, SCHEMA, ("imports", "cli", "warm") if warm else ("imports", "cli"))
        ctx.close()
        data = rows(0, n)
        bodies = [jsonl(data[i:i + n // 10]) for i in range(0, n, n // 10)]
        env = {"LABELWISE_DATA_DIR": str(settings.data_dir), "LABELWISE_JOB_WORKERS": "0",
               **({"LABELWISE_DB": db} if db else {})}
        proc, url = _server.start("labelwise.api.app:app_from_env", env=env)
        try:
            time.sleep(2)
            with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=None) as client:
                if warm:
                    r = client.post("/api/v1/projects/warm/import?format=jsonl", content=jsonl(rows(n, 1)))
                    assert r.status_code == 201, r.text
                cpu0, t0 = cpu_seconds(proc.pid), time.perf_counter()
                for body in bodies:
                    r = client.post("/api/v1/projects/imports/import?format=jsonl", content=body)
                    assert r.status_code == 201, r.text
                rate = n / (time.perf_counter() - t0)
                server_cpu = cpu_seconds(proc.pid) - cpu0
        finally:
            _server.stop(proc)
        path = work / "items.jsonl"
        path.write_bytes(b"".join(bodies))
        if warm:
            (work / "warm.jsonl").write_bytes(jsonl(rows(n + 1, 1)))
            import_locally(settings, actor, "warm", work / "warm.jsonl")
        cpu0 = time.process_time()
        cli_rate = import_locally(settings, actor, "cli", path)
        cli_cpu = time.process_time() - cpu0
        print(json.dumps({"rate": rate, "cpu_us": server_cpu / n * 1e6, "cli_rate": cli_rate,
                          "cli_cpu_us": cli_cpu / n * 1e6, "ceiling": ceiling_executemany(data)}), flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def extract(rev: str, into: Path) -> Path:
    into.mkdir(parents=True)
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", rev, "src", "bench"], check=True,
                             capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return into


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rev", action="append", required=True, help="a git revision (repeat to compare)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--pg", action="store_true", help="PostgreSQL instead of SQLite")
    parser.add_argument("--warm", action="store_true", help="a 1-row import before each measured one")
    args = parser.parse_args()
    results: dict[str, list[dict[str, float]]] = {rev: [] for rev in args.rev}
    with tempfile.TemporaryDirectory(prefix="lw-bench-ab-trees-") as tmp:
        trees = {rev: extract(rev, Path(tmp) / f"t{i}") for i, rev in enumerate(args.rev)}
        for round_ in range(args.rounds):
            for rev, tree in trees.items():
                env = {**os.environ, "PYTHONPATH": f"{tree / 'src'}{os.pathsep}{tree / 'bench'}"}
                cmd = [sys.executable, str(Path(__file__).resolve()), "--child", str(tree), str(args.items)]
                if args.pg:
                    cmd.append("--child-pg")
                if args.warm:
                    cmd.append("--child-warm")
                line = subprocess.run(cmd, env=env, check=True, capture_output=True, text=True).stdout
                got = json.loads(line.strip().splitlines()[-1])
                results[rev].append(got)
                print(f"round {round_ + 1} {rev}: HTTP {got['rate']:,.0f} items/s (server CPU {got['cpu_us']:.1f} us"
                      f" an item), CLI {got['cli_rate']:,.0f} items/s (CPU {got['cli_cpu_us']:.1f} us),"
                      f" executemany {got['ceiling']:,.0f}", flush=True)
    if args.pg:  # the children's database (made by the tree's own bench_core.fresh_pg)
        from bench_core import PG_ADMIN, drop_pg

        drop_pg(PG_ADMIN.rsplit("/", 1)[0] + "/lw_bench_import_ab")
    for rev, runs in results.items():
        rates = [r["rate"] for r in runs]
        shares = ", ".join(f"{r['rate'] / r['ceiling']:.0%}" for r in runs)
        print(f"{rev}: HTTP median {statistics.median(rates):,.0f} items/s ({'; '.join(f'{r:,.0f}' for r in rates)}),"
              f" share of executemany {shares}; server CPU median"
              f" {statistics.median(r['cpu_us'] for r in runs):.1f} us an item; CLI median"
              f" {statistics.median(r['cli_rate'] for r in runs):,.0f} items/s"
              f" (CPU {statistics.median(r['cli_cpu_us'] for r in runs):.1f} us an item)")


if __name__ == "__main__":
    if len(sys.argv) >= 4 and sys.argv[1] == "--child":
        child(Path(sys.argv[2]), int(sys.argv[3]), "--child-pg" in sys.argv, "--child-warm" in sys.argv)
    else:
        main()
