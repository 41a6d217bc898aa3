"""The annotation queue: overlap, leases, skips, drafts, ordering, visibility, concurrency."""

from __future__ import annotations

import threading
from collections import Counter, defaultdict
from typing import Any

import pytest

from tests.api.helpers import (
    API,
    add_annotators,
    annotation_rows,
    expire_lease,
    import_records,
    item_row,
    next_task,
    set_project,
    submit,
    texts,
)

P = f"{API}/projects/demo"
POS = {"sentiment": "positive"}


@pytest.mark.parametrize("overlap", [1, 2, 3])
def test_overlap_gives_each_item_exactly_n_distinct_annotators(world: Any, overlap: int) -> None:
    set_project(world, overlap=overlap)
    ids = import_records(world, texts(5))
    crowd = add_annotators(world, 4)
    per_person: dict[str, list[int]] = defaultdict(list)
    for _ in range(len(ids)):  # more than enough rounds: each person can do each item once at most
        for m in crowd:
            task = next_task(m.client)
            if task is None:
                continue
            assert task["id"] not in per_person[m.actor.email], "offered the same item twice"
            per_person[m.actor.email].append(task["id"])
            assert submit(m.client, task["id"], POS).status_code == 201
    for m in crowd:
        assert next_task(m.client) is None
    done = Counter(i for got in per_person.values() for i in got)
    assert done == dict.fromkeys(ids, overlap)
    for item_id in ids:
        rows = annotation_rows(world, item_id)
        assert [r["status"] for r in rows] == ["submitted"] * overlap
        assert len({r["user_id"] for r in rows}) == overlap
        assert item_row(world, item_id)["n_submitted"] == overlap
        assert item_row(world, item_id)["state"] == "annotated"


def test_next_returns_the_same_leased_task_on_repeat(world: Any) -> None:
    import_records(world, texts(3))
    first = next_task(world.annotator.client)
    again = next_task(world.annotator.client)
    assert first is not None and again is not None
    assert again["id"] == first["id"]
    assert again["status"] == "leased"
    assert len(annotation_rows(world)) == 1
    other = next_task(world.annotator2.client)
    assert other is not None and other["id"] != first["id"]


def test_expired_lease_returns_the_item_to_the_pool(world: Any) -> None:
    assert set_project(world, lease_seconds=10)["lease_seconds"] == 10
    [item] = import_records(world, texts(1))
    a, b = world.annotator, world.annotator2
    task = next_task(a.client)
    assert task is not None and task["id"] == item
    assert next_task(b.client) is None  # the only slot is leased
    assert world.reviewer.client.get(f"{P}/items/count").json()["by_state"]["in_progress"] == 1
    expire_lease(world, item, a.actor.id)
    taken = next_task(b.client)
    assert taken is not None and taken["id"] == item
    # a submits on the dead lease after b took the slot: refused, b's lease untouched
    r = submit(a.client, item, POS)
    assert r.status_code == 409
    assert "lease expired" in r.json()["detail"]
    assert world.annotator.client.post(f"{P}/tasks/{item}/lease").status_code == 409
    assert next_task(a.client) is None
    assert submit(b.client, item, POS).status_code == 201
    assert [(r["user_id"], r["status"]) for r in annotation_rows(world, item)] == [(b.actor.id, "submitted")]


def test_expired_lease_can_still_submit_while_the_slot_is_free(world: Any) -> None:
    set_project(world, lease_seconds=10)
    [item] = import_records(world, texts(1))
    assert next_task(world.annotator.client) is not None
    expire_lease(world, item, world.annotator.actor.id)
    assert submit(world.annotator.client, item, POS).status_code == 201


def test_renewing_a_lease_moves_its_expiry(world: Any) -> None:
    set_project(world, lease_seconds=10)
    [item] = import_records(world, texts(1))
    assert next_task(world.annotator.client) is not None
    expire_lease(world, item, world.annotator.actor.id)
    r = world.annotator.client.post(f"{P}/tasks/{item}/lease")
    assert r.status_code == 200
    assert next_task(world.annotator2.client) is None  # renewed: the slot is held again


def test_second_submission_for_one_lease_is_a_conflict(world: Any) -> None:
    import_records(world, texts(2))
    task = next_task(world.annotator.client)
    assert task is not None
    assert submit(world.annotator.client, task["id"], POS).status_code == 201
    r = submit(world.annotator.client, task["id"], {"sentiment": "negative"})
    assert r.status_code == 409
    assert "already submitted" in r.json()["detail"]
    [row] = annotation_rows(world, task["id"])
    assert row["result"] == POS
    assert item_row(world, task["id"])["n_submitted"] == 1


