from __future__ import annotations

import csv
import json

import pandas as pd
import pyarrow.parquet as pq
import pytest

from labelwise.client import Invalid, NotFound


@pytest.fixture
def annotated(admin, client_for):
    project = admin.get_project("demo")
    project.import_items([{"text": f"text {i}", "key": f"k{i}", "meta": {"lang": "en"}} for i in range(5)])
    mine = client_for("annotator").get_project("demo")
    for _ in range(2):
        mine.submit(mine.next_task().id, {"sentiment": "positive"})
    return project


def test_export_jsonl_csv_parquet_to_files(annotated, tmp_path):
    path = annotated.export("jsonl", tmp_path / "out.jsonl")
    records = [json.loads(line) for line in path.read_text().splitlines()]
    assert len(records) == 5 and records[0]["annotations"][0]["result"] == {"sentiment": "positive"}
    with annotated.export("csv", path=tmp_path / "out.csv").open(newline="") as f:
        rows = list(csv.DictReader(f))
    assert [r["text"] for r in rows] == [f"text {i}" for i in range(5)]
    table = pq.read_table(annotated.export(format="parquet", path=tmp_path / "out.parquet"))
    assert table.num_rows == 5
    only = annotated.export("jsonl", tmp_path / "annotated.jsonl", state="annotated")
    assert len(only.read_text().splitlines()) == 2
    assert not list(tmp_path.glob("*.part"))


def test_export_errors_leave_no_file(annotated, admin, tmp_path):
    tmp_path = tmp_path / "out"
    tmp_path.mkdir()
    with pytest.raises(ValueError, match="format"):
        annotated.export("../x", tmp_path / "x.xml")
    with pytest.raises(Invalid, match="format must be one of"):
        annotated.export("xml", tmp_path / "x.xml")
    with pytest.raises(Invalid):
        annotated.export("jsonl", tmp_path / "x.jsonl", state="bogus")
    assert not list(tmp_path.iterdir())
    scratch = admin.create_project("gone", schema=annotated.schema)
    scratch.delete()
    with pytest.raises(NotFound):
        scratch.export("jsonl", tmp_path / "gone.jsonl")


def test_export_df_round_trip(admin):
    project = admin.get_project("demo")
    df = pd.DataFrame({"text": ["alpha", "beta", "gamma"], "key": ["a", "b", "c"], "n": [1, 2, 3]})
    project.import_items(df)
    out = project.export_df()
    assert list(out.columns[:5]) == ["id", "key", "state", "text", "n"]
    assert list(out.columns[-3:]) == ["annotations", "predictions", "meta"]
    assert out["text"].tolist() == df["text"].tolist()
    assert out["key"].tolist() == ["a", "b", "c"] and out["n"].tolist() == [1, 2, 3]
    assert out["state"].tolist() == ["new"] * 3 and out["annotations"].tolist() == [[], [], []]
    assert project.export_df(state="accepted").empty


def test_export_a_registry_format_with_options(annotated, tmp_path):
    path = annotated.export("labelstudio", tmp_path / "ls.json")
    tasks = json.loads(path.read_text())
    assert len(tasks) == 5 and tasks[0]["data"]["text"] == "text 0"
    with pytest.raises(Invalid):
        annotated.export("jsonl", tmp_path / "o.jsonl", options={"label": "entities"})
