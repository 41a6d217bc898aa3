"""The server process holds only what serving needs: ``labelwise serve`` runs the app in the CLI's own
process, so the CLI and the app load numpy, pandas, scipy and pyarrow (about 85 MB together) only when a
command or a request needs them (``labelwise qa``, masks, waveforms, tiles), not at start."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import labelwise

HEAVY = ("numpy", "pandas", "scipy", "pyarrow", "sklearn", "PIL")


def _loaded_after(code: str) -> list[str]:
    src = Path(labelwise.__file__).resolve().parents[1]
    probe = f"{code}\nimport sys\nprint(' '.join(m for m in {HEAVY!r} if m in sys.modules))"
    done = subprocess.run([sys.executable, "-W", "error", "-c", probe], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(src)}, check=True)
    return done.stdout.split()


def test_the_cli_and_the_app_start_without_the_heavy_libraries() -> None:
    assert _loaded_after("import labelwise.cli, labelwise.api.app, labelwise.jobs\n"
                         "from labelwise.api.app import create_app") == []


def test_labelwise_qa_loads_them_when_asked_for() -> None:
    code = ("from typer.testing import CliRunner\nfrom labelwise.cli import app\n"
            "assert CliRunner().invoke(app, ['qa', '--help']).exit_code == 0")
    assert {"numpy", "pandas"} <= set(_loaded_after(code))
