"""Imports that carry quality facts: gold answers in rows, annotations settled as if submitted one by one
(dynamic overlap, final labels of every kind, check warnings), and media references from ``media:<key>``."""

from __future__ import annotations

import io
import random
from typing import Any

import orjson
from sqlalchemy import select

from labelwise.store.tables import annotations, gold_answers, items
from tests.api.helpers import API, add_annotators, submit

P = f"{API}/projects"
SCHEMA = {"fields": {"text": "text"}, "labels": [
    {"name": "sentiment", "kind": "choice", "options": ["positive", "negative", "neutral"], "required": True},
    {"name": "entities", "kind": "spans", "field": "text", "options": ["PER", "LOC"]},
    {"name": "topics", "kind": "multi_choice", "options": ["a", "b", "c"]},
    {"name": "stars", "kind": "rating", "max": 5},
]}
CHECKS = [{"rule": "required", "label": "entities", "mode": "warn"}]
TEXT = "Ada Lovelace met Babbage in London."


def _project(w: Any, name: str, people: int = 0) -> list[Any]:
    r = w.admin.client.post(P, json={"name": name, "schema": SCHEMA, "overlap": 2, "max_overlap": 3,
                                     "checks": CHECKS})
    assert r.status_code == 201, r.text
    w.admin.client.post(f"{P}/{name}/members", json={"email": w.manager.actor.email, "role": "manager"})
    return add_annotators(w, people, project=name, prefix=f"{name}-") if people else []


def _import(w: Any, name: str, rows: list[dict[str, Any]], **params: str) -> Any:
    body = b"\n".join(orjson.dumps(r) for r in rows)
    return w.manager.client.post(f"{P}/{name}/import", params={"format": "jsonl", **params}, content=body)


def _result(rng: random.Random) -> dict[str, Any]:
    out: dict[str, Any] = {"sentiment": rng.choice(["positive", "negative"]),
                           "topics": sorted(rng.sample(["a", "b", "c"], rng.randint(0, 2))),
                           "stars": rng.randint(1, 5)}
    spans = [s for s in ({"start": 0, "end": rng.choice([3, 12]), "label": "PER"},
                         {"start": 28, "end": 34, "label": rng.choice(["LOC", "PER"])}) if rng.random() < 0.7]
    if spans:
        out["entities"] = spans
    return out


def _state(w: Any, name: str) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """By item key: (state, is_open), final labels, check warnings per annotator."""
    with w.ctx.db.read() as conn:
        pid = conn.exec_driver_sql(f"SELECT id FROM projects WHERE name = '{name}'").scalar_one()
        rows = conn.execute(select(items.c.id, items.c.key, items.c.state, items.c.is_open, items.c.n_submitted)
                            .where(items.c.project_id == pid)).all()
        anns = conn.execute(select(annotations.c.item_id, annotations.c.user_id, annotations.c.checks)
                            .where(annotations.c.project_id == pid, annotations.c.status == "submitted")).all()
        emails = dict(conn.exec_driver_sql("SELECT id, email FROM users").all())
    key = {r.id: r.key for r in rows}
    finals = w.manager.client.get(f"{P}/{name}/quality/final", params={"limit": 1000}).json()["items"]
    return ({r.key: (r.state, r.is_open, r.n_submitted) for r in rows},
            {key[f["item_id"]]: f["final"] for f in finals},
            {(key[a.item_id], emails[a.user_id].split("-", 1)[1]): a.checks for a in anns})


def test_imported_annotations_settle_like_submitted_ones(world: Any) -> None:
    rng = random.Random(4)
    imported, submitted = "imported", "submitted"
    _project(world, imported, 3)
    people = _project(world, submitted, 3)
    rows, plan = [], []
    for i in range(40):
        results = [_result(rng) for _ in range(2)]
        agree = all(r == results[0] for r in results) or rng.random() < 0.3
        if agree:
            results[1] = results[0]
        elif rng.random() < 0.8:  # dynamic overlap asks for a third annotator
            results.append(_result(rng))
        n = rng.choice([0, 1, len(results)]) if i % 5 == 0 else len(results)
        results = results[:n]
        rows.append({"key": f"k{i}", "data": {"text": TEXT},
                     "annotations": [{"annotator": f"{imported}-{j}@example.org", "result": r}
                                     for j, r in enumerate(results)]})
        plan.append(results)
    r = _import(world, imported, rows, labels="annotations")
    assert r.status_code == 201, r.text
    assert r.json()["annotations"] == sum(len(p) for p in plan)
    r = _import(world, submitted, [{"key": row["key"], "data": row["data"]} for row in rows])
    assert r.status_code == 201, r.text
    ids = {row.key: row.id for row in _items(world, submitted)}
    for i, results in enumerate(plan):
        for j, result in enumerate(results):
            got = submit(people[j].client, ids[f"k{i}"], result, submitted)
            assert got.status_code == 201, (i, j, got.text)
    a, b = _state(world, imported), _state(world, submitted)
    assert a[0] == b[0]  # states, openness (dynamic overlap) and counts
    assert a[1] == b[1]  # final labels of every kind, with method and confidence
    assert a[2] == b[2]  # check warnings per annotation
    assert {v[0] for v in a[0].values()} >= {"new", "in_progress", "annotated"}
    assert any(v[1] and v[2] == 2 for v in a[0].values())  # open for a third after a disagreement
    assert {f["entities"]["method"] for f in a[1].values() if "entities" in f} == {"region_consensus"}


