"""next and submit answered by the lean handlers (api/fast_routes.py): the same checks, errors and docs."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.helpers import API, import_records, safe_client, texts

P = f"{API}/projects/demo"


@pytest.fixture
def task(world: Any) -> int:
    import_records(world, texts(3))
    r = world.annotator.client.post(f"{P}/tasks/next")
    assert r.status_code == 200
    return int(r.json()["id"])


def _error(r: Any) -> tuple[int, str, list[Any]]:
    body = r.json()
    assert body["error"] == "invalid"
    return r.status_code, body["detail"], [e["loc"] for e in body["errors"]]


def test_openapi_documents_next_and_submit(world: Any) -> None:
    spec = world.anonymous().get(f"{API}/openapi.json").json()
    nxt = spec["paths"]["/api/v1/projects/{ref}/tasks/next"]["post"]
    assert [(p["name"], p["in"]) for p in nxt["parameters"]] == [("ref", "path"), ("exclude", "query")]
    assert set(nxt["responses"]) == {"200", "204", "422"}
    sub = spec["paths"]["/api/v1/projects/{ref}/tasks/{item_id}/submit"]["post"]
    assert [(p["name"], p["in"]) for p in sub["parameters"]] == [("ref", "path"), ("item_id", "path")]
    assert sub["requestBody"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Submission"}
    assert set(spec["components"]["schemas"]["Submission"]["properties"]) == {"result", "lead_time"}
    assert set(sub["responses"]) == {"201", "422"}


def test_exclude_passes_over_a_held_lease_and_is_checked(world: Any, task: int) -> None:
    c = safe_client(world, world.annotator)
    again = c.post(f"{P}/tasks/next")
    assert again.json()["id"] == task  # the lease held is handed back
    other = c.post(f"{P}/tasks/next", params={"exclude": [task]})
    assert other.status_code == 200 and other.json()["id"] != task
    r = c.post(f"{P}/tasks/next?exclude={task}&exclude=x")
    assert _error(r) == (422, "query.exclude.1: Input should be a valid integer, unable to parse string as an integer",
                         [["query", "exclude", 1]])


@pytest.mark.parametrize(("path", "detail"), [
    ("x", "path.item_id: Input should be a valid integer, unable to parse string as an integer"),
    ("-1", "path.item_id: Input should be greater than or equal to 0"),
    (str(2**63), "path.item_id: Input should be less than or equal to 9223372036854775807"),
])
def test_submit_path_is_checked(world: Any, task: int, path: str, detail: str) -> None:
    r = safe_client(world, world.annotator).post(f"{P}/tasks/{path}/submit", json={"result": {"sentiment": "positive"}})
    assert _error(r) == (422, detail, [["path", "item_id"]])


@pytest.mark.parametrize(("content", "detail", "loc"), [
    (b'{"result": {"sentiment": "positive"}', "body: Invalid JSON: EOF while parsing an object at line 1 column 36",
     ["body"]),
    (b'{"result": ["positive"]}', "body.result: Input should be an object", ["body", "result"]),
    (b'{"result": {}, "extra": 1}', "body.extra: Extra inputs are not permitted", ["body", "extra"]),
    (b'{"lead_time": 1}', "body.result: Field required", ["body", "result"]),
    (b'{"result": {}, "lead_time": "slow"}',
     "body.lead_time: Input should be a valid number, unable to parse string as a number", ["body", "lead_time"]),
])
def test_submit_body_is_checked(world: Any, task: int, content: bytes, detail: str, loc: list[Any]) -> None:
    r = safe_client(world, world.annotator).post(f"{P}/tasks/{task}/submit", content=content,
                                                 headers={"content-type": "application/json"})
    assert _error(r) == (422, detail, [loc])


def test_submit_answers_as_before(world: Any, task: int) -> None:
    r = safe_client(world, world.annotator).post(f"{P}/tasks/{task}/submit",
                                                 json={"result": {"sentiment": "positive"}, "lead_time": 2.5})
    assert r.status_code == 201
    assert r.json() == {"id": r.json()["id"], "item_id": task, "status": "submitted",
                        "result": {"sentiment": "positive"}, "item_state": "annotated", "warnings": []}
    again = safe_client(world, world.annotator).post(f"{P}/tasks/{task}/submit",
                                                     json={"result": {"sentiment": "positive"}})
    assert again.status_code == 409
    assert again.json() == {"error": "conflict",
                            "detail": f"you already submitted item {task}; update your annotation instead"}


def test_authentication_comes_first(world: Any, task: int) -> None:
    anonymous = world.anonymous()
    for path in (f"{P}/tasks/next", f"{P}/tasks/{task}/submit"):
        r = anonymous.post(path, json={"result": {}})
        assert r.status_code == 401
        assert r.json()["error"] == "unauthorized"
    r = world.outsider.client.post(f"{P}/tasks/next")
    assert (r.status_code, r.json()["detail"]) == (404, "project 'demo' not found")
