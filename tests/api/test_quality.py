"""Quality assurance in the platform: dynamic overlap on real crowd labels (RTE, Snow et al. 2008), gold
items, final labels equal to ``labelwise.qa``, automatic checks, review sampling, dashboards."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from labelwise import qa
from tests.api.helpers import API, add_annotators, import_records, next_task, set_project, submit, texts

RTE = Path(__file__).resolve().parents[2].parent / "shared" / "datasets" / "rte"
P = f"{API}/projects"
RTE_SCHEMA = {"fields": {"text": "text"},
              "labels": [{"name": "entailment", "kind": "choice", "options": ["0", "1"], "required": True}]}


def _rte(n_items: int, n_gold: int) -> tuple[pd.DataFrame, dict[str, str]]:
    """The first ``n_items + n_gold`` RTE items with the labels of their first four workers (position 0-3 plays
    platform annotator 0-3), and the expert truth."""
    labels = pd.read_csv(RTE / "labels.csv", dtype=str)
    truth = pd.read_csv(RTE / "truth.csv", dtype=str).set_index("item")["label"].to_dict()
    chosen = sorted(labels["item"].unique(), key=int)[: n_items + n_gold]
    sub = labels[labels["item"].isin(chosen)].groupby("item", sort=False).head(4).copy()
    sub["pos"] = sub.groupby("item").cumcount()
    return sub, {i: truth[i] for i in chosen}


def _work(client: Any, project: str, answers: dict[str, str], seen: list[dict[str, Any]]) -> int:
    """Take tasks until none is left, answering each with this annotator's real label."""
    done = 0
    while (task := next_task(client, project)) is not None:
        seen.append(task)
        r = submit(client, task["id"], {"entailment": answers[task["key"]]}, project)
        assert r.status_code == 201, r.text
        done += 1
    return done


def test_platform_flow_on_rte(world: Any) -> None:
    n_items, n_gold = 30, 3
    sub, truth = _rte(n_items, n_gold)
    keys = sorted(truth, key=int)
    regular, gold_keys = keys[:n_items], keys[n_items:]
    r = world.admin.client.post(f"{P}", json={"name": "rte", "schema": RTE_SCHEMA, "overlap": 3, "max_overlap": 4,
                                              "gold_share": 0.1})
    assert r.status_code == 201, r.text
    assert r.json()["max_overlap"] == 4
    people = add_annotators(world, 4, project="rte")
    assert world.admin.client.post(f"{P}/rte/members", json={"email": world.manager.actor.email,
                                                              "role": "manager"}).status_code == 201
    ids = import_records(world, [{"key": k, "text": f"RTE pair {k}"} for k in keys], project="rte")
    by_key = dict(zip(keys, ids, strict=True))
    for k in gold_keys:
        r = world.manager.client.put(f"{P}/rte/items/{by_key[k]}/gold", json={"result": {"entailment": truth[k]}})
        assert r.status_code == 200, r.text

    answers = [{row.item: row.label for row in sub[sub["pos"] == pos].itertuples()} for pos in range(4)]
    seen: list[list[dict[str, Any]]] = [[] for _ in range(4)]
    for pos in range(3):
        _work(people[pos].client, "rte", answers[pos], seen[pos])
    first3 = sub[sub["pos"] < 3].groupby("item")["label"].nunique()
    disagree = {k for k in regular if first3[k] > 1}
    assert 0 < len(disagree) < n_items
    _work(people[3].client, "rte", answers[3], seen[3])
    fourth_regular = {t["key"] for t in seen[3]} - set(gold_keys)
    assert fourth_regular == disagree  # dynamic overlap: a fourth annotator only where the three disagree

    # gold: served to everybody, as a share of the work, looking like any other task
    for pos in range(3):
        got = [t["key"] for t in seen[pos]]
        assert sorted(set(got) & set(gold_keys)) == sorted(gold_keys)
        assert {t["state"] for t in seen[pos] if t["key"] in gold_keys} == {"in_progress"}
        assert {frozenset(t) for t in seen[pos]} == {frozenset(seen[pos][0])}  # same fields on every task
    items = world.admin.client.get(f"{P}/rte/items", params={"limit": 100}).json()["items"]
    n_sub = {i["key"]: i["n_submitted"] for i in items}
    assert {k: n_sub[k] for k in regular} == {k: 4 if k in disagree else 3 for k in regular}

    dash = world.manager.client.get(f"{P}/rte/quality/dashboard").json()
    table = {a["annotator"]: a for a in dash["annotators"]}
    for pos in range(4):
        mine = [k for k in gold_keys if k in {t["key"] for t in seen[pos]}]
        expected = sum(answers[pos][k] == truth[k] for k in mine) / len(mine) if mine else None
        row = table[people[pos].actor.email]
        assert row["gold_answers"] == len(mine)
        assert row["gold_accuracy"] == expected
        assert row["volume"] == len(seen[pos])

    # final labels: majority vote per item on submit, Dawid-Skene over the project on demand
    long = pd.DataFrame([(k, people[pos].actor.email, answers[pos][k]) for pos in range(4) for k in regular
                         if pos < 3 or k in disagree], columns=["item", "annotator", "label"])
    finals = _finals(world, "rte", by_key)
    for k, group in long.groupby("item"):
        votes = group["label"].value_counts()
        if (votes == votes.max()).sum() == 1:  # ties aside, a plain majority
            assert finals[k]["entailment"]["value"] == votes.idxmax()
            assert finals[k]["entailment"]["method"] == "majority_vote"
    r = world.manager.client.post(f"{P}/rte/quality/final/recompute")
    assert r.status_code == 200, r.text
    assert r.json()["labels"]["entailment"]["method"] == "dawid_skene"
    expected_ds = qa.aggregate(long, "dawid_skene").set_index("item")
    finals = _finals(world, "rte", by_key)
    assert set(finals) == set(regular)
    for k in regular:
        f = finals[k]["entailment"]
        assert (f["value"], f["confidence"], f["method"]) == (expected_ds.loc[k, "label"],
                                                              float(expected_ds.loc[k, "confidence"]), "dawid_skene")
    alpha = qa.agreement(long, "krippendorff_alpha")
    assert dash["labels"]["entailment"]["alpha"] == pytest.approx(alpha, abs=1e-12)

    export = world.manager.client.get(f"{P}/rte/export", params={"format": "jsonl"})
    exported = {rec["key"]: rec["final"] for rec in map(json.loads, export.text.splitlines())}
    for k in regular:  # the JSONL record carries the final labels
        assert exported[k]["entailment"]["value"] == expected_ds.loc[k, "label"]
    assert all(exported[k] == {} for k in gold_keys)