def _items(w: Any, name: str) -> list[Any]:
    with w.ctx.db.read() as conn:
        pid = conn.exec_driver_sql(f"SELECT id FROM projects WHERE name = '{name}'").scalar_one()
        return list(conn.execute(select(items.c.id, items.c.key).where(items.c.project_id == pid)).all())


def test_gold_answers_in_import_rows(world: Any) -> None:
    _project(world, "g")
    rows = [{"key": "plain", "text": TEXT},
            {"key": "golden", "text": TEXT, "gold": {"sentiment": "positive",
                                                     "entities": [{"start": 0, "end": 12, "label": "PER"}]}},
            {"key": "csv-style", "text": TEXT, "gold": '{"sentiment": "negative"}'}]
    r = _import(world, "g", rows)
    assert r.status_code == 201, r.text
    assert r.json()["gold"] == 2
    with world.ctx.db.read() as conn:
        gold = dict(conn.execute(select(items.c.key, gold_answers.c.result)
                                 .join(gold_answers, gold_answers.c.item_id == items.c.id)).all())
        state = dict(conn.execute(select(items.c.key, items.c.is_open)).all())
    assert gold == {"golden": {"sentiment": "positive", "entities": [{"start": 0, "end": 12, "label": "PER"}]},
                    "csv-style": {"sentiment": "negative"}}
    assert state == {"plain": True, "golden": False, "csv-style": False}  # gold leaves the regular queue
    assert "gold" not in world.manager.client.get(f"{P}/g/items").json()["items"][0].get("data", {})

    bad = [{"key": "x1", "text": TEXT}, {"key": "x2", "text": TEXT, "gold": {"sentiment": "furious"}},
           {"key": "x3", "text": TEXT, "gold": "[1, 2]"}]
    r = _import(world, "g", bad)
    assert r.status_code == 422, r.text
    errors = r.json()["errors"]
    assert [e["row"] for e in errors] == [2, 3]
    assert "gold" in errors[0]["msg"] and "furious" in errors[0]["msg"] and errors[1]["msg"] == "gold must be an object"
    with world.ctx.db.read() as conn:  # atomic: nothing of the rejected import
        assert conn.execute(select(items.c.id).where(items.c.key == "x1")).first() is None
        assert len(conn.execute(select(gold_answers.c.item_id)).all()) == 2


def test_media_refs_from_json_rows(world: Any, tmp_path: Any) -> None:
    from tests.media_files import png

    schema = {"fields": {"image": "image"}, "labels": [
        {"name": "boxes", "kind": "bbox", "field": "image", "options": ["car"]}]}
    for name in ("pics", "copy"):
        assert world.admin.client.post(P, json={"name": name, "schema": schema}).status_code == 201
        world.admin.client.post(f"{P}/{name}/members", json={"email": world.manager.actor.email, "role": "manager"})
    picture = png(tmp_path / "a.png", 32, 24).read_bytes()
    r = world.manager.client.post(f"{P}/pics/media", files=[("files", ("a.png", picture))])
    assert r.status_code == 201, r.text
    export = world.manager.client.get(f"{P}/pics/export", params={"format": "jsonl"}).content
    key = orjson.loads(export.splitlines()[0])["data"]["image"].removeprefix("media:")
    assert world.manager.client.get(f"{P}/copy/media/{key}").status_code == 404  # not referred to yet
    r = world.manager.client.post(f"{P}/copy/import", params={"format": "jsonl"}, content=export)
    assert r.status_code == 201, r.text
    got = world.manager.client.get(f"{P}/copy/media/{key}")
    assert got.status_code == 200 and got.content == picture
    assert world.manager.client.get(f"{P}/copy/media/{key}/info").json()["facts"]["width"] == 32

    missing = "ab/ab" + "0" * 62 + ".png"
    rows = [{"key": "fine", "image": f"media:{key}"}, {"key": "gone", "image": f"media:{missing}"}]
    r = world.manager.client.post(f"{P}/copy/import", params={"format": "jsonl"},
                                  content=b"\n".join(orjson.dumps(x) for x in rows))
    assert r.status_code == 422, r.text
    assert r.json()["errors"][0]["row"] == 2 and "not in this instance's media store" in r.json()["errors"][0]["msg"]
    assert io.BytesIO(got.content).read(4) == picture[:4]
