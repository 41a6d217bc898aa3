"""Bad input gets a precise 4xx, never a 500: broken files, wrong encodings, bad rows and results, schema changes.

Every client here goes through ``no_500`` (or ``safe_client``), so any server error fails the test.
"""

from __future__ import annotations

import io
from typing import Any

import orjson
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tests.api.helpers import API, import_records, next_task, safe_client, submit, texts

P = f"{API}/projects/demo"
pytestmark = pytest.mark.usefixtures("no_500")


def _import(w: Any, body: bytes, fmt: str, **params: Any) -> Any:
    return safe_client(w, w.manager).post(f"{P}/import", params={"format": fmt, **params}, content=body)


def _total(w: Any) -> int:
    return int(w.manager.client.get(f"{P}/items/count").json()["total"])


def _jsonl(rows: list[dict[str, Any]]) -> bytes:
    return b"".join(orjson.dumps(r) + b"\n" for r in rows)


def _parquet(rows: list[dict[str, Any]]) -> bytes:
    sink = io.BytesIO()
    pq.write_table(pa.Table.from_pylist(rows), sink)
    return sink.getvalue()


# --- broken files ------------------------------------------------------------------------------


def test_malformed_json(world: Any) -> None:
    r = _import(world, b'[{"text": "a"}, {"text": "b"}, {"text": ', "json")
    assert r.status_code == 422
    body = r.json()
    assert body["errors"][0]["row"] == 3
    assert "not valid JSON" in body["errors"][0]["msg"]
    assert "nothing was imported" in body["detail"]
    assert _total(world) == 0
    r = _import(world, b'{"text": "not an array"}', "json")
    assert r.status_code == 422
    assert body is not None and "expected a JSON array" in r.json()["errors"][0]["msg"]
    r = _import(world, b'[{"text": "a"}, 7]', "json")
    assert r.status_code == 422
    assert r.json()["errors"] == [{"row": 2, "loc": [], "msg": "item 2: expected a JSON object, got int"}]


def test_malformed_jsonl(world: Any) -> None:
    body = b'{"text": "one"}\n{"text": "two"\n\n{"text": "three"}\n \t\r\n["four"]\n'  # blank lines are no rows
    r = _import(world, body, "jsonl")
    assert r.status_code == 422
    errors = r.json()["errors"]
    assert [(e["row"], e["msg"].split(":")[0]) for e in errors] == [(2, "line 2"), (4, "line 6")]
    assert "expected a JSON object, got list" in errors[1]["msg"]
    assert r.json()["detail"].startswith("2 of 4 rows are invalid")
    assert _total(world) == 0


def test_malformed_csv(world: Any) -> None:
    r = _import(world, b'text,lang\n"hello",en\n"a, b",fr,extra\nlast,en\n', "csv")
    assert r.status_code == 422
    assert r.json()["errors"] == [{"row": 2, "loc": [], "msg": "row 2 (line 3): 3 values for 2 columns"}]
    assert _total(world) == 0
    r = _import(world, b"text,text\na,b\n", "csv")
    assert r.status_code == 422
    assert "duplicate column names ['text']" in r.json()["errors"][0]["msg"]