def _finals(world: Any, project: str, by_key: dict[str, int]) -> dict[str, dict[str, Any]]:
    key_of = {v: k for k, v in by_key.items()}
    page = world.manager.client.get(f"{P}/{project}/quality/final", params={"limit": 1000}).json()
    return {key_of[i["item_id"]]: i["final"] for i in page["items"]}


def test_gold_pause_and_mistakes(world: Any) -> None:
    ids = import_records(world, texts(12))
    set_project(world, gold_share=0.5, gold_min_accuracy=0.75, gold_min_answers=2, gold_pause=True,
                guidelines="Positive means the writer is happy.")
    for item_id in ids[:3]:
        r = world.manager.client.put(f"{P}/demo/items/{item_id}/gold", json={"result": {"sentiment": "positive"}})
        assert r.status_code == 200
    a = world.annotator.client
    gold_seen = 0
    for _ in range(8):
        task = next_task(a)
        if task is None or task["id"] not in ids[:3]:
            if task is not None:
                assert submit(a, task["id"], {"sentiment": "neutral"}).status_code == 201
            continue
        gold_seen += 1
        assert submit(a, task["id"], {"sentiment": "negative"}).status_code == 201  # wrong on purpose
        if gold_seen == 2:
            break
    assert gold_seen == 2
    r = a.post(f"{P}/demo/tasks/next")
    assert r.status_code == 403
    assert "paused" in r.json()["detail"] and "0%" in r.json()["detail"]
    m = a.get(f"{P}/demo/quality/gold/mistakes").json()
    assert m["paused"] and m["accuracy"] == 0.0 and m["guidelines"].startswith("Positive")
    assert [(x["given"], x["expected"]) for x in m["mistakes"]] == [("negative", "positive")] * 2
    assert m["mistakes"][0]["data"]["text"].startswith("item ")
    # another annotator may not read them; a reviewer may
    assert world.annotator2.client.get(f"{P}/demo/quality/gold/mistakes",
                                       params={"annotator": "annotator@example.org"}).status_code == 403
    assert world.reviewer.client.get(f"{P}/demo/quality/gold/mistakes",
                                     params={"annotator": "annotator@example.org"}).json()["answers"] == 2
    # unmarking puts the item back in the regular queue
    assert world.manager.client.delete(f"{P}/demo/items/{ids[0]}/gold").status_code == 200
    assert world.manager.client.delete(f"{P}/demo/items/{ids[0]}/gold").status_code == 404


