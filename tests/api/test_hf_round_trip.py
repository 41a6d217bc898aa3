"""A Hugging Face export with every annotation, imported into a new project and exported again, gives the same
file (and the same ``datasets`` rows) when annotators disagree; the confidence becomes a prediction's score."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson

from tests.api.helpers import API, add_annotators, next_task, submit

P = f"{API}/projects"
SCHEMA = {"fields": {"text": "text"}, "labels": [
    {"name": "sentiment", "kind": "choice", "options": ["positive", "negative", "neutral"]},
    {"name": "topics", "kind": "multi_choice", "options": ["sport", "politics"]}]}


def _project(w: Any, name: str, emails: list[str]) -> None:
    r = w.admin.client.post(P, json={"name": name, "schema": SCHEMA, "overlap": 3})
    assert r.status_code == 201, r.text
    for email in [w.manager.actor.email, *emails]:
        role = "manager" if email == w.manager.actor.email else "annotator"
        assert w.admin.client.post(f"{P}/{name}/members", json={"email": email, "role": role}).status_code == 201


def _export(w: Any, project: str) -> bytes:
    r = w.manager.client.get(f"{P}/{project}/export", params={"format": "hf-parquet", "opt.annotations": "true"})
    assert r.status_code == 200, r.text
    return r.content


def _rows(path: Path, body: bytes, cache: Path) -> list[dict[str, Any]]:
    import datasets

    path.write_bytes(body)
    ds = datasets.load_dataset("parquet", data_files=str(path), split="train", cache_dir=str(cache))
    assert ds.features["sentiment"].names == ["positive", "negative", "neutral"]
    return list(ds)


def test_disagreeing_annotators_round_trip(world: Any, tmp_path: Path) -> None:
    third = add_annotators(world, 1, project="demo")[0]
    people = [world.annotator, world.annotator2, third]
    _project(world, "src", [p.actor.email for p in people])
    texts = [{"key": f"t{i}", "text": f"text {i}"} for i in range(3)]
    r = world.manager.client.post(f"{P}/src/records", json={"records": texts})
    assert r.status_code == 201, r.text
    first_item = next_task(world.annotator.client, "src")["id"]  # type: ignore[index]
    assert {next_task(p.client, "src")["id"] for p in people[1:]} == {first_item}  # type: ignore[index]
    answers = {  # t0: two of three, the first lease submitting last; t1: a tie and an empty result; t2: agreement
        world.annotator.actor.email: [{"sentiment": "negative", "topics": ["sport"]}, {"sentiment": "neutral"},
                                      {"sentiment": "positive"}],
        world.annotator2.actor.email: [{"sentiment": "positive"}, {"sentiment": "positive"},
                                       {"sentiment": "positive", "topics": ["politics"]}],
        third.actor.email: [{"sentiment": "positive", "topics": ["politics", "sport"]}, {}, {"sentiment": "positive"}],
    }
    order = [world.annotator2, third, world.annotator]  # the first lease submits last
    for p in order:
        assert submit(p.client, first_item, answers[p.actor.email][0], "src").status_code == 201
    for i in (1, 2):
        for p in order if i == 2 else [world.annotator2, world.annotator, third]:
            task = next_task(p.client, "src")
            assert task is not None
            assert submit(p.client, task["id"], answers[p.actor.email][i], "src").status_code == 201
    first = _export(world, "src")

    _project(world, "copy", [p.actor.email for p in people])
    r = world.manager.client.post(f"{P}/copy/import", params={"format": "hf-parquet", "filename": "in.parquet"},
                                  content=first)
    assert r.status_code == 201, r.text
    assert (r.json()["created"], r.json()["annotations"]) == (3, 9)
    again = _export(world, "copy")
    assert again == first
    rows = _rows(tmp_path / "first.parquet", first, tmp_path / "c1")
    assert rows == _rows(tmp_path / "again.parquet", again, tmp_path / "c2")
    assert [(r["key"], r["sentiment"], r["sentiment_confidence"]) for r in rows] == [
        ("t0", 0, 2 / 3), ("t1", 0, 0.5), ("t2", 0, 1.0)]
    assert [a["annotator"] for a in orjson.loads(rows[0]["annotations"])] == [
        world.annotator2.actor.email, third.actor.email, world.annotator.actor.email]


def test_a_tie_keeps_its_winner(world: Any, tmp_path: Path) -> None:
    people = [world.annotator, world.annotator2]
    _project(world, "tie", [p.actor.email for p in people])
    r = world.manager.client.post(f"{P}/tie/records", json={"records": [{"key": "k", "text": "hmm"}]})
    assert r.status_code == 201, r.text
    item = next_task(world.annotator.client, "tie")["id"]  # type: ignore[index]
    assert next_task(world.annotator2.client, "tie")["id"] == item  # type: ignore[index]
    assert submit(world.annotator2.client, item, {"sentiment": "neutral"}, "tie").status_code == 201
    assert submit(world.annotator.client, item, {"sentiment": "negative"}, "tie").status_code == 201
    first = _export(world, "tie")
    _project(world, "tie2", [p.actor.email for p in people])
    r = world.manager.client.post(f"{P}/tie2/import", params={"format": "hf-parquet", "filename": "in.parquet"},
                                  content=first)
    assert r.status_code == 201, r.text
    again = _export(world, "tie2")
    assert again == first
    rows = _rows(tmp_path / "tie.parquet", again, tmp_path / "c")
    assert (rows[0]["sentiment"], rows[0]["sentiment_confidence"]) == (2, 0.5)  # neutral: submitted first


def test_final_values_as_predictions_scored_by_confidence(world: Any) -> None:
    _project(world, "p1", [world.annotator.actor.email, world.annotator2.actor.email])
    r = world.manager.client.post(f"{P}/p1/records", json={"records": [{"key": "k", "text": "hmm"}]})
    assert r.status_code == 201, r.text
    for who, value in ((world.annotator, "negative"), (world.annotator2, "negative")):
        task = next_task(who.client, "p1")
        assert submit(who.client, task["id"], {"sentiment": value}, "p1").status_code == 201  # type: ignore[index]
    r = world.manager.client.get(f"{P}/p1/export", params={"format": "hf-parquet"})
    body = r.content
    _project(world, "p2", [])
    r = world.manager.client.post(f"{P}/p2/import", content=body, params={
        "format": "hf-parquet", "filename": "in.parquet", "labels": "predictions", "model": "crowd"})
    assert r.status_code == 201, r.text
    item = world.manager.client.get(f"{P}/p2/items").json()["items"][0]
    detail = world.manager.client.get(f"{P}/p2/items/{item['id']}").json()
    assert detail["annotations"] == []
    assert [(p["model"], p["score"], p["result"]) for p in detail["predictions"]] == [
        ("crowd", 1.0, {"sentiment": "negative"})]
