"""Comments on items: a shared thread; annotators only on items they hold or worked on."""

from __future__ import annotations

from typing import Any

from tests.api.helpers import API, import_records, next_task, texts

P = f"{API}/projects/demo"


def test_thread_is_shared_and_ordered(world: Any) -> None:
    import_records(world, texts(2))
    task = next_task(world.annotator.client)
    assert task is not None
    url = f"{P}/items/{task['id']}/comments"
    r = world.annotator.client.post(url, json={"body": "  <b>is this sarcasm?</b>  "})
    assert r.status_code == 201, r.text
    assert r.json()["body"] == "<b>is this sarcasm?</b>"
    assert r.json()["author"] == world.annotator.actor.email
    assert world.reviewer.client.post(url, json={"body": "yes"}).status_code == 201
    thread = world.annotator.client.get(url).json()
    assert [(c["author"], c["body"]) for c in thread] == [
        (world.annotator.actor.email, "<b>is this sarcasm?</b>"), (world.reviewer.actor.email, "yes")]
    assert thread[0]["created_at"].endswith(("Z", "+00:00"))


def test_annotator_cannot_read_items_they_never_had(world: Any) -> None:
    import_records(world, texts(2))
    task = next_task(world.annotator.client)
    assert task is not None
    items = world.reviewer.client.get(f"{P}/items").json()["items"]
    other = next(i["id"] for i in items if i["id"] != task["id"])
    r = world.annotator.client.get(f"{P}/items/{other}/comments")
    assert r.status_code == 404
    assert world.annotator.client.post(f"{P}/items/{other}/comments", json={"body": "x"}).status_code == 404
    assert world.reviewer.client.get(f"{P}/items/{other}/comments").json() == []


def test_empty_and_oversized_comments_are_refused(world: Any) -> None:
    import_records(world, texts(1))
    task = next_task(world.annotator.client)
    assert task is not None
    url = f"{P}/items/{task['id']}/comments"
    assert world.annotator.client.post(url, json={"body": "   "}).status_code == 422
    assert world.annotator.client.post(url, json={"body": "x" * 5001}).status_code == 422
    assert world.annotator.client.post(url, json={"text": "wrong key"}).status_code == 422
    assert world.annotator.client.get(f"{P}/items/999999/comments").status_code == 404