def test_checks_block_and_warn(world: Any) -> None:
    ids = import_records(world, [{"text": "Alice met Bob in Paris"}] * 1 + texts(3))
    set_project(world, checks=[
        {"rule": "span_tokens", "label": "entities", "mode": "block"},
        {"rule": "forbidden_combination", "values": {"sentiment": "negative", "entities": "LOC"}, "mode": "block",
         "name": "no-negative-places"},
        {"rule": "required", "label": "entities", "mode": "warn"},
    ])
    a = world.annotator.client
    task = next_task(a)
    assert task is not None and task["id"] == ids[0]
    r = submit(a, ids[0], {"sentiment": "positive", "entities": [{"start": 0, "end": 3, "label": "PER"}]})
    assert r.status_code == 422 and "span_tokens:entities" in r.json()["detail"] and "splits a word" in r.text
    r = submit(a, ids[0], {"sentiment": "negative", "entities": [{"start": 17, "end": 22, "label": "LOC"}]})
    assert r.status_code == 422 and "no-negative-places" in r.json()["detail"]
    r = submit(a, ids[0], {"sentiment": "positive", "entities": [{"start": 0, "end": 5, "label": "PER"}]})
    assert r.status_code == 201 and r.json()["warnings"] == []
    task = next_task(a)
    r = submit(a, task["id"], {"sentiment": "neutral"})
    assert r.status_code == 201
    assert [w["rule"] for w in r.json()["warnings"]] == ["required:entities"]
    # in bulk, over what is stored (a rule added later finds old annotations too)
    set_project(world, checks=[{"rule": "forbidden_combination", "values": {"sentiment": "neutral"}, "mode": "warn"},
                               {"rule": "required", "label": "entities", "mode": "warn"}])
    bulk = world.reviewer.client.get(f"{P}/demo/quality/checks").json()
    assert bulk["checked"] == 2
    assert bulk["counts"] == {"forbidden_combination:sentiment": 1, "required:entities": 1}
    assert {v["item_id"] for v in bulk["violations"]} == {task["id"]}
    bad = world.manager.client.patch(f"{P}/demo", json={"checks": [{"rule": "nope"}]})
    assert bad.status_code == 422 and "rule must be one of" in bad.json()["detail"]


@pytest.mark.parametrize("sampling", ["random", "risk"])
def test_review_sampling_share(world: Any, sampling: str) -> None:
    n = 40
    ids = import_records(world, texts(n))
    set_project(world, overlap=2, review_share=0.25, review_sampling=sampling)
    a, b = world.annotator.client, world.annotator2.client
    disagree = set(ids[:6])
    for client, value in ((a, "positive"), (b, None)):
        while (task := next_task(client)) is not None:
            answer = value or ("negative" if task["id"] in disagree else "positive")
            assert submit(client, task["id"], {"sentiment": answer}).status_code == 201
    queue = world.reviewer.client.get(f"{P}/demo/review/queue", params={"limit": 200}).json()
    assert len(queue) == math.ceil(0.25 * n)
    if sampling == "risk":
        assert disagree <= {i["id"] for i in queue}  # the riskiest items first
    # a review outcome feeds the annotator's score
    ann = next(x for x in queue[0]["annotations"] if x["annotator"] == "annotator@example.org")
    r = world.reviewer.client.post(f"{P}/demo/annotations/{ann['id']}/review", json={"action": "accept"})
    assert r.status_code == 200
    table = {x["annotator"]: x for x in world.manager.client.get(f"{P}/demo/quality/dashboard").json()["annotators"]}
    assert table["annotator@example.org"]["review_acceptance"] == 1.0
    assert table["annotator2@example.org"]["review_acceptance"] is None


def test_low_confidence_goes_to_review_and_settings_reset(world: Any) -> None:
    ids = import_records(world, texts(4))
    set_project(world, overlap=2, review_share=0.0, review_confidence=0.9)
    for client, values in ((world.annotator.client, "positive"), (world.annotator2.client, "negative")):
        while (task := next_task(client)) is not None:
            answer = values if task["id"] == ids[0] else "positive"
            assert submit(client, task["id"], {"sentiment": answer}).status_code == 201
    queue = world.reviewer.client.get(f"{P}/demo/review/queue").json()
    assert [i["id"] for i in queue] == [ids[0]]
    project = set_project(world, review_share=None, review_confidence=None)
    assert project["review_share"] is None
    assert len(world.reviewer.client.get(f"{P}/demo/review/queue").json()) == 4
