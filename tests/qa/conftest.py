"""Fixtures for tests/qa: the shared crowd data sets (``<repo>/../shared``), skipped when absent."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import pandas as pd
import pytest

SHARED = Path(__file__).resolve().parents[2] / ".." / "shared"
CROWD = ("adult_content2", "bluebirds", "dog", "rte", "trec2011")


def _require(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"shared data not found at {path} (expected <repo>/../shared)")
    return path


@cache
def _labels(name: str) -> pd.DataFrame:
    return pd.read_csv(SHARED / "datasets" / name / "labels.csv", dtype=str)


@cache
def _truth(name: str) -> pd.Series:
    return pd.read_csv(SHARED / "datasets" / name / "truth.csv", dtype=str).set_index("item")["label"]


@pytest.fixture(params=CROWD)
def crowd(request: pytest.FixtureRequest) -> tuple[str, pd.DataFrame, pd.Series]:
    """(name, labels with columns item/worker/label as strings, truth Series item -> label)."""
    _require(SHARED / "datasets" / request.param / "labels.csv")
    return request.param, _labels(request.param), _truth(request.param)


@pytest.fixture(scope="session")
def anchors() -> dict:
    path = _require(SHARED / "reference" / "quality_anchors.json")
    return json.loads(path.read_text())
