from __future__ import annotations

import pytest

from labelwise.client import Conflict, Forbidden, Invalid, NotFound, Task


@pytest.fixture
def demo(admin):
    project = admin.get_project("demo")
    project.import_items([{"text": f"text {i}", "key": str(i)} for i in range(3)])
    return project


def test_next_task_submit_skip_draft_update(demo, client_for):
    mine = client_for("annotator").get_project("demo")
    task = mine.next_task()
    assert isinstance(task, Task) and task.data["text"] == "text 0" and task.status == "leased"
    draft = mine.save_draft(task.id, {"sentiment": "positive"}, lead_time=1.5)
    assert draft["draft"] == {"sentiment": "positive"}
    assert mine.get_task(task.id).draft == {"sentiment": "positive"}
    annotation = mine.submit(task.id, {"sentiment": "positive"}, lead_time=2.0)
    assert annotation.status == "submitted" and annotation.item_id == task.id
    with pytest.raises(Conflict):
        mine.submit(task.id, {"sentiment": "negative"})
    updated = mine.update_annotation(task.id, {"sentiment": "negative"})
    assert updated.result == {"sentiment": "negative"}
    second = mine.next_task()
    assert second is not None and second.id != task.id
    assert mine.skip(second.id, reason="unclear")["status"] == "skipped"
    third = mine.next_task()
    with pytest.raises(Invalid) as err:
        mine.submit(third.id, {"sentiment": "furious"})
    assert err.value.errors and err.value.errors[0]["loc"][0] == "sentiment"
    mine.submit(third.id, {"sentiment": "neutral"})
    assert mine.next_task() is None
    with pytest.raises(NotFound):
        mine.get_task(999_999)


def test_items_pages_counts_and_filters(demo, client_for):
    demo.import_items([{"text": f"more {i}"} for i in range(7)])
    items = list(demo.items(page_size=3))
    assert len(items) == 10 and [i.id for i in items] == sorted(i.id for i in items)
    assert items[0].data["text"] == "text 0"
    mine = client_for("annotator").get_project("demo")
    mine.submit(mine.next_task().id, {"sentiment": "positive"})
    assert [i.key for i in demo.items(state="annotated")] == ["0"]
    counts = demo.counts()
    assert counts.total == 10 and counts.by_state["annotated"] == 1 and counts.by_state["new"] == 9
    assert demo.counts(state="new").total == 9
    assert demo.counts(text="more 3").total == 1
    assert demo.get_item(items[0].id)["annotations"][0]["annotator"] == "annotator@example.org"
    with pytest.raises(Forbidden):
        list(mine.items())


def test_review_accept_reject_correct(demo, client_for):
    mine = client_for("annotator").get_project("demo")
    ids = []
    for _ in range(3):
        task = mine.next_task()
        ids.append(mine.submit(task.id, {"sentiment": "positive"}).id)
    reviewer = client_for("reviewer").get_project("demo")
    assert len(reviewer.review_queue()) == 3
    assert reviewer.review(ids[0], "accept").item_state == "accepted"
    with pytest.raises(Invalid, match="comment"):
        reviewer.review(ids[1], "reject")
    assert reviewer.review(ids[1], "reject", comment="look again").item_state == "rejected"
    corrected = reviewer.review(ids[2], "correct", result={"sentiment": "neutral"})
    assert corrected.result == {"sentiment": "neutral"}
    back = mine.next_task()
    assert back is not None and back.review["comment"] == "look again"
    with pytest.raises(NotFound):
        reviewer.review(999_999, "accept")
    with pytest.raises(Conflict):
        reviewer.review(ids[1], "accept")


def test_audit_log(demo, client_for):
    entries = demo.audit_log()
    assert "import" in [e.action for e in entries]
    assert all(e.project_id == demo.id for e in entries)
    assert [e.action for e in demo.audit_log(action="import")] == ["import"]
    with pytest.raises(Forbidden):
        client_for("annotator").get_project("demo").audit_log()
