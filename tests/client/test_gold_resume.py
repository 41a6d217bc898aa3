"""The SDK's ``resume_annotator``: a manager lets an annotator paused by gold continue."""

from __future__ import annotations

import pytest

from labelwise.client import Forbidden, NotFound


def test_resume_annotator(world, client_for):
    manager = client_for("manager").get_project("demo")
    manager.import_items([{"text": f"text {i}", "key": str(i)} for i in range(6)])
    manager.update(gold_share=1.0, gold_min_accuracy=0.5, gold_min_answers=1, gold_pause=True)
    gold = [i.id for i in manager.items()][:3]
    for item_id in gold:
        r = world.manager.client.put(f"/api/v1/projects/demo/items/{item_id}/gold",
                                     json={"result": {"sentiment": "positive"}})
        assert r.status_code == 200, r.text
    mine = client_for("annotator").get_project("demo")
    task = mine.next_task()
    assert task.id in gold
    mine.submit(task.id, {"sentiment": "negative"})
    with pytest.raises(Forbidden, match="paused"):
        mine.next_task()
    with pytest.raises(Forbidden):
        client_for("reviewer").get_project("demo").resume_annotator("annotator@example.org")
    with pytest.raises(NotFound):
        manager.resume_annotator("nobody@example.org")
    done = manager.resume_annotator("annotator@example.org")
    assert done["annotator"] == "annotator@example.org" and done["paused"] is False
    assert manager.resume_annotator(done["user_id"])["user_id"] == done["user_id"]
    assert mine.next_task().id in gold
    entries = manager.audit_log("gold.resume")
    assert [e.target for e in entries] == [f"user:{done['user_id']}"] * 2
