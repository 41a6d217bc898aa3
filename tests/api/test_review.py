"""Review: accept, reject with a comment (back to the annotator), correct; item states; export."""

from __future__ import annotations

from typing import Any

import orjson

from tests.api.helpers import API, import_records, next_task, set_project, submit, texts

P = f"{API}/projects/demo"


def _state(w: Any, item_id: int) -> str:
    r = w.reviewer.client.get(f"{P}/items/{item_id}")
    assert r.status_code == 200, r.text
    return str(r.json()["state"])


def _annotate(w: Any, member: Any, result: dict[str, Any] | None = None) -> tuple[int, int]:
    task = next_task(member.client)
    assert task is not None
    r = submit(member.client, task["id"], result or {"sentiment": "positive"})
    assert r.status_code == 201, r.text
    return int(task["id"]), int(r.json()["id"])


def _review(w: Any, annotation_id: int, action: str, *, by: str = "reviewer", **body: Any) -> Any:
    return w.member(by).client.post(f"{P}/annotations/{annotation_id}/review", json={"action": action, **body})


def _export(w: Any) -> dict[int, dict[str, Any]]:
    r = w.manager.client.get(f"{P}/export", params={"format": "jsonl"})
    assert r.status_code == 200
    return {rec["id"]: rec for rec in map(orjson.loads, r.content.splitlines())}


def test_accept(world: Any) -> None:
    import_records(world, texts(2))
    item, ann = _annotate(world, world.annotator)
    queue = world.reviewer.client.get(f"{P}/review/queue").json()
    assert [q["id"] for q in queue] == [item]
    assert [a["id"] for a in queue[0]["annotations"]] == [ann]
    r = _review(world, ann, "accept", comment="fine")
    assert r.status_code == 200, r.text
    assert r.json()["item_state"] == "accepted"
    assert world.reviewer.client.get(f"{P}/review/queue").json() == []
    assert _state(world, item) == "accepted"
    # an accepted annotation is final for its annotator
    r = world.annotator.client.put(f"{P}/tasks/{item}/annotation", json={"result": {"sentiment": "negative"}})
    assert r.status_code == 409
    assert "already reviewed (accepted)" in r.json()["detail"]


def test_reject_needs_a_comment(world: Any) -> None:
    import_records(world, texts(1))
    item, ann = _annotate(world, world.annotator)
    for comment in ("", "   "):
        r = _review(world, ann, "reject", comment=comment)
        assert r.status_code == 422
        assert r.json()["detail"] == "say why you reject: the comment goes back to the annotator"
    assert _state(world, item) == "annotated"
    r = _review(world, ann, "maybe")
    assert r.status_code == 422
    assert "accept, reject, correct" in r.json()["detail"]


def test_rejected_goes_back_to_the_annotator_and_returns_to_review(world: Any) -> None:
    ids = import_records(world, texts(3))
    item, ann = _annotate(world, world.annotator)
    r = _review(world, ann, "reject", comment="the tone is negative")
    assert r.status_code == 200
    assert r.json()["item_state"] == "rejected"
    assert _state(world, item) == "rejected"
    assert world.reviewer.client.get(f"{P}/review/queue").json() == []
    # waiting for the revision: no second verdict meanwhile
    assert _review(world, ann, "accept").status_code == 409
    # next hands the rejected task back first, with the comment, before any new item
    back = next_task(world.annotator.client)
    assert back is not None
    assert back["id"] == item
    assert back["review"] == {"status": "rejected", "comment": "the tone is negative"}
    assert back["result"] == {"sentiment": "positive"}
    assert next_task(world.annotator.client)["id"] == item  # type: ignore[index]
    # nobody else gets it
    other = next_task(world.annotator2.client)
    assert other is not None and other["id"] != item
    # the revision goes back to review
    r = world.annotator.client.put(f"{P}/tasks/{item}/annotation", json={"result": {"sentiment": "negative"}})
    assert r.status_code == 200
    assert r.json()["item_state"] == "annotated"
    assert [q["id"] for q in world.reviewer.client.get(f"{P}/review/queue").json()] == [item]
    nxt = next_task(world.annotator.client)
    assert nxt is not None and nxt["id"] not in (item, other["id"]) and nxt["id"] in ids
    assert _review(world, ann, "accept").json()["item_state"] == "accepted"
    [exported] = [rec for rec in _export(world).values() if rec["id"] == item]
    assert exported["annotations"][0]["result"] == {"sentiment": "negative"}
    assert exported["annotations"][0]["review"]["status"] == "accepted"


def test_correct_validates_the_result(world: Any) -> None:
    import_records(world, [{"text": "Grace Hopper at Navy"}])
    item, ann = _annotate(world, world.annotator)
    r = _review(world, ann, "correct")
    assert r.status_code == 422
    assert r.json()["detail"] == "a correction needs the corrected result"
    r = _review(world, ann, "correct", result={"sentiment": "joy"})
    assert r.status_code == 422
    assert r.json()["errors"][0]["loc"] == ["sentiment"]
    assert r.json()["errors"][0]["value"] == "joy"
    r = _review(world, ann, "correct", result={"sentiment": "neutral"})  # required labels still required
    assert r.status_code == 200
    fixed = {"entities": [{"start": 0, "end": 12, "label": "PER"}], "sentiment": "neutral"}
    r = _review(world, ann, "correct", result=fixed, comment="added the person")
    assert r.status_code == 200
    assert r.json()["item_state"] == "accepted"
    assert r.json()["result"] == {"sentiment": "neutral", "entities": [{"start": 0, "end": 12, "label": "PER"}]}
    review = _export(world)[item]["annotations"][0]["review"]
    assert review["status"] == "corrected"
    assert review["reviewer"] == "reviewer@example.org"
    assert review["comment"] == "added the person"
    assert review["result"] == r.json()["result"]