def test_submit_without_a_lease_takes_a_free_slot_but_not_a_full_item(world: Any) -> None:
    [item] = import_records(world, texts(1))
    assert submit(world.annotator.client, item, POS).status_code == 201
    r = submit(world.annotator2.client, item, POS)
    assert r.status_code == 409
    assert "has all 1 annotation(s)" in r.json()["detail"]


def test_skip_is_never_offered_again(world: Any) -> None:
    ids = import_records(world, texts(2))
    a = world.annotator.client
    task = next_task(a)
    assert task is not None and task["id"] == ids[0]
    r = a.post(f"{P}/tasks/{ids[0]}/skip", json={"reason": "not English"})
    assert r.status_code == 200
    nxt = next_task(a)
    assert nxt is not None and nxt["id"] == ids[1]
    assert submit(a, ids[1], POS).status_code == 201
    assert next_task(a) is None
    # someone else still gets the skipped item
    other = next_task(world.annotator2.client)
    assert other is not None and other["id"] == ids[0]
    history = a.get(f"{P}/history").json()
    assert [(h["item_id"], h["status"], h["skip_reason"]) for h in history] == [
        (ids[1], "submitted", None), (ids[0], "skipped", "not English")]
    # a skipped item cannot be submitted by way of a draft, nor skipped after a submission
    assert a.put(f"{P}/tasks/{ids[0]}/draft", json={"draft": POS}).status_code == 409
    assert a.post(f"{P}/tasks/{ids[1]}/skip", json={}).status_code == 409


def test_skip_frees_the_slot_for_others(world: Any) -> None:
    [item] = import_records(world, texts(1))
    assert next_task(world.annotator.client) is not None
    assert next_task(world.annotator2.client) is None
    assert world.annotator.client.post(f"{P}/tasks/{item}/skip", json={}).status_code == 200
    got = next_task(world.annotator2.client)
    assert got is not None and got["id"] == item


def test_drafts_are_kept_and_returned_with_the_task(world: Any) -> None:
    import_records(world, [{"text": "Ada Lovelace wrote notes"}])
    a = world.annotator.client
    task = next_task(a)
    assert task is not None and task["draft"] is None
    draft = {"entities": [{"start": 0, "end": 12, "label": "PER"}]}  # partial: sentiment still missing
    r = a.put(f"{P}/tasks/{task['id']}/draft", json={"draft": draft, "lead_time": 3.5})
    assert r.status_code == 200
    assert r.json()["draft"] == draft
    again = next_task(a)
    assert again is not None and again["draft"] == draft
    assert a.get(f"{P}/tasks/{task['id']}").json()["draft"] == draft
    # a draft is still checked against the schema, loosely
    bad = a.put(f"{P}/tasks/{task['id']}/draft", json={"draft": {"sentiment": "joy"}})
    assert bad.status_code == 422
    r = submit(a, task["id"], {"sentiment": "neutral", **draft})
    assert r.status_code == 201
    [row] = annotation_rows(world, task["id"])
    assert row["draft"] is None
    assert row["lead_time"] == 3.5


def test_update_own_annotation(world: Any) -> None:
    [item] = import_records(world, texts(1))
    a = world.annotator.client
    assert submit(a, item, POS).status_code == 201
    r = a.put(f"{P}/tasks/{item}/annotation", json={"result": {"sentiment": "negative"}})
    assert r.status_code == 200
    assert r.json()["result"] == {"sentiment": "negative"}
    assert a.get(f"{P}/tasks/{item}").json()["result"] == {"sentiment": "negative"}
    assert item_row(world, item)["n_submitted"] == 1
    # nobody else can update it: they have no annotation there
    r = world.annotator2.client.put(f"{P}/tasks/{item}/annotation", json={"result": POS})
    assert r.status_code == 404
    # an update still validates
    assert a.put(f"{P}/tasks/{item}/annotation", json={"result": {}}).status_code == 422


def _drain(client: Any) -> list[int]:
    order = []
    while (task := next_task(client)) is not None:
        order.append(task["id"])
        assert submit(client, task["id"], POS).status_code == 201
    return order


def test_sequential_ordering_follows_import_order(world: Any) -> None:
    ids = import_records(world, texts(15))
    assert _drain(world.annotator.client) == ids


def test_random_ordering_is_a_shuffle(world: Any) -> None:
    set_project(world, ordering="random")
    ids = import_records(world, texts(30))
    order = _drain(world.annotator.client)
    assert sorted(order) == ids
    assert order != ids  # 1 chance in 30! to fail


