"""chat_turns through the API: submitted and read back, checked against each item's own transcript, final
labels per turn, carried by the native JSONL export."""

from __future__ import annotations

from typing import Any

import orjson

from tests.api.helpers import API, next_task, submit

P = f"{API}/projects"
SCHEMA = {"fields": {"chat": "chat"}, "labels": [
    {"name": "quality", "kind": "chat_turns", "field": "chat", "roles": ["assistant"],
     "options": ["helpful", "harmful", "off_topic"], "multiple": True, "rating": 5, "note": True},
]}
LONG = [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "hello"},
        {"role": "user", "content": "and?"}, {"role": "assistant", "content": "<b>bye</b>"}]
SHORT = [{"role": "user", "content": "q"}, {"role": "assistant", "content": "a"}]


def _project(world: Any) -> dict[str, int]:
    r = world.admin.client.post(P, json={"name": "chat", "schema": SCHEMA, "overlap": 2})
    assert r.status_code == 201, r.text
    for role in ("manager", "annotator", "annotator2"):
        r = world.admin.client.post(f"{P}/chat/members", json={"email": world.member(role).actor.email,
                                                               "role": "manager" if role == "manager" else "annotator"})
        assert r.status_code == 201, r.text
    r = world.manager.client.post(f"{P}/chat/records", json={"records": [{"key": "long", "chat": LONG},
                                                                        {"key": "short", "chat": SHORT}]})
    assert r.status_code == 201, r.text
    items = world.manager.client.get(f"{P}/chat/items", params={"limit": 10}).json()["items"]
    return {i["key"]: i["id"] for i in items}


def _work(client: Any, results: dict[str, dict[str, Any]], check: Any = None) -> None:
    """Take tasks until none is left; ``check(key, item id)`` runs before each valid submit."""
    while (task := next_task(client, "chat")) is not None:
        if check:
            check(task["key"], task["id"])
        r = submit(client, task["id"], results[task["key"]], "chat")
        assert r.status_code == 201, r.text


def _bad_submits(client: Any, key: str, item: int) -> None:
    if key == "short":  # turn 3 exists in the long transcript only: the 422 names this item's length
        r = submit(client, item, {"quality": [{"turn": 3, "labels": ["helpful"]}]}, "chat")
        assert r.status_code == 422
        assert [e["msg"] for e in r.json()["errors"]] == [
            "quality: turn 3 is out of range: the transcript in 'chat' has 2 turns (0..1)"]
        return
    r = submit(client, item, {"quality": [{"turn": 2, "labels": ["helpful"]}, {"turn": 1, "rating": 6},
                                          {"turn": 1, "labels": ["great"]}]}, "chat")
    assert r.status_code == 422
    assert [e["msg"] for e in r.json()["errors"]] == [
        "quality: turn 2 is by 'user', and this label only labels turns by assistant",
        "quality: turn 1: rating 6 is outside 1..5",
        "quality: turn 1 is labelled twice (entries 1 and 2)",
        "quality: turn 1: label 'great' is not one of the options (harmful, helpful, off_topic)"]
    assert [e["loc"] for e in r.json()["errors"]][:2] == [["quality", 0, "turn"], ["quality", 1, "rating"]]


def test_submit_read_back_errors_finals_and_export(world: Any) -> None:
    ids = _project(world)
    a, b = world.annotator.client, world.annotator2.client
    mine = [{"turn": 3, "labels": ["off_topic", "helpful"], "note": "<i>short</i>"},
            {"turn": 1, "labels": ["helpful"], "rating": 4}]
    theirs = [{"turn": 1, "labels": ["helpful"], "rating": 5}, {"turn": 3, "labels": ["helpful"], "rating": 1}]
    checked: list[str] = []
    _work(a, {"long": {"quality": mine}, "short": {"quality": [{"turn": 1, "rating": 2}]}},
          lambda key, item: (_bad_submits(a, key, item), checked.append(key)))
    assert sorted(checked) == ["long", "short"]
    _work(b, {"long": {"quality": theirs}, "short": {"quality": [{"turn": 1, "rating": 2}]}})

    history = {row["item_id"]: row["result"] for row in a.get(f"{P}/chat/history").json()}
    assert history[ids["long"]] == {"quality": [
        {"turn": 1, "labels": ["helpful"], "rating": 4},
        {"turn": 3, "labels": ["helpful", "off_topic"], "note": "<i>short</i>"}]}

    finals = {row["item_id"]: row["final"] for row in
              world.manager.client.get(f"{P}/chat/quality/final", params={"limit": 10}).json()["items"]}
    long_final = finals[ids["long"]]["quality"]
    assert long_final["value"] == [{"turn": 1, "labels": ["helpful"], "rating": 4},
                                   {"turn": 3, "labels": ["helpful"], "rating": 1}]
    assert long_final["method"] == "per_turn_vote"
    assert finals[ids["short"]]["quality"]["value"] == [{"turn": 1, "rating": 2}]
    assert finals[ids["short"]]["quality"]["confidence"] == 1.0

    r = world.manager.client.get(f"{P}/chat/export", params={"format": "jsonl"})
    assert r.status_code == 200, r.text
    records = {rec["key"]: rec for rec in map(orjson.loads, r.content.splitlines())}
    assert records["long"]["data"]["chat"] == LONG
    exported = {ann["annotator"]: ann["result"] for ann in records["long"]["annotations"]}
    assert exported == {world.annotator.actor.email: history[ids["long"]],
                        world.annotator2.actor.email: {"quality": theirs}}


def test_draft_may_be_partial_but_still_checked(world: Any) -> None:
    _project(world)
    a = world.annotator.client
    task = next_task(a, "chat")
    assert task is not None and task["key"] == "long"
    item = task["id"]
    r = a.put(f"{P}/chat/tasks/{item}/draft", json={"draft": {"quality": [{"turn": 1, "labels": ["helpful"]}]}})
    assert r.status_code < 300, r.text
    r = a.put(f"{P}/chat/tasks/{item}/draft", json={"draft": {"quality": [{"turn": 0, "labels": ["helpful"]}]}})
    assert r.status_code == 422
    assert "turn 0 is by 'user'" in r.json()["errors"][0]["msg"]