def test_truncated_parquet(world: Any) -> None:
    whole = _parquet([{"text": f"row {i}"} for i in range(100)])
    r = _import(world, whole[: len(whole) // 2], "parquet")
    assert r.status_code == 422
    assert "not a readable Parquet file" in r.json()["errors"][0]["msg"]
    r = _import(world, b"PAR1 but nothing else", "parquet")
    assert r.status_code == 422
    assert _total(world) == 0
    assert _import(world, whole, "parquet").status_code == 201
    assert _total(world) == 100


def test_latin1_bytes_in_a_utf8_csv(world: Any) -> None:
    body = "text,lang\nplain,en\nalso plain,en\ncafé crème,fr\nafter,en\n".encode("latin-1")
    r = _import(world, body, "csv")
    assert r.status_code == 422
    [error] = r.json()["errors"]
    assert error["row"] == 3
    assert "not valid UTF-8" in error["msg"]
    assert _total(world) == 0
    # skip_invalid keeps the rows around it
    r = _import(world, body, "csv", skip_invalid="true")
    assert r.status_code == 201
    assert (r.json()["created"], r.json()["invalid"]) == (3, 1)


def test_a_byte_order_mark_and_utf8_are_fine(world: Any) -> None:
    r = _import(world, "\ufefftext\ncafé crème\n".encode(), "csv")
    assert r.status_code == 201
    [item] = world.reviewer.client.get(f"{P}/items").json()["items"]
    assert item["data"] == {"text": "café crème"}


def test_unknown_format_and_missing_format(world: Any) -> None:
    c = safe_client(world, world.manager)
    r = c.post(f"{P}/import", params={"format": "xlsx"}, content=b"x")
    assert r.status_code == 422
    assert "unknown format 'xlsx'" in r.json()["detail"]
    r = c.post(f"{P}/import", content=b"x", headers={"content-type": "application/octet-stream"})
    assert r.status_code == 422
    r = c.post(f"{P}/import", params={"filename": "data.docx"}, content=b"x",
               headers={"content-type": "application/octet-stream"})
    assert r.status_code == 422
    assert "cannot tell the format" in r.json()["detail"]
    r = c.get(f"{P}/export", params={"format": "xml"})
    assert r.status_code == 422
    assert _total(world) == 0


def test_empty_files_import_nothing(world: Any) -> None:
    for fmt, body in (("jsonl", b""), ("json", b"[]"), ("csv", b""), ("csv", b"text\n"), ("json", b"  ")):
        r = _import(world, body, fmt)
        assert r.status_code == 201, (fmt, body)
        assert r.json()["created"] == 0
    assert _import(world, b"", "parquet").status_code == 422


# --- large values ------------------------------------------------------------------------------


def test_ten_megabyte_text_field_round_trips(world: Any) -> None:
    big = ("0123456789abcdé\n" * (10 * 1024 * 1024 // 16))[: 10 * 1024 * 1024]
    for fmt, body in (("jsonl", _jsonl([{"text": big, "key": "j"}])),
                      ("csv", ('key,text\nc,"' + big + '"\n').encode())):
        r = _import(world, body, fmt)
        assert r.status_code == 201, r.text[:300]
        assert r.json()["created"] == 1
    ids = [i["id"] for i in world.reviewer.client.get(f"{P}/items").json()["items"]]
    for item_id in ids:
        assert world.reviewer.client.get(f"{P}/items/{item_id}").json()["data"]["text"] == big
    task = next_task(world.annotator.client)
    assert task is not None and task["data"]["text"] == big
    r = submit(world.annotator.client, task["id"],
               {"sentiment": "positive", "entities": [{"start": len(big) - 5, "end": len(big), "label": "LOC"}]})
    assert r.status_code == 201
    exported = [orjson.loads(line) for line in world.manager.client.get(f"{P}/export").content.splitlines()]
    assert [rec["data"]["text"] == big for rec in exported] == [True, True]


# --- rows against the schema -------------------------------------------------------------------


def test_rows_missing_a_bound_field_reject_the_import(world: Any) -> None:
    rows = [{"text": "ok"}, {"text": "ok too"}, {"title": "no text"}, {"text": ""}, {"text": "fine"}]
    r = _import(world, _jsonl(rows), "jsonl")
    assert r.status_code == 422
    errors = r.json()["errors"]
    assert [e["row"] for e in errors] == [3, 4]
    assert all("missing field 'text', which the schema binds" in e["msg"] for e in errors)
    assert errors[0]["loc"] == ["data", "text"]
    assert _total(world) == 0
    r = safe_client(world, world.manager).post(f"{P}/records", json={"records": rows})
    assert r.status_code == 422
    assert [e["row"] for e in r.json()["errors"]] == [3, 4]
    assert _total(world) == 0
    audit = world.manager.client.get(f"{P}/audit", params={"action": "import.rejected"}).json()
    assert len(audit) == 2


def test_skip_invalid_keeps_the_good_rows_and_lists_the_bad(world: Any) -> None:
    body = b'{"text": "a"}\n{"title": "b"}\nnot json\n{"text": "d"}\n'
    r = _import(world, body, "jsonl", skip_invalid="true")
    assert r.status_code == 201
    report = r.json()
    assert (report["rows"], report["created"], report["invalid"], report["skipped"]) == (4, 2, 2, 0)
    assert [e["row"] for e in report["errors"]] == [2, 3]
    assert _total(world) == 2
    assert sorted(i["data"]["text"] for i in world.reviewer.client.get(f"{P}/items").json()["items"]) == ["a", "d"]


def test_bad_predictions_are_reported_by_row(world: Any) -> None:
    rows = [{"text": "hi", "predictions": [{"result": {"sentiment": "joy"}, "score": 0.5}]},
            {"text": "hi", "predictions": [{"result": {"sentiment": "positive"}, "score": "high"}]},
            {"text": "hi", "predictions": [{"result": {"entities": [{"start": 0, "end": 9, "label": "PER"}]}}]},
            {"text": "hi", "predictions": "[not json"}]
    r = _import(world, _jsonl(rows), "jsonl")
    assert r.status_code == 422
    errors = r.json()["errors"]
    assert [e["row"] for e in errors] == [1, 2, 3, 4]
    assert "prediction 0:" in errors[0]["msg"] and "'joy'" in errors[0]["msg"]
    assert "score must be a number" in errors[1]["msg"]
    assert "past the end of the text (length 2)" in errors[2]["msg"]
    assert _total(world) == 0


def test_duplicate_keys_in_one_file_name_both_rows(world: Any) -> None:
    rows = [{"key": "a", "text": "1"}, {"key": "b", "text": "2"}, {"key": "c", "text": "3"},
            {"key": "b", "text": "4"}, {"key": "d", "text": "5"}]
    r = _import(world, _jsonl(rows), "jsonl")
    assert r.status_code == 422
    assert r.json()["errors"] == [
        {"row": 4, "loc": ["key"], "msg": "duplicate key 'b' in this import (first at row 2)"}]
    assert _total(world) == 0


def test_duplicate_keys_across_import_batches_name_both_rows(world: Any) -> None:
    world.ctx.settings.import_batch_size = 2
    rows = [{"key": k, "text": k} for k in ("a", "b", "c", "d", "a", "e")]
    r = _import(world, _jsonl(rows), "jsonl")
    assert r.status_code == 422
    assert r.json()["errors"] == [
        {"row": 5, "loc": ["key"], "msg": "duplicate key 'a' in this import (first at row 1)"}]
    assert _total(world) == 0
    r = _import(world, _jsonl(rows), "jsonl", skip_invalid="true")
    assert r.status_code == 201
    assert (r.json()["created"], r.json()["invalid"]) == (5, 1)
    assert r.json()["errors"][0]["msg"] == "duplicate key 'a' in this import (first at row 1)"


def test_reimporting_a_keyed_file_does_not_duplicate(world: Any) -> None:
    body = _jsonl([{"key": f"k{i}", "text": f"t{i}"} for i in range(5)])
    first = _import(world, body, "jsonl")
    assert (first.json()["created"], first.json()["skipped"]) == (5, 0)
    again = _import(world, body, "jsonl")
    assert again.status_code == 201
    assert (again.json()["created"], again.json()["skipped"]) == (0, 5)
    grown = _import(world, body + _jsonl([{"key": "k5", "text": "t5"}]), "jsonl")
    assert (grown.json()["created"], grown.json()["skipped"]) == (1, 5)
    assert _total(world) == 6
    # key_field names a data column as the key: the same through CSV
    csv_body = b"id,text\n1,x\n2,y\n"
    assert _import(world, csv_body, "csv", key_field="id").json()["created"] == 2
    assert _import(world, csv_body, "csv", key_field="id").json()["skipped"] == 2
    assert _total(world) == 8


# --- results against the schema ----------------------------------------------------------------


@pytest.fixture
def task(world: Any) -> int:
    import_records(world, [{"text": "Ada in London"}])
    t = next_task(world.annotator.client)
    assert t is not None
    return int(t["id"])


def _submit(w: Any, item_id: int, result: Any) -> Any:
    return safe_client(w, w.annotator).post(f"{P}/tasks/{item_id}/submit", json={"result": result})


def test_unknown_label(world: Any, task: int) -> None:
    r = _submit(world, task, {"sentiment": "positive", "mood": "sunny"})
    assert r.status_code == 422
    [error] = r.json()["errors"]
    assert error["loc"] == ["mood"]
    assert error["value"] == "mood"
    assert error["msg"] == "unknown label 'mood' (labels: sentiment, entities)"


def test_span_outside_the_text(world: Any, task: int) -> None:
    r = _submit(world, task, {"sentiment": "positive", "entities": [{"start": 7, "end": 40, "label": "LOC"}]})
    assert r.status_code == 422
    [error] = r.json()["errors"]
    assert error["loc"] == ["entities", 0, "end"]
    assert error["value"] == 40
    assert error["msg"] == "entities: span end 40 is past the end of the text (length 13)"
    r = _submit(world, task, {"sentiment": "positive", "entities": [{"start": 0, "end": 3, "label": "CITY"}]})
    assert r.status_code == 422
    assert r.json()["errors"][0]["value"] == "CITY"


def test_missing_required_label_and_bad_value(world: Any, task: int) -> None:
    r = _submit(world, task, {"entities": []})
    assert r.status_code == 422
    assert r.json()["errors"] == [{"loc": ["sentiment"], "msg": "sentiment: is required"}]
    r = _submit(world, task, {"sentiment": "joyful"})
    assert r.status_code == 422
    [error] = r.json()["errors"]
    assert error["loc"] == ["sentiment"]
    assert error["value"] == "joyful"
    assert error["msg"] == "sentiment: value 'joyful' is not one of the options (negative, neutral, positive)"
    r = _submit(world, task, {"sentiment": 3})
    assert r.json()["errors"][0]["msg"] == "sentiment: value must be a string, got a number"
    assert world.annotator.client.get(f"{P}/tasks/{task}").json()["status"] == "leased"


def test_malformed_request_bodies(world: Any, task: int) -> None:
    c = safe_client(world, world.annotator)
    cases = [
        (b'{"result": {"sentiment": "positive"}', "application/json"),  # truncated JSON
        (b'{"result": ["positive"]}', "application/json"),
        (b'{"result": {"sentiment": "positive"}, "extra": 1}', "application/json"),
        (b'{"result": {"sentiment": "positive"}, "lead_time": "slow"}', "application/json"),
        (b"\xff\xfe not utf-8", "application/json"),
        (b"result=positive", "application/x-www-form-urlencoded"),
    ]
    for content, ctype in cases:
        r = c.post(f"{P}/tasks/{task}/submit", content=content, headers={"content-type": ctype})
        assert r.status_code == 422, (content, r.status_code, r.text)
        assert r.json()["error"] == "invalid"
    r = c.post(f"{P}/tasks/{task}/submit", json={"result": {"sentiment": "positive"}, "lead_time": -1})
    assert r.status_code == 422
    assert "lead_time must be between" in r.json()["detail"]
    assert c.post(f"{P}/tasks/not-a-number/submit", json={"result": {}}).status_code == 422
    assert c.post(f"{P}/tasks/99999999999999999999999/submit", json={"result": {}}).status_code == 422
    assert c.post(f"{P}/tasks/{2**63 - 1}/submit", json={"result": {"sentiment": "positive"}}).status_code == 404
    assert c.get(f"{P}/tasks/999999").status_code == 404
    assert world.annotator.client.get(f"{P}/tasks/{task}").json()["status"] == "leased"


def test_bad_project_settings_and_schemas(world: Any) -> None:
    c = safe_client(world, world.manager)
    for change, needle in (({"overlap": 0}, "overlap must be"), ({"ordering": "alphabetical"}, "ordering must be"),
                           ({"lease_seconds": 5}, "lease_seconds must be")):
        r = c.patch(P, json=change)
        assert r.status_code == 422
        assert needle in r.json()["detail"]
    r = c.put(f"{P}/schema", json={"schema": "labels: [unclosed"})
    assert r.status_code == 422
    assert "neither valid YAML nor JSON" in r.json()["detail"]
    r = c.put(f"{P}/schema", json={"schema": {"fields": {"text": "text"}, "labels": [{"name": "x", "kind": "emoji"}]}})
    assert r.status_code == 422
    assert "unknown kind 'emoji'" in r.json()["detail"]


# --- schema changes ----------------------------------------------------------------------------

WITHOUT_NEGATIVE = {"fields": {"text": "text"}, "labels": [
    {"name": "sentiment", "kind": "choice", "options": ["positive", "neutral"], "required": True},
    {"name": "entities", "kind": "spans", "field": "text", "options": ["PER", "ORG", "LOC"]},
]}


def test_breaking_schema_change_lists_what_is_in_use(world: Any) -> None:
    import_records(world, texts(3))
    for client, value in ((world.annotator.client, "negative"), (world.annotator2.client, "negative"),
                          (world.reviewer.client, "positive")):
        t = next_task(client)
        assert t is not None
        assert submit(client, t["id"], {"sentiment": value}).status_code == 201
    c = safe_client(world, world.manager)
    r = c.put(f"{P}/schema", json={"schema": WITHOUT_NEGATIVE})
    assert r.status_code == 409
    # the label and the option in loc, why in msg, how many annotations use it in value
    assert r.json()["errors"] == [{"loc": ["sentiment", "negative"], "msg": "option removed", "value": 2}]
    assert world.manager.client.get(P).json()["schema_version"] == 1
    r = c.put(f"{P}/schema", json={"schema": WITHOUT_NEGATIVE, "allow_breaking": True})
    assert r.status_code == 200
    assert r.json()["schema_version"] == 2
    versions = world.manager.client.get(f"{P}/schema/versions").json()
    assert [v["version"] for v in versions] == [1, 2]
    # old annotations keep the version they were made with; new ones get the new one
    exported = [orjson.loads(line) for line in world.manager.client.get(f"{P}/export").content.splitlines()]
    assert sorted((a["result"]["sentiment"], a["schema_version"]) for rec in exported for a in rec["annotations"]) == [
        ("negative", 1), ("negative", 1), ("positive", 1)]
    import_records(world, texts(1, prefix="new"))
    t = next_task(world.annotator.client)
    assert t is not None and t["schema_version"] == 2
    assert _submit(world, t["id"], {"sentiment": "negative"}).status_code == 422  # gone from the schema
    assert submit(world.annotator.client, t["id"], {"sentiment": "neutral"}).status_code == 201
    item = world.reviewer.client.get(f"{P}/items/{t['id']}").json()
    assert item["annotations"][0]["schema_version"] == 2


def test_a_change_nobody_uses_is_not_breaking(world: Any) -> None:
    import_records(world, texts(1))
    t = next_task(world.annotator.client)
    assert t is not None
    assert submit(world.annotator.client, t["id"], {"sentiment": "positive"}).status_code == 201
    r = safe_client(world, world.manager).put(f"{P}/schema", json={"schema": WITHOUT_NEGATIVE})
    assert r.status_code == 200
    assert r.json()["schema_version"] == 2