def test_switching_to_random_reshuffles_existing_items(world: Any) -> None:
    ids = import_records(world, texts(30))
    set_project(world, ordering="random")
    order = _drain(world.annotator.client)
    assert sorted(order) == ids
    assert order != ids


def _with_scores(scores: list[float | None]) -> list[dict[str, Any]]:
    out = []
    for i, s in enumerate(scores):
        rec: dict[str, Any] = {"text": f"scored {i}"}
        if s is not None:
            rec["predictions"] = [{"model": "m", "score": s, "result": {"sentiment": "positive"}},
                                  {"model": "m2", "score": min(1.0, s + 0.3), "result": {"sentiment": "negative"}}]
        out.append(rec)
    return out


SCORES = [0.9, None, 0.1, 0.5, 0.05, None, 0.7]


def _expected_uncertainty_order(ids: list[int]) -> list[int]:
    scored = sorted((s, i) for i, s in zip(ids, SCORES, strict=True) if s is not None)
    return [i for _, i in scored] + [i for i, s in zip(ids, SCORES, strict=True) if s is None]


def test_uncertainty_ordering_lowest_score_first(world: Any) -> None:
    set_project(world, ordering="uncertainty")
    ids = import_records(world, _with_scores(SCORES))
    first = next_task(world.annotator.client)
    assert first is not None
    assert [p["score"] for p in first["predictions"]] == [0.05, pytest.approx(0.35)]
    assert submit(world.annotator.client, first["id"], POS).status_code == 201
    assert [first["id"], *_drain(world.annotator.client)] == _expected_uncertainty_order(ids)


def test_switching_to_uncertainty_reorders_existing_items(world: Any) -> None:
    ids = import_records(world, _with_scores(SCORES))
    set_project(world, ordering="uncertainty")
    assert _drain(world.annotator.client) == _expected_uncertainty_order(ids)


@pytest.mark.parametrize("show_others", [False, True])
def test_show_others(world: Any, show_others: bool) -> None:
    set_project(world, overlap=2, show_others=show_others)
    [item] = import_records(world, texts(1))
    assert submit(world.annotator.client, item, {"sentiment": "negative"}).status_code == 201
    task = next_task(world.annotator2.client)
    assert task is not None and task["id"] == item
    text = world.annotator2.client.get(f"{P}/tasks/{item}").text
    if show_others:
        assert task["others"] == [{"annotator": "annotator@example.org", "result": {"sentiment": "negative"}}]
    else:
        assert "others" not in task
        assert "negative" not in text and "annotator@example.org" not in text
    # never one's own result among the others
    mine = world.annotator.client.get(f"{P}/tasks/{item}").json()
    assert mine.get("others", []) == []


@pytest.mark.parametrize("overlap", [1, 2])
def test_concurrent_annotators_never_exceed_the_overlap(world: Any, overlap: int) -> None:
    set_project(world, overlap=overlap)
    ids = import_records(world, texts(40))
    crowd = add_annotators(world, 8)
    handed: dict[int, list[str]] = defaultdict(list)
    failures: list[str] = []
    lock = threading.Lock()
    start = threading.Barrier(len(crowd))

    def work(m: Any) -> None:
        try:
            start.wait()
            while True:
                r = m.client.post(f"{P}/tasks/next")
                if r.status_code == 204:
                    return
                if r.status_code != 200:
                    failures.append(f"next: {r.status_code} {r.text}")
                    return
                item_id = r.json()["id"]
                with lock:
                    handed[item_id].append(m.actor.email)
                s = submit(m.client, item_id, POS)
                if s.status_code != 201:
                    failures.append(f"submit {item_id}: {s.status_code} {s.text}")
                    return
        except Exception as exc:  # reported below: a thread's exception would otherwise vanish
            failures.append(repr(exc))

    threads = [threading.Thread(target=work, args=(m,)) for m in crowd]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads)
    assert failures == []
    assert sorted(handed) == ids
    for item_id in ids:
        assert len(handed[item_id]) == overlap, (item_id, handed[item_id])
        assert len(set(handed[item_id])) == overlap
        rows = annotation_rows(world, item_id)
        assert [r["status"] for r in rows] == ["submitted"] * overlap
        assert len({r["user_id"] for r in rows}) == overlap
        assert item_row(world, item_id)["n_submitted"] == overlap
    counts = world.manager.client.get(f"{P}/items/count").json()
    assert counts["by_state"]["annotated"] == len(ids)
