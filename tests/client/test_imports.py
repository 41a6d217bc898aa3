from __future__ import annotations

import json

import pandas as pd
import pytest

from labelwise.client import ImportReport, Invalid
from labelwise.client import project as project_module


def test_import_a_jsonl_file_streams_it(admin, tmp_path):
    path = tmp_path / "items.jsonl"
    path.write_text("".join(json.dumps({"text": f"row {i}", "key": f"k{i}"}) + "\n" for i in range(30)))
    sent: list[int] = []
    report = admin.get_project("demo").import_items(path, progress=sent.append)
    assert isinstance(report, ImportReport)
    assert (report.created, report.skipped, report.invalid, report.errors) == (30, 0, 0, [])
    assert sent and sent[-1] == path.stat().st_size
    again = admin.get_project("demo").import_items(str(path))
    assert (again.created, again.skipped) == (0, 30)


def test_import_csv_with_key_field(admin, tmp_path):
    path = tmp_path / "items.csv"
    path.write_text("uid,text\na,first\nb,second\n")
    project = admin.get_project("demo")
    report = project.import_items(path, key_field="uid")
    assert report.created == 2
    assert {i.key for i in project.items()} == {"a", "b"}


def test_bad_file_is_rejected_whole_with_row_numbers(admin, tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text('{"text": "fine"}\n{"other": 1}\nnot json\n{"text": "fine too"}\n')
    project = admin.get_project("demo")
    with pytest.raises(Invalid) as err:
        project.import_items(path)
    assert err.value.status == 422
    assert [e["row"] for e in err.value.errors] == [2, 3]
    assert "text" in err.value.errors[0]["msg"]
    assert project.counts().total == 0
    report = project.import_items(path, skip_invalid=True)
    assert (report.created, report.invalid) == (2, 2)
    assert [e["row"] for e in report.errors] == [2, 3]


def test_unknown_extension_is_refused_before_sending(admin, tmp_path):
    path = tmp_path / "items.txt"
    path.write_text("hello\n")
    with pytest.raises(ValueError, match="extension"):
        admin.get_project("demo").import_items(path)
    other = tmp_path / "items.data"
    other.write_text('{"text": "told"}\n')
    assert admin.get_project("demo").import_items(other, format="jsonl").created == 1


def test_import_records_and_dataframe(admin):
    project = admin.get_project("demo")
    report = project.import_items([{"text": "a", "key": "1"}, {"text": "b", "key": "2", "meta": {"src": "x"}}])
    assert report.created == 2
    df = pd.DataFrame({"text": ["c", "d"], "n": [1, 2], "score": [0.5, float("nan")]})
    assert project.import_items(df).created == 2
    with pytest.raises(Invalid) as err:
        project.import_items([{"text": "e"}, {"nope": 1}])
    assert err.value.errors[0]["row"] == 2
    assert project.counts().total == 4


def test_many_records_are_one_atomic_import(admin, monkeypatch):
    monkeypatch.setattr(project_module, "RECORDS_CHUNK", 10)
    project = admin.get_project("demo")
    records = [{"text": f"t{i}"} for i in range(35)] + [{"missing": True}]
    with pytest.raises(Invalid) as err:
        project.import_items(iter(records))
    assert err.value.errors[0]["row"] == 36
    assert project.counts().total == 0, "a bad last row must reject every chunk"
    sent: list[int] = []
    report = project.import_items(iter(records[:-1]), progress=sent.append)
    assert report.created == 35 and sent
    assert project.counts().total == 35
