"""Browsing items: filters (state, annotator, label, metadata, text), keyset pages, counts by state."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.helpers import API, import_records, next_task, submit

P = f"{API}/projects/demo"


def _ids(w: Any, **params: Any) -> list[int]:
    r = w.reviewer.client.get(f"{P}/items", params={"limit": 1000, **params})
    assert r.status_code == 200, r.text
    return [i["id"] for i in r.json()["items"]]


def _count(w: Any, **params: Any) -> int:
    r = w.reviewer.client.get(f"{P}/items/count", params=params)
    assert r.status_code == 200, r.text
    return int(r.json()["total"])


RECORDS = [
    {"text": "The café was lovely", "meta": {"lang": "en", "batch": "a", "n": 3}},
    {"text": "Terrible service", "meta": {"lang": "en", "batch": "b", "n": 4}},
    {"text": "Le CAFÉ était bon", "meta": {"lang": "fr", "batch": "a"}},
    {"text": "100% off_sale", "meta.lang": "en"},
    {"text": "nothing special"},
]


@pytest.fixture
def w(world: Any) -> Any:
    world.ids = import_records(world, RECORDS)
    a, b = world.annotator.client, world.annotator2.client
    # annotator: items 0 (positive), 1 (negative); annotator2: item 2 (neutral, with a PER span)
    for client, result in ((a, {"sentiment": "positive"}), (a, {"sentiment": "negative"})):
        task = next_task(client)
        assert task is not None
        assert submit(client, task["id"], result).status_code == 201
    task = next_task(b)
    assert task is not None
    assert submit(b, task["id"], {"sentiment": "neutral",
                                  "entities": [{"start": 0, "end": 2, "label": "PER"}]}).status_code == 201
    next_task(b)  # item 3 leased: in progress
    return world


def test_filter_by_state(w: Any) -> None:
    ids = w.ids
    assert _ids(w, state="annotated") == ids[:3]
    assert _ids(w, state="in_progress") == [ids[3]]
    assert _ids(w, state="new") == [ids[4]]
    assert _ids(w, state="accepted") == []
    r = w.reviewer.client.get(f"{P}/items", params={"state": "done"})
    assert r.status_code == 422
    assert "state must be one of" in r.json()["detail"]


def test_filter_by_annotator(w: Any) -> None:
    ids = w.ids
    assert _ids(w, annotator="annotator@example.org") == ids[:2]
    assert _ids(w, annotator="annotator2@example.org") == [ids[2]]  # a lease is not an annotation
    assert _ids(w, annotator="nobody@example.org") == []
    assert _count(w, annotator="annotator@example.org") == 2


def test_filter_by_label(w: Any) -> None:
    ids = w.ids
    assert _ids(w, label="positive") == [ids[0]]
    assert _ids(w, label="negative") == [ids[1]]
    assert _ids(w, label="PER") == [ids[2]]
    assert _ids(w, label="posit") == []  # whole values only
    assert _ids(w, label="positive", annotator="annotator2@example.org") == []


def test_filter_by_metadata(w: Any) -> None:
    ids = w.ids
    assert _ids(w, **{"meta.lang": "en"}) == [ids[0], ids[1], ids[3]]
    assert _ids(w, **{"meta.lang": "fr"}) == [ids[2]]
    assert _ids(w, **{"meta.lang": "en", "meta.batch": "a"}) == [ids[0]]
    assert _ids(w, **{"meta.missing": "x"}) == []
    assert _count(w, **{"meta.lang": "en"}) == 3


def test_filter_by_numeric_metadata(w: Any) -> None:
    # query parameters are text: a number stored in meta matches its decimal spelling
    assert _ids(w, **{"meta.n": "3"}) == [w.ids[0]]


def test_text_search(w: Any) -> None:
    ids = w.ids
    assert _ids(w, text="café") == [ids[0], ids[2]]  # case-insensitive, beyond ASCII
    assert _ids(w, text="SERVICE") == [ids[1]]
    assert _ids(w, text="100%") == [ids[3]]  # LIKE wildcards are literal
    assert _ids(w, text="%") == [ids[3]]
    assert _ids(w, text="off_sale") == [ids[3]]
    assert _ids(w, text="f_sa") == [ids[3]]
    assert _ids(w, text="o_f") == []
    assert _ids(w, text="café", state="annotated", annotator="annotator2@example.org") == [ids[2]]


def test_keyset_pagination_walks_every_item_once(world: Any) -> None:
    ids = import_records(world, [{"text": f"row {i}", "meta": {"even": str(i % 2 == 0)}} for i in range(53)])
    for limit in (1, 7, 53, 1000):
        seen: list[int] = []
        after, pages = 0, 0
        while True:
            r = world.reviewer.client.get(f"{P}/items", params={"after": after, "limit": limit, "total": True})
            assert r.status_code == 200
            body = r.json()
            assert body["total"] == 53
            assert len(body["items"]) <= limit
            seen += [i["id"] for i in body["items"]]
            pages += 1
            if body["next"] is None:
                break
            assert body["next"] == body["items"][-1]["id"]
            after = body["next"]
        assert seen == ids
        assert pages == -(-53 // limit)
    # with a filter, pages of matching items only
    evens, after = [], 0
    while True:
        body = world.reviewer.client.get(f"{P}/items", params={"after": after, "limit": 5, "meta.even": "True"}).json()
        evens += [i["id"] for i in body["items"]]
        if body["next"] is None:
            break
        after = body["next"]
    assert evens == ids[::2]
    for bad in (0, 1001, "x"):
        assert world.reviewer.client.get(f"{P}/items", params={"limit": bad}).status_code == 422


def test_counts_by_state(w: Any) -> None:
    r = w.annotator.client.get(f"{P}/items/count")
    assert r.status_code == 200
    assert r.json() == {"total": 5, "by_state": {"new": 1, "in_progress": 1, "annotated": 3, "in_review": 0,
                                                 "accepted": 0, "rejected": 0}}
    assert _count(w, state="annotated") == 3


def test_items_of_a_running_or_failed_import_are_invisible(w: Any) -> None:
    r = w.manager.client.post(f"{P}/import?format=jsonl", content=b'{"text": "good"}\n{"nope": 1}\n')
    assert r.status_code == 422
    assert r.json()["errors"][0]["row"] == 2
    assert w.annotator.client.get(f"{P}/items/count").json()["total"] == 5
    assert len(_ids(w)) == 5


def test_one_item_in_full(w: Any) -> None:
    item = w.reviewer.client.get(f"{P}/items/{w.ids[2]}").json()
    assert item["data"] == {"text": "Le CAFÉ était bon"}
    assert item["meta"] == {"lang": "fr", "batch": "a"}
    assert [(a["annotator"], a["result"]["sentiment"], a["schema_version"]) for a in item["annotations"]] == [
        ("annotator2@example.org", "neutral", 1)]
    assert w.reviewer.client.get(f"{P}/items/999999").status_code == 404
    other = w.admin.client.post(f"{API}/projects/other/records", json={"records": [{"text": "x"}]})
    assert other.status_code == 201
    other_id = w.admin.client.get(f"{API}/projects/other/items").json()["items"][0]["id"]
    assert w.reviewer.client.get(f"{P}/items/{other_id}").status_code == 404
