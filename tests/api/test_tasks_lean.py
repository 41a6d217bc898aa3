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
    (b"", "body: Field required", ["body"]),
    (b" \n", "body: Field required", ["body"]),
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


@pytest.mark.parametrize(("method", "path", "root_path", "handler", "params"), [
    ("POST", "/api/v1/projects/demo/tasks/next", "", "next_task", {"ref": "demo"}),
    ("POST", "/api/v1/projects/7/tasks/12/submit", "", "submit", {"ref": "7", "item_id": "12"}),
    ("POST", "/api/v1/projects/demo/tasks/x/submit", "", "submit", {"ref": "demo", "item_id": "x"}),
    ("GET", "/api/v1/projects/demo/tasks/next", "", None, None),
    ("POST", "/api/v1/projects/demo/tasks/next/", "", None, None),
    ("POST", "/api/v1/projects/demo/tasks/1/skip", "", None, None),
    ("POST", "/api/v1/projects/a/b/tasks/next", "", None, None),
    ("POST", "/api/v1/projects/demo/tasks/next", "/labelwise", None, None),
])
def test_front_door_takes_only_next_and_submit(method: str, path: str, root_path: str, handler: str | None,
                                               params: dict[str, str] | None) -> None:
    from labelwise.api import fast_routes

    scope: dict[str, Any] = {"type": "http", "method": method, "path": path, "root_path": root_path}
    found = fast_routes.front_door(scope)
    assert (found.__name__ if found else None, scope.get("path_params")) == (handler, params)


def _through_the_stack(world: Any) -> Any:
    """The same app with a middleware of its own, which sends every request through FastAPI's stack."""
    from starlette.middleware.base import BaseHTTPMiddleware

    from labelwise.api.app import create_app

    app = create_app(ctx=world.ctx)
    seen: list[str] = []

    async def note(request: Any, call_next: Any) -> Any:
        seen.append(request.url.path)
        return await call_next(request)

    app.add_middleware(BaseHTTPMiddleware, dispatch=note)
    app.state.seen = seen
    return app


def test_the_front_door_answers_as_the_stack_does(world: Any, task: int) -> None:
    """Also the guard that the front door's paths are still the router's (a 404 or 405 through the stack)."""
    from fastapi.testclient import TestClient

    stack_app = _through_the_stack(world)
    headers = {"Authorization": f"Bearer {world.annotator.token}"}
    outsider = {"Authorization": f"Bearer {world.outsider.token}"}
    requests: list[tuple[str, dict[str, Any], dict[str, str]]] = [
        (f"{P}/tasks/next", {}, {}),  # 401
        (f"{P}/tasks/next", {}, {"Authorization": "Basic x"}),  # 401, a malformed header
        (f"{P}/tasks/next", {}, outsider),  # 404
        (f"{P}/tasks/next?exclude=x", {}, headers),  # 422 in the query
        (f"{P}/tasks/x/submit", {"json": {"result": {}}}, headers),  # 422 in the path
        (f"{P}/tasks/{task}/submit", {"content": b"{"}, headers),  # 422 in the body
        (f"{P}/tasks/{task}/submit", {"json": {"result": {"sentiment": "nope"}}}, headers),  # the schema's 422
        (f"{API}/projects/nope/tasks/{task}/submit", {"json": {"result": {}}}, headers),  # 404
    ]
    for app in (world.app, stack_app):
        client = TestClient(app, raise_server_exceptions=False)
        app.state.answers = [(r.status_code, r.headers["content-type"], r.json())
                             for r in (client.post(url, headers=h, **kw) for url, kw, h in requests)]
    assert world.app.state.answers == stack_app.state.answers
    assert [a[0] for a in world.app.state.answers] == [401, 401, 404, 422, 422, 422, 422, 404]
    assert len(stack_app.state.seen) == len(requests)  # these went through the stack, not the front door


def test_an_unexpected_error_is_a_500_either_way(world: Any, task: int, monkeypatch: pytest.MonkeyPatch) -> None:
    from fastapi.testclient import TestClient

    from labelwise.services import annotation

    def broken(*_args: Any, **_kwargs: Any) -> None:
        raise RuntimeError("broken")

    monkeypatch.setattr(annotation, "next_task", broken)
    headers = {"Authorization": f"Bearer {world.annotator.token}"}
    for app in (world.app, _through_the_stack(world)):
        r = TestClient(app, raise_server_exceptions=False).post(f"{P}/tasks/next", headers=headers)
        assert (r.status_code, r.text) == (500, "Internal Server Error")
        with pytest.raises(RuntimeError, match="broken"):
            TestClient(app).post(f"{P}/tasks/next", headers=headers)