def test_item_states_through_review(world: Any) -> None:
    set_project(world, overlap=2)
    [item, spare] = import_records(world, texts(2))
    assert _state(world, item) == "new"
    task = next_task(world.annotator.client)
    assert task is not None and task["id"] == item
    assert _state(world, item) == "in_progress"
    ann1 = submit(world.annotator.client, item, {"sentiment": "positive"}).json()["id"]
    assert _state(world, item) == "in_progress"  # one of two submissions
    assert world.reviewer.client.get(f"{P}/review/queue").json() == []
    task = next_task(world.annotator2.client)
    assert task is not None and task["id"] == item
    ann2 = submit(world.annotator2.client, item, {"sentiment": "negative"}).json()["id"]
    assert _state(world, item) == "annotated"
    assert _review(world, ann1, "accept").json()["item_state"] == "in_review"
    assert _state(world, item) == "in_review"
    assert [q["id"] for q in world.reviewer.client.get(f"{P}/review/queue").json()] == [item]
    assert _review(world, ann2, "accept").json()["item_state"] == "accepted"
    counts = world.manager.client.get(f"{P}/items/count").json()["by_state"]
    assert counts == {"new": 1, "in_progress": 0, "annotated": 0, "in_review": 0, "accepted": 1, "rejected": 0}
    assert _state(world, spare) == "new"


def test_one_rejection_makes_the_item_rejected(world: Any) -> None:
    set_project(world, overlap=2)
    [item] = import_records(world, texts(1))
    ann1 = submit(world.annotator.client, item, {"sentiment": "positive"}).json()["id"]
    ann2 = submit(world.annotator2.client, item, {"sentiment": "negative"}).json()["id"]
    assert _review(world, ann1, "accept").json()["item_state"] == "in_review"
    assert _review(world, ann2, "reject", comment="no").json()["item_state"] == "rejected"
    counts = world.manager.client.get(f"{P}/items/count").json()["by_state"]
    assert counts["rejected"] == 1


def test_reviewer_cannot_review_their_own_annotation(world: Any) -> None:
    import_records(world, texts(2))
    item, ann = _annotate(world, world.reviewer)
    r = _review(world, ann, "accept")
    assert r.status_code == 403
    assert r.json()["detail"] == "you cannot review your own annotation"
    r = _review(world, ann, "correct", result={"sentiment": "neutral"})
    assert r.status_code == 403
    assert _state(world, item) == "annotated"
    _, mine = _annotate(world, world.manager)
    assert _review(world, mine, "accept", by="manager").status_code == 403
    # someone else may
    assert _review(world, ann, "accept", by="manager").status_code == 200
    assert _review(world, mine, "accept", by="reviewer").status_code == 200


def test_review_needs_a_submitted_annotation_of_this_project(world: Any) -> None:
    import_records(world, texts(2))
    task = next_task(world.annotator.client)
    assert task is not None
    leased = world.admin.client.get(f"{API}/projects/demo/items/{task['id']}").json()
    assert leased["annotations"] == []  # leases are not annotations yet
    from tests.api.helpers import annotation_rows

    [row] = annotation_rows(world, task["id"])
    r = _review(world, row["id"], "accept")
    assert r.status_code == 404
    assert _review(world, 999_999, "accept").status_code == 404
    # an annotation of another project is not found through this one
    world.admin.client.post(f"{API}/projects/other/records", json={"records": [{"text": "elsewhere"}]})
    world.admin.client.post(f"{API}/projects/other/members", json={"email": "annotator@example.org",
                                                                    "role": "annotator"})
    other_task = next_task(world.annotator.client, project="other")
    assert other_task is not None
    other_ann = submit(world.annotator.client, other_task["id"], {"sentiment": "positive"}, project="other")
    assert other_ann.status_code == 201
    r = _review(world, other_ann.json()["id"], "accept")
    assert r.status_code == 404
    assert r.json()["detail"] == f"no submitted annotation {other_ann.json()['id']} in project 'demo'"


def test_export_shows_reviews(world: Any) -> None:
    ids = import_records(world, texts(3))
    _, a1 = _annotate(world, world.annotator)
    _, a2 = _annotate(world, world.annotator2, {"sentiment": "neutral"})
    assert _review(world, a1, "accept", comment="ok").status_code == 200
    assert _review(world, a2, "reject", comment="look again").status_code == 200
    records = _export(world)
    assert sorted(records) == ids
    r1, r2, r3 = (records[i] for i in ids)
    assert (r1["state"], r2["state"], r3["state"]) == ("accepted", "rejected", "new")
    assert r1["annotations"][0]["review"]["status"] == "accepted"
    assert r1["annotations"][0]["review"]["comment"] == "ok"
    assert r1["annotations"][0]["review"]["reviewer"] == "reviewer@example.org"
    assert r2["annotations"][0]["review"]["status"] == "rejected"
    assert r2["annotations"][0]["review"]["comment"] == "look again"
    assert r2["annotations"][0]["annotator"] == "annotator2@example.org"
    assert r3["annotations"] == []
    # filtered export by state
    r = world.manager.client.get(f"{P}/export", params={"state": "accepted"})
    assert [orjson.loads(line)["id"] for line in r.content.splitlines()] == [ids[0]]
    item = world.reviewer.client.get(f"{P}/items/{ids[1]}").json()
    assert [(rv["action"], rv["comment"]) for rv in item["annotations"][0]["reviews"]] == [("reject", "look again")]
