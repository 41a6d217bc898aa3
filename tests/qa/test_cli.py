"""The ``labelwise qa`` sub-app, driven directly with typer's CliRunner."""

from __future__ import annotations

import pandas as pd
from typer.testing import CliRunner

from labelwise.cli.qa import app

runner = CliRunner()


def _csv(tmp_path):
    df = pd.DataFrame(
        [(i, w, (i + (w == "c")) % 2) for i in range(30) for w in "abc"], columns=["task", "worker", "answer"]
    )
    path = tmp_path / "labels.csv"
    df.to_csv(path, index=False)
    return path


COLS = ["--item-col", "task", "--annotator-col", "worker", "--label-col", "answer"]


def test_agreement_command(tmp_path):
    result = runner.invoke(
        app, ["agreement", str(_csv(tmp_path)), "--metric", "fleiss_kappa", "--ci", "--n-boot", "50", *COLS]
    )
    assert result.exit_code == 0, result.output
    assert "fleiss_kappa" in result.output and "95% CI" in result.output


def test_aggregate_command_writes_csv(tmp_path):
    out = tmp_path / "out.csv"
    result = runner.invoke(
        app, ["aggregate", str(_csv(tmp_path)), "--method", "dawid-skene", "-o", str(out), *COLS]
    )
    assert result.exit_code == 0, result.output
    written = pd.read_csv(out)
    assert list(written.columns) == ["item", "label", "confidence"] and len(written) == 30
    assert (written["label"] == written["item"] % 2).all()


def test_bad_column_is_a_clean_error(tmp_path):
    result = runner.invoke(app, ["agreement", str(_csv(tmp_path))])
    assert result.exit_code == 2
