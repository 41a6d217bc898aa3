"""Benchmark labelwise.qa against crowd-kit 1.4.2 and the krippendorff package.

Run:  PYTHONPATH=src python bench/bench_qa.py [--write-docs] [--skip-1m]

crowd-kit is not a labelwise dependency: it runs in a subprocess of the interpreter named by
``CROWDKIT_PYTHON`` (default ``/tmp/ckvenv/bin/python``; make it with ``python -m venv /tmp/ckvenv &&
/tmp/ckvenv/bin/pip install crowd-kit==1.4.2 scikit-learn==1.5.2``). Without it, the crowd-kit column uses
the reference timings of ``shared/reference/quality_anchors.json`` (adult_content2 only) and says so.
Each crowd-kit run has a time limit (``--limit``, default 300 s). ``--write-docs`` replaces the
"## QA library" section of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
SHARED = ROOT / ".." / "shared"

from labelwise.qa import GLAD, MACE, DawidSkene, MajorityVote, OneCoinDawidSkene, agreement  # noqa: E402

METHODS = {"MajorityVote": MajorityVote, "DawidSkene": DawidSkene, "OneCoinDawidSkene": OneCoinDawidSkene,
           "GLAD": GLAD, "MACE": MACE}
CK_SCRIPT = """
import sys, time, pandas as pd
from crowdkit import aggregation as A
df = pd.read_csv(sys.argv[1], dtype=str)
t = time.perf_counter(); getattr(A, sys.argv[2])().fit_predict(df); print(time.perf_counter() - t)
"""


def crowdkit_time(csv: Path, method: str, limit: float) -> str:
    python = os.environ.get("CROWDKIT_PYTHON", "/tmp/ckvenv/bin/python")
    if not Path(python).exists():
        return "n/a"
    try:
        out = subprocess.run([python, "-c", CK_SCRIPT, str(csv), method], capture_output=True, text=True,
                             timeout=limit, check=True)
        return f"{float(out.stdout.strip().splitlines()[-1]):.3f}"
    except subprocess.TimeoutExpired:
        return f">{limit:.0f}"
    except subprocess.CalledProcessError as exc:
        return "error: " + exc.stderr.strip().splitlines()[-1][:60]


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def synthetic(n_labels: int = 1_000_000, n_items: int = 100_000, n_workers: int = 1000, k: int = 4, seed: int = 0):
    rng = np.random.default_rng(seed)
    per = n_labels // n_items
    truth = rng.integers(0, k, n_items)
    item = np.repeat(np.arange(n_items), per)
    # per item, `per` distinct workers: a random start plus a fixed stride (97 is coprime to 1000)
    worker = ((np.arange(per)[None, :] * 97 + rng.integers(0, n_workers, n_items)[:, None]) % n_workers).ravel()
    skill = rng.uniform(0.3, 0.95, n_workers)
    right = rng.random(len(item)) < skill[worker]
    label = np.where(right, truth[item], (truth[item] + rng.integers(1, k, len(item))) % k)
    return pd.DataFrame({"task": item.astype(str), "worker": worker.astype(str), "label": label.astype(str)})


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--write-docs", action="store_true")
    parser.add_argument("--skip-1m", action="store_true")
    parser.add_argument("--limit", type=float, default=300.0)
    args = parser.parse_args()
    anchors = json.loads((SHARED / "reference" / "quality_anchors.json").read_text())
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        cases = [("adult_content2 (89,799 labels)",
                  pd.read_csv(SHARED / "datasets" / "adult_content2" / "labels.csv", dtype=str)
                  .rename(columns={"item": "task"}))]
        if not args.skip_1m:
            cases.append(("synthetic (1,000,000 labels)", synthetic()))
        for name, df in cases:
            csv = Path(tmp) / "labels.csv"
            df.to_csv(csv, index=False)
            for method, cls in METHODS.items():
                ours = timed(lambda cls=cls, df=df: cls().fit(df, item_col="task", annotator_col="worker"))
                ck = crowdkit_time(csv, method, args.limit)
                if ck == "n/a" and name.startswith("adult"):
                    ck = f"{anchors['aggregation']['adult_content2']['methods'][method]['time_s']:.3f} (reference json)"
                rows.append((name, method, f"{ours:.3f}", ck, _ratio(ck, ours)))
                print(*rows[-1], sep=" | ", flush=True)
    rng = np.random.default_rng(0)
    truth = rng.integers(0, 4, 100_000)
    matrix = np.where(rng.random((50, 100_000)) < 0.7, truth[None, :], rng.integers(0, 4, (50, 100_000))).astype(float)
    coder, unit = np.nonzero(np.ones_like(matrix, dtype=bool))
    long = pd.DataFrame({"item": unit, "annotator": coder, "label": matrix[coder, unit].astype(np.int64)})
    import krippendorff

    ours = min(timed(lambda: agreement(long)) for _ in range(3))
    def reference() -> float:
        return krippendorff.alpha(reliability_data=matrix, level_of_measurement="nominal")

    ref = min(timed(reference) for _ in range(3))
    assert abs(agreement(long) - reference()) < 1e-9
    rows.append(("50 annotators x 100,000 items", "Krippendorff alpha (vs krippendorff 0.9.0)",
                 f"{ours:.3f}", f"{ref:.3f}", f"{ref / ours:.1f}x"))
    print(*rows[-1], sep=" | ")
    table = "| data | method | labelwise (s) | reference (s) | speed-up |\n|---|---|---|---|---|\n"
    table += "\n".join("| " + " | ".join(r) + " |" for r in rows)
    print(table)
    if args.write_docs:
        write_docs(table)


def _ratio(ck: str, ours: float) -> str:
    match = re.match(r">?([0-9.]+)", ck)
    if not match:
        return "-"
    return ("> " if ck.startswith(">") else "") + f"{float(match.group(1)) / ours:.1f}x"


def write_docs(table: str) -> None:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), "unknown")
    section = (
        "## QA library\n\n"
        f"Machine: {os.cpu_count()} cores (nproc), {cpu}. Command: `PYTHONPATH=src python bench/bench_qa.py "
        "--write-docs`. Wall-clock seconds of one `fit` (crowd-kit 1.4.2 with scikit-learn 1.5.2 in a separate "
        "venv, same data, same machine; `>N` = stopped at the time limit).\n\n" + table + "\n"
    )
    path = ROOT / "docs" / "benchmarks.md"
    text = path.read_text() if path.exists() else "# Benchmarks\n"
    pattern = re.compile(r"## QA library\n.*?(?=\n## |\Z)", re.S)
    text = pattern.sub(section.rstrip("\n"), text) if pattern.search(text) else text.rstrip("\n") + "\n\n" + section
    path.write_text(text)


if __name__ == "__main__":
    main()
