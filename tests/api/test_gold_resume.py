"""A manager resumes an annotator paused by gold: only gold answers after the resume count for the pause."""

from __future__ import annotations

from typing import Any

from tests.api.helpers import API, import_records, next_task, set_project, submit, texts

P = f"{API}/projects"
RESUME = f"{P}/demo/quality/gold/annotators/{{}}/resume"


def _answer_gold(world: Any, gold: set[int], n: int, value: str) -> None:
    """The annotator works until they answered ``n`` gold items with ``value`` (regular items: "neutral")."""
    a, seen = world.annotator.client, 0
    while seen < n:
        task = next_task(a)
        assert task is not None
        gold_item = task["id"] in gold
        assert submit(a, task["id"], {"sentiment": value if gold_item else "neutral"}).status_code == 201
        seen += gold_item


def _annotator_row(world: Any) -> dict[str, Any]:
    rows = world.manager.client.get(f"{P}/demo/quality/dashboard").json()["annotators"]
    return next(r for r in rows if r["annotator"] == "annotator@example.org")


def test_resume_gives_a_fresh_start(world: Any) -> None:
    ids = import_records(world, texts(30))
    set_project(world, gold_share=0.5, gold_min_accuracy=0.75, gold_min_answers=2, gold_pause=True)
    gold = set(ids[:8])
    for item_id in sorted(gold):
        r = world.manager.client.put(f"{P}/demo/items/{item_id}/gold", json={"result": {"sentiment": "positive"}})
        assert r.status_code == 200
    a, user_id = world.annotator.client, world.annotator.actor.id
    _answer_gold(world, gold, 2, "negative")  # wrong on purpose
    assert a.post(f"{P}/demo/tasks/next").status_code == 403
    row = _annotator_row(world)
    assert (row["paused"], row["gold_answers"], row["gold_accuracy"], row["gold_resumed_at"]) == (True, 2, 0.0, None)

    # only managers (and admins) resume; an unknown user or a non-member is not found
    for member in (world.annotator, world.annotator2, world.reviewer):
        assert member.client.post(RESUME.format(user_id)).status_code == 403
    assert world.outsider.client.post(RESUME.format(user_id)).status_code == 404
    assert world.manager.client.post(RESUME.format("nobody@example.org")).status_code == 404
    assert world.manager.client.post(RESUME.format("outsider@example.org")).status_code == 404
    assert a.post(f"{P}/demo/tasks/next").status_code == 403

    r = world.manager.client.post(RESUME.format("annotator@example.org"))
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["user_id"], body["annotator"], body["paused"]) == (user_id, "annotator@example.org", False)
    resumed_at = body["gold_resumed_at"]
    audit = world.manager.client.get(f"{P}/demo/audit", params={"action": "gold.resume"}).json()
    assert [(e["action"], e["target"]) for e in audit] == [("gold.resume", f"user:{user_id}")]

    # the next task works; the table keeps the whole history but the annotator is no longer paused
    assert next_task(a) is not None
    row = _annotator_row(world)
    assert (row["paused"], row["flagged"], row["gold_answers"], row["gold_accuracy"]) == (False, False, 2, 0.0)
    assert row["gold_resumed_at"] == resumed_at
    m = a.get(f"{P}/demo/quality/gold/mistakes").json()
    assert (m["paused"], m["flagged"], m["answers"], len(m["mistakes"]), m["resumed_at"]) == (False, False, 2, 2,
                                                                                                resumed_at)

    # one right and one wrong new gold answer: 50% of the 2 counted, under 75%: paused again
    _answer_gold(world, gold, 1, "positive")
    assert next_task(a) is not None  # one counted answer is under gold_min_answers
    _answer_gold(world, gold, 1, "negative")
    r = a.post(f"{P}/demo/tasks/next")
    assert r.status_code == 403 and "50%" in r.json()["detail"]
    row = _annotator_row(world)
    assert (row["paused"], row["gold_answers"], row["gold_accuracy"]) == (True, 4, 0.25)

    # resuming by user id works too, and clears the pause again
    r = world.admin.client.post(RESUME.format(user_id))
    assert r.status_code == 200 and r.json()["gold_resumed_at"] > resumed_at
    assert next_task(a) is not None
    assert _annotator_row(world)["paused"] is False
