"""Export speed A/B across git revisions: one SQLite database seeded once (``bench_formats``' text projects
of 100,000 and 1,000,000 items), then each revision's export of each size run in a child process of its
own, revisions alternated round by round (the machine is shared: compare CPU per item and medians).

Run:  python bench/bench_export_ab.py --rev 9386106 --rev HEAD --format conll --sizes 100000,1000000 --rounds 3

Each revision's ``src`` is extracted with ``git archive`` into a temporary folder and put first on the
child's ``PYTHONPATH`` (nothing is installed); the database is opened without migrating, so the revisions
must share its schema. A child first exports a 2,000-item project (one-off costs of a process's first
export), then times one export of the project: wall seconds, its CPU seconds, peak RSS above the start
(sampled every 20 ms) and, in the first round, the SHA-256 of the bytes (from a second, untimed export),
which must be the same for every revision.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from hashlib import sha256
from pathlib import Path

from bench_import_ab import extract

WARM = "warm-text"


def child(data_dir: str, project: str, fmt: str, digest: bool) -> None:
    """One timed export with the code first on ``sys.path``; prints a JSON line."""
    from bench_formats import Peak

    import labelwise
    from labelwise.config import Settings
    from labelwise.services import auth, exports
    from labelwise.services.setup import prepare

    ctx = prepare(Settings(data_dir=Path(data_dir)), migrate=False)
    actor = auth.local_admin(ctx)
    for _ in exports.export(ctx, actor, WARM, fmt).chunks:
        pass
    load = os.getloadavg()[0]
    start, cpu, size = time.perf_counter(), time.process_time(), 0
    with Peak() as peak:
        for chunk in exports.export(ctx, actor, project, fmt).chunks:
            size += len(chunk)
    out = {"wall": time.perf_counter() - start, "cpu": time.process_time() - cpu, "peak_mb": peak.peak - peak.base,
           "bytes": size, "load": load, "code": str(Path(labelwise.__file__).parents[1])}
    if digest:
        h = sha256()
        for chunk in exports.export(ctx, actor, project, fmt).chunks:
            h.update(chunk)
        out["sha256"] = h.hexdigest()
    ctx.close()
    print(json.dumps(out), flush=True)


def seed_projects(data_dir: Path, sizes: list[int]) -> None:
    from bench_formats import TEXT_SCHEMA, seed, text_item

    from labelwise.config import Settings
    from labelwise.services import auth, projects
    from labelwise.services.setup import prepare

    ctx = prepare(Settings(data_dir=data_dir))
    user = auth.create_user(ctx, None, email="bench@example.org", password="correct horse", is_admin=True)
    actor = auth.local_admin(ctx)
    for name, n in ((WARM, 2000), *((f"text-{n}", n) for n in sizes)):
        p = projects.create_project(ctx, actor, name=name, schema=TEXT_SCHEMA)
        seed(ctx, p["id"], user["id"], n, text_item)
    ctx.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rev", action="append", required=True, help="a git revision (repeat to compare)")
    parser.add_argument("--format", default="conll")
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    sizes = [int(x) for x in args.sizes.split(",") if x]
    runs: dict[tuple[str, int], list[dict[str, float]]] = {(rev, n): [] for rev in args.rev for n in sizes}
    with tempfile.TemporaryDirectory(prefix="lw-bench-export-ab-") as tmp:
        data_dir = Path(tmp) / "data"
        t0 = time.perf_counter()
        seed_projects(data_dir, sizes)
        print(f"seeded {', '.join(f'{n:,}' for n in sizes)} items in {time.perf_counter() - t0:.0f} s", flush=True)
        trees = {rev: extract(rev, Path(tmp) / f"t{i}") for i, rev in enumerate(args.rev)}
        for round_ in range(args.rounds):
            for n in sizes:
                for rev, tree in (trees.items() if round_ % 2 == 0 else reversed(trees.items())):
                    env = {**os.environ, "PYTHONPATH": str(tree / "src")}
                    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", str(data_dir), f"text-{n}",
                           args.format, "1" if round_ == 0 else "0"]
                    line = subprocess.run(cmd, env=env, check=True, capture_output=True, text=True).stdout
                    got = json.loads(line.strip().splitlines()[-1])
                    assert got["code"] == str(tree / "src"), got["code"]  # this revision's code, not the installed one
                    runs[rev, n].append(got)
                    print(f"round {round_ + 1} {rev} {n:,}: {n / got['wall']:,.0f} items/s, CPU {got['cpu']:.2f} s "
                          f"({got['cpu'] / n * 1e6:.2f} us an item, {n / got['cpu']:,.0f} items/CPU s), peak RSS "
                          f"+{got['peak_mb']:.0f} MB, {got['bytes']:,} bytes, load {got['load']:.2f}"
                          + (f", sha256 {got['sha256']}" if "sha256" in got else ""), flush=True)
    for (rev, n), got in runs.items():
        rates = [n / r["wall"] for r in got]
        cpu = [r["cpu"] / n * 1e6 for r in got]
        print(f"{rev} {n:,}: median {statistics.median(rates):,.0f} items/s (best {max(rates):,.0f}), CPU median "
              f"{statistics.median(cpu):.2f} us an item ({n / statistics.median(r['cpu'] for r in got):,.0f} "
              f"items/CPU s), peak RSS +{max(r['peak_mb'] for r in got):.0f} MB at most, "
              f"load {min(r['load'] for r in got):.2f}-{max(r['load'] for r in got):.2f}")
    for n in sizes:
        digests = {runs[rev, n][0]["sha256"] for rev in args.rev}
        print(f"{n:,} items: " + (f"the same bytes on every revision (sha256 {digests.pop()})" if len(digests) == 1
                                  else f"DIFFERENT bytes: {sorted(digests)}"))


if __name__ == "__main__":
    if len(sys.argv) >= 6 and sys.argv[1] == "--child":
        child(sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5] == "1")
    else:
        main()
