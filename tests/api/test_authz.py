"""Who may call what: every /api/v1 endpoint x every kind of caller, plus sessions, CSRF and tokens.

``ROUTES`` holds one entry per endpoint of the app. ``test_every_route_has_an_authz_case`` fails when
an endpoint is added without one (or an entry outlives its endpoint), so no endpoint goes untested.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from starlette.testclient import TestClient

from labelwise.services import auth
from labelwise.store.tables import api_tokens, users
from tests.api.helpers import API, import_records, next_task, submit, texts

ROLES = ("anonymous", "outsider", "annotator", "reviewer", "manager", "admin")
MEMBERS = ("annotator", "reviewer", "manager", "admin")  # roles inside project demo (admin: instance admin)
LEVEL = {"annotator": 1, "reviewer": 2, "manager": 3, "admin": 4}


def public(code: int) -> dict[str, int]:
    return dict.fromkeys(ROLES, code)


def signed_in(code: int) -> dict[str, int]:
    return {**public(code), "anonymous": 401}


def admin_only(code: int) -> dict[str, int]:
    return {**signed_in(403), "admin": code}


def project(level: str, code: int) -> dict[str, int]:
    """A project route: outsiders get 404 (as if the project did not exist), low roles 403."""
    out = {"anonymous": 401, "outsider": 404}
    for role in MEMBERS:
        out[role] = code if LEVEL[role] >= LEVEL[level] else 403
    return out


Call = Callable[[Any, str, TestClient], httpx.Response]
P = f"{API}/projects/demo"


@dataclass(frozen=True)
class Case:
    expect: dict[str, int]
    call: Call


def _me(w: Any, role: str) -> Any:
    """The member acting as ``role`` (anonymous borrows the annotator's identity for preparation only)."""
    return w.member("annotator" if role == "anonymous" else role)


def _prepare_task(w: Any, role: str, *, do_submit: bool = False) -> int:
    """Lease (and maybe submit) an item for ``role``'s own user when they may annotate; else any item id."""
    if role in MEMBERS:
        task = next_task(w.member(role).client)
        assert task is not None
        if do_submit:
            assert submit(w.member(role).client, task["id"], {"sentiment": "neutral"}).status_code == 201
        return int(task["id"])
    return w.items[0]


def _annotated_by_annotator2(w: Any) -> int:
    task = next_task(w.annotator2.client)
    assert task is not None
    r = submit(w.annotator2.client, task["id"], {"sentiment": "positive"})
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


def _gold_item(w: Any) -> int:
    """An item marked gold (by an admin), to unmark."""
    r = w.admin.client.put(f"{P}/items/{w.items[2]}/gold", json={"result": {"sentiment": "negative"}})
    assert r.status_code == 200, r.text
    return int(w.items[2])


def _job(w: Any) -> int:
    """A queued background job of project demo (asked for by an admin)."""
    r = w.admin.client.post(f"{P}/jobs", json={"kind": "snapshot", "params": {"name": "authz"}})
    assert r.status_code == 202, r.text
    return int(r.json()["id"])


def _snapshot(w: Any) -> int:
    """A snapshot of project demo (made by an admin), to read, export and compare."""
    r = w.admin.client.post(f"{P}/snapshots", json={"name": "authz"})
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


LS_FILES = {"export": ("ls.json", b'[{"data": {"text": "hi"}}]'),
            "config": ("ls.xml", b'<View><Text name="text" value="$text"/>'
                       b'<Choices name="c" toName="text"><Choice value="a"/></Choices></View>')}


def _fresh_user(w: Any, role: str) -> str:
    email = f"target-{role}@example.org"
    auth.create_user(w.ctx, None, email=email, password="correct horse")
    return email


def _new_member(w: Any, role: str) -> str:
    email = _fresh_user(w, role)
    r = w.admin.client.post(f"{P}/members", json={"email": email, "role": "annotator"})
    assert r.status_code == 201
    return email


def _own_token_id(w: Any, role: str) -> int:
    member = _me(w, role)
    token = auth.create_token(w.ctx, None, email=member.actor.email, name=f"spare-{role}")
    with w.ctx.db.read() as conn:
        return int(conn.execute(select(api_tokens.c.id).where(
            api_tokens.c.token_hash == hashlib.sha256(token.encode()).hexdigest())).scalar_one())


def _media_key(w: Any) -> str:
    """A PNG stored in the media folder and referred to by project demo."""
    import io

    from PIL import Image

    from labelwise.store import media_refs

    png = io.BytesIO()
    Image.new("RGB", (1, 1)).save(png, format="PNG")
    png.seek(0)
    key = w.ctx.media.put(png, "dot.png")
    with w.ctx.db.write() as conn:
        media_refs.add(conn, int(w.project["id"]), [{"key": key, "kind": "image", "facts": {"width": 1, "height": 1}}])
    return key


NEW_SCHEMA = {"fields": {"text": "text"}, "labels": [
    {"name": "sentiment", "kind": "choice", "options": ["positive", "negative", "neutral", "mixed"], "required": True},
    {"name": "entities", "kind": "spans", "field": "text", "options": ["PER", "ORG", "LOC"]},
]}

ROUTES: dict[tuple[str, str], Case] = {
    # --- meta -------------------------------------------------------------------------------------
    ("GET", "/api/v1/health"): Case(public(200), lambda w, r, c: c.get(f"{API}/health")),
    ("GET", "/api/v1/openapi.json"): Case(public(200), lambda w, r, c: c.get(f"{API}/openapi.json")),
    # --- auth, users, tokens ------------------------------------------------------------------------
    ("POST", "/api/v1/auth/login"): Case(public(200), lambda w, r, c: c.post(
        f"{API}/auth/login", json={"email": _me(w, r).actor.email, "password": "correct horse"})),
    ("POST", "/api/v1/auth/logout"): Case(signed_in(200), lambda w, r, c: c.post(f"{API}/auth/logout")),
    ("GET", "/api/v1/me"): Case(signed_in(200), lambda w, r, c: c.get(f"{API}/me")),
    ("GET", "/api/v1/users"): Case(admin_only(200), lambda w, r, c: c.get(f"{API}/users")),
    ("POST", "/api/v1/users"): Case(admin_only(201), lambda w, r, c: c.post(
        f"{API}/users", json={"email": f"new-{r}@example.org", "password": "long enough"})),
    ("DELETE", "/api/v1/users/{email}"): Case(admin_only(200), lambda w, r, c: c.delete(
        f"{API}/users/{_fresh_user(w, r)}")),
    ("GET", "/api/v1/tokens"): Case(signed_in(200), lambda w, r, c: c.get(f"{API}/tokens")),
    ("POST", "/api/v1/tokens"): Case(signed_in(201), lambda w, r, c: c.post(f"{API}/tokens", json={"name": "ci"})),
    ("DELETE", "/api/v1/tokens/{token_id}"): Case(signed_in(200), lambda w, r, c: c.delete(
        f"{API}/tokens/{_own_token_id(w, r)}")),
    # --- projects ---------------------------------------------------------------------------------
    ("GET", "/api/v1/projects"): Case(signed_in(200), lambda w, r, c: c.get(f"{API}/projects")),
    ("POST", "/api/v1/projects"): Case(admin_only(201), lambda w, r, c: c.post(
        f"{API}/projects", json={"name": f"new-{r}", "schema": NEW_SCHEMA})),
    ("GET", "/api/v1/projects/{ref}"): Case(project("annotator", 200), lambda w, r, c: c.get(P)),
    ("PATCH", "/api/v1/projects/{ref}"): Case(project("manager", 200), lambda w, r, c: c.patch(
        P, json={"guidelines": f"by {r}"})),
    # Deleting a project is for instance admins only: everyone else gets 403, whether or not the
    # project exists (checked in test_delete_project_does_not_leak), so outsiders learn nothing.
    ("DELETE", "/api/v1/projects/{ref}"): Case({**admin_only(200)}, lambda w, r, c: c.delete(P)),
    ("PUT", "/api/v1/projects/{ref}/schema"): Case(project("manager", 200), lambda w, r, c: c.put(
        f"{P}/schema", json={"schema": NEW_SCHEMA})),
    ("GET", "/api/v1/projects/{ref}/schema/versions"): Case(project("annotator", 200), lambda w, r, c: c.get(
        f"{P}/schema/versions")),
    ("GET", "/api/v1/projects/{ref}/members"): Case(project("annotator", 200), lambda w, r, c: c.get(
        f"{P}/members")),
    ("POST", "/api/v1/projects/{ref}/members"): Case(project("manager", 201), lambda w, r, c: c.post(
        f"{P}/members", json={"email": _fresh_user(w, r), "role": "annotator"})),
    ("DELETE", "/api/v1/projects/{ref}/members/{email}"): Case(project("manager", 200), lambda w, r, c: c.delete(
        f"{P}/members/{_new_member(w, r)}")),
    ("GET", "/api/v1/projects/{ref}/audit"): Case(project("manager", 200), lambda w, r, c: c.get(f"{P}/audit")),
    ("GET", "/api/v1/audit"): Case(admin_only(200), lambda w, r, c: c.get(f"{API}/audit")),
    # --- data -------------------------------------------------------------------------------------
    ("POST", "/api/v1/projects/{ref}/import"): Case(project("manager", 201), lambda w, r, c: c.post(
        f"{P}/import?format=jsonl", content=f'{{"text": "from {r}"}}\n'.encode())),
    ("POST", "/api/v1/projects/{ref}/records"): Case(project("manager", 201), lambda w, r, c: c.post(
        f"{P}/records", json={"records": [{"text": f"from {r}"}]})),
    ("GET", "/api/v1/projects/{ref}/items"): Case(project("reviewer", 200), lambda w, r, c: c.get(f"{P}/items")),
    # Counts by state are progress every member may see; filtered counts probe the items' content
    # and other people's work, which needs the right to browse.
    ("GET", "/api/v1/projects/{ref}/items/count"): Case(project("annotator", 200), lambda w, r, c: c.get(
        f"{P}/items/count")),
    ("GET", "/api/v1/projects/{ref}/items/{item_id}"): Case(project("reviewer", 200), lambda w, r, c: c.get(
        f"{P}/items/{w.items[0]}")),
    ("GET", "/api/v1/projects/{ref}/export"): Case(project("manager", 200), lambda w, r, c: c.get(f"{P}/export")),
    ("GET", "/api/v1/projects/{ref}/export/formats"): Case(project("manager", 200),
                                                           lambda w, r, c: c.get(f"{P}/export/formats")),
    # --- datasets: snapshots, Label Studio projects ---------------------------------------------------
    ("POST", "/api/v1/projects/{ref}/snapshots"): Case(project("manager", 201), lambda w, r, c: c.post(
        f"{P}/snapshots", json={"name": f"by {r}"})),
    ("GET", "/api/v1/projects/{ref}/snapshots"): Case(project("reviewer", 200), lambda w, r, c: c.get(
        f"{P}/snapshots")),
    ("GET", "/api/v1/projects/{ref}/snapshots/{snapshot_id}"): Case(project("reviewer", 200), lambda w, r, c: c.get(
        f"{P}/snapshots/{_snapshot(w)}")),
    ("GET", "/api/v1/projects/{ref}/snapshots/{snapshot_id}/export"): Case(
        project("manager", 200), lambda w, r, c: c.get(f"{P}/snapshots/{_snapshot(w)}/export")),
    ("GET", "/api/v1/projects/{ref}/snapshots/{snapshot_id}/diff/{other_id}"): Case(
        project("manager", 200), lambda w, r, c: c.get(f"{P}/snapshots/{_snapshot(w)}/diff/{_snapshot(w)}")),
    ("GET", "/api/v1/projects/{ref}/snapshots/{snapshot_id}/card"): Case(
        project("reviewer", 200), lambda w, r, c: c.get(f"{P}/snapshots/{_snapshot(w)}/card")),
    ("POST", "/api/v1/labelstudio/import"): Case(admin_only(201), lambda w, r, c: c.post(
        f"{API}/labelstudio/import", params={"name": f"ls-{r}"}, files=LS_FILES)),
    # --- annotation -------------------------------------------------------------------------------
    ("POST", "/api/v1/projects/{ref}/tasks/next"): Case(project("annotator", 200), lambda w, r, c: c.post(
        f"{P}/tasks/next")),
    ("GET", "/api/v1/projects/{ref}/tasks/{item_id}"): Case(project("annotator", 200), lambda w, r, c: c.get(
        f"{P}/tasks/{_prepare_task(w, r)}")),
    ("POST", "/api/v1/projects/{ref}/tasks/{item_id}/submit"): Case(project("annotator", 201), lambda w, r, c: c.post(
        f"{P}/tasks/{_prepare_task(w, r)}/submit", json={"result": {"sentiment": "positive"}})),
    ("PUT", "/api/v1/projects/{ref}/tasks/{item_id}/annotation"): Case(project("annotator", 200), lambda w, r, c: c.put(
        f"{P}/tasks/{_prepare_task(w, r, do_submit=True)}/annotation", json={"result": {"sentiment": "negative"}})),
    ("PUT", "/api/v1/projects/{ref}/tasks/{item_id}/draft"): Case(project("annotator", 200), lambda w, r, c: c.put(
        f"{P}/tasks/{_prepare_task(w, r)}/draft", json={"draft": {"sentiment": "positive"}})),
    ("POST", "/api/v1/projects/{ref}/tasks/{item_id}/skip"): Case(project("annotator", 200), lambda w, r, c: c.post(
        f"{P}/tasks/{_prepare_task(w, r)}/skip", json={"reason": "unclear"})),
    ("POST", "/api/v1/projects/{ref}/tasks/{item_id}/lease"): Case(project("annotator", 200), lambda w, r, c: c.post(
        f"{P}/tasks/{_prepare_task(w, r)}/lease")),
    ("GET", "/api/v1/projects/{ref}/history"): Case(project("annotator", 200), lambda w, r, c: c.get(
        f"{P}/history")),
    # --- comments ---------------------------------------------------------------------------------
    ("GET", "/api/v1/projects/{ref}/items/{item_id}/comments"): Case(project("annotator", 200), lambda w, r, c: c.get(
        f"{P}/items/{_prepare_task(w, r)}/comments")),
    ("POST", "/api/v1/projects/{ref}/items/{item_id}/comments"): Case(project("annotator", 201), lambda w, r, c: c.post(
        f"{P}/items/{_prepare_task(w, r)}/comments", json={"body": "is this sarcasm?"})),
    ("GET", "/api/v1/projects/{ref}/review/queue"): Case(project("reviewer", 200), lambda w, r, c: c.get(
        f"{P}/review/queue")),
    ("POST", "/api/v1/projects/{ref}/annotations/{annotation_id}/review"): Case(
        project("reviewer", 200), lambda w, r, c: c.post(
            f"{P}/annotations/{_annotated_by_annotator2(w)}/review", json={"action": "accept"})),
    # --- quality ----------------------------------------------------------------------------------
    ("PUT", "/api/v1/projects/{ref}/items/{item_id}/gold"): Case(project("manager", 200), lambda w, r, c: c.put(
        f"{P}/items/{w.items[1]}/gold", json={"result": {"sentiment": "positive"}})),
    ("DELETE", "/api/v1/projects/{ref}/items/{item_id}/gold"): Case(project("manager", 200), lambda w, r, c: c.delete(
        f"{P}/items/{_gold_item(w)}/gold")),
    # annotators read their own gold mistakes (reading another's needs the right to browse)
    ("GET", "/api/v1/projects/{ref}/quality/gold/mistakes"): Case(project("annotator", 200), lambda w, r, c: c.get(
        f"{P}/quality/gold/mistakes")),
    ("POST", "/api/v1/projects/{ref}/quality/gold/annotators/{annotator}/resume"): Case(
        project("manager", 200), lambda w, r, c: c.post(f"{P}/quality/gold/annotators/annotator2@example.org/resume")),
    ("GET", "/api/v1/projects/{ref}/quality/checks"): Case(project("reviewer", 200), lambda w, r, c: c.get(
        f"{P}/quality/checks")),
    ("GET", "/api/v1/projects/{ref}/quality/final"): Case(project("reviewer", 200), lambda w, r, c: c.get(
        f"{P}/quality/final")),
    ("POST", "/api/v1/projects/{ref}/quality/final/recompute"): Case(project("manager", 200), lambda w, r, c: c.post(
        f"{P}/quality/final/recompute")),
    ("GET", "/api/v1/projects/{ref}/quality/dashboard"): Case(project("reviewer", 200), lambda w, r, c: c.get(
        f"{P}/quality/dashboard")),
    # --- background jobs (no consumer runs here: a job stays queued) -------------------------------------
    ("POST", "/api/v1/projects/{ref}/jobs"): Case(project("manager", 202), lambda w, r, c: c.post(
        f"{P}/jobs", json={"kind": "recompute"})),
    ("GET", "/api/v1/projects/{ref}/jobs/{job_id}"): Case(project("manager", 200), lambda w, r, c: c.get(
        f"{P}/jobs/{_job(w)}")),
    # --- media: upload (demo has no media field: 422 once allowed), then read a key demo refers to -------
    ("POST", "/api/v1/projects/{ref}/media"): Case(project("manager", 422), lambda w, r, c: c.post(
        f"{P}/media", files={"files": ("a.png", b"not really")})),
    ("GET", "/api/v1/projects/{ref}/media/{key:path}"): Case(project("annotator", 200), lambda w, r, c: c.get(
        f"{P}/media/{_media_key(w)}")),
    ("GET", "/api/v1/projects/{ref}/media/{key:path}/info"): Case(project("annotator", 200), lambda w, r, c: c.get(
        f"{P}/media/{_media_key(w)}/info")),
    ("GET", "/api/v1/projects/{ref}/media/{key:path}/display"): Case(project("annotator", 200), lambda w, r, c: c.get(
        f"{P}/media/{_media_key(w)}/display")),
    ("GET", "/api/v1/projects/{ref}/media/{key:path}/tile"): Case(project("annotator", 200), lambda w, r, c: c.get(
        f"{P}/media/{_media_key(w)}/tile", params={"level": 0, "col": 0, "row": 0})),
    ("GET", "/api/v1/projects/{ref}/media/{key:path}/peaks"): Case(project("annotator", 422), lambda w, r, c: c.get(
        f"{P}/media/{_media_key(w)}/peaks")),  # an image has no peaks: 422 once allowed
    ("GET", "/api/v1/projects/{ref}/media/{key:path}/series"): Case(project("annotator", 422), lambda w, r, c: c.get(
        f"{P}/media/{_media_key(w)}/series")),
}


def _walk(routes: Any) -> Iterator[tuple[str, str]]:
    """(method, path) of every endpoint, looking inside included routers and mounts."""
    for route in routes:
        if hasattr(route, "effective_route_contexts"):  # FastAPI's included router
            for sub in route.effective_route_contexts():
                for method in sub.methods or ():
                    yield method, sub.path
        elif hasattr(route, "methods") and hasattr(route, "path"):
            for method in route.methods or ():
                yield method, route.path
        elif hasattr(route, "routes") and getattr(route, "path", ""):
            yield from ((m, route.path + p) for m, p in _walk(route.routes))


def api_endpoints(app: Any) -> set[tuple[str, str]]:
    return {(m, p) for m, p in _walk(app.routes) if p.startswith("/api/v1") and m != "HEAD"}


def test_every_route_has_an_authz_case(app: Any) -> None:
    found = api_endpoints(app)
    assert len(found) >= 35  # the walk really sees the included routers
    missing = sorted(found - set(ROUTES))
    stale = sorted(set(ROUTES) - found)
    assert not missing, f"endpoints without an authorization case in ROUTES: {missing}"
    assert not stale, f"ROUTES entries for endpoints that no longer exist: {stale}"


@pytest.fixture
def w(world: Any) -> Any:
    world.items = import_records(world, texts(12))
    return world


@pytest.mark.parametrize("endpoint", sorted(ROUTES), ids=lambda e: f"{e[0]} {e[1].removeprefix('/api/v1')}")
def test_authorization_matrix(w: Any, endpoint: tuple[str, str]) -> None:
    case = ROUTES[endpoint]
    got: dict[str, int] = {}
    bodies: dict[str, Any] = {}
    for role in ROLES:  # lowest first: the destructive successes (admin) come last
        client = w.anonymous() if role == "anonymous" else w.member(role).client
        response = case.call(w, role, client)
        got[role] = response.status_code
        bodies[role] = response.json() if response.headers.get("content-type", "").startswith(
            "application/json") else None
    assert got == case.expect
    for role, code in got.items():
        if code == 401:
            assert bodies[role]["error"] == "unauthorized"
        if code == 403:
            assert bodies[role]["error"] == "forbidden", bodies[role]
        if code == 404:
            # the same answer as for a project that does not exist: nothing leaks
            assert bodies[role] == {"error": "not_found", "detail": "project 'demo' not found"}


def test_outsider_sees_the_same_404_as_for_a_missing_project(w: Any) -> None:
    for path in ("", "/items", "/tasks/next", "/export", "/members"):
        method = "POST" if path == "/tasks/next" else "GET"
        real = w.outsider.client.request(method, f"{API}/projects/demo{path}")
        missing = w.outsider.client.request(method, f"{API}/projects/nowhere{path}")
        assert real.status_code == missing.status_code == 404
        assert real.json()["detail"].replace("demo", "X") == missing.json()["detail"].replace("nowhere", "X")
    by_id = w.outsider.client.get(f"{API}/projects/{w.project['id']}")
    assert by_id.status_code == 404
    assert [p["name"] for p in w.outsider.client.get(f"{API}/projects").json()] == ["other"]


def test_delete_project_does_not_leak(w: Any) -> None:
    for role in ("outsider", "manager"):
        real = w.member(role).client.delete(f"{API}/projects/demo")
        missing = w.member(role).client.delete(f"{API}/projects/nowhere")
        assert real.status_code == missing.status_code == 403
        assert real.json() == missing.json()
    assert w.admin.client.delete(f"{API}/projects/nowhere").status_code == 404


def test_filtered_counts_need_the_right_to_browse(w: Any) -> None:
    a = w.annotator.client
    assert a.get(f"{P}/items/count").json()["total"] == 12
    for params in ({"text": "item 1"}, {"annotator": "annotator2@example.org"}, {"label": "positive"},
                   {"meta.source": "x"}, {"state": "new"}):
        r = a.get(f"{P}/items/count", params=params)
        assert r.status_code == 403, (params, r.text)
    assert w.reviewer.client.get(f"{P}/items/count", params={"text": "item 1"}).json() == {"total": 3}


def test_member_cannot_act_in_a_project_of_lower_role(w: Any) -> None:
    # the outsider manages project "other" but that gives nothing in "demo"
    assert w.outsider.client.get(f"{API}/projects/other/items").status_code == 200
    assert w.outsider.client.post(f"{P}/records", json={"records": [{"text": "x"}]}).status_code == 404
    # a role given, then taken away, stops working at once
    assert w.manager.client.post(f"{P}/members", json={"email": "outsider@example.org",
                                                        "role": "reviewer"}).status_code == 201
    assert w.outsider.client.get(f"{P}/items").status_code == 200
    assert w.manager.client.delete(f"{P}/members/outsider@example.org").status_code == 200
    assert w.outsider.client.get(f"{P}/items").status_code == 404


# --- sessions and CSRF ---------------------------------------------------------------------------


def _login(w: Any, email: str, password: str = "correct horse") -> tuple[TestClient, str]:
    browser = w.anonymous()
    r = browser.post(f"{API}/auth/login", json={"email": email, "password": password})
    assert r.status_code == 200, r.text
    assert browser.cookies.get("lw_session")
    return browser, r.json()["csrf_token"]


def test_session_cookie_needs_the_csrf_header_on_writes(w: Any) -> None:
    browser, csrf = _login(w, "annotator@example.org")
    assert browser.get(f"{API}/me").json()["email"] == "annotator@example.org"  # safe method: no header needed
    r = browser.post(f"{P}/tasks/next")
    assert r.status_code == 403
    assert "CSRF" in r.json()["detail"]
    assert browser.post(f"{P}/tasks/next", headers={"X-CSRF-Token": "wrong"}).status_code == 403
    r = browser.post(f"{P}/tasks/next", headers={"X-CSRF-Token": csrf})
    assert r.status_code == 200
    r = browser.post(f"{P}/tasks/{r.json()['id']}/submit", headers={"X-CSRF-Token": csrf},
                     json={"result": {"sentiment": "positive"}})
    assert r.status_code == 201
    # another session's CSRF token does not fit this session
    _, other_csrf = _login(w, "annotator@example.org")
    assert browser.post(f"{P}/tasks/next", headers={"X-CSRF-Token": other_csrf}).status_code == 403


def test_logout_ends_the_session(w: Any) -> None:
    browser, csrf = _login(w, "reviewer@example.org")
    cookie = browser.cookies["lw_session"]
    assert browser.post(f"{API}/auth/logout", headers={"X-CSRF-Token": csrf}).status_code == 200
    replay = w.anonymous()
    replay.cookies.set("lw_session", cookie)
    assert replay.get(f"{API}/me").status_code == 401


def test_api_token_is_not_a_session(w: Any) -> None:
    # an API token sent as the session cookie is refused (no CSRF token belongs to it)
    c = w.anonymous()
    c.cookies.set("lw_session", w.annotator.token)
    assert c.get(f"{API}/me").status_code == 401


def test_bad_credentials(w: Any) -> None:
    c = w.anonymous()
    assert c.post(f"{API}/auth/login", json={"email": "annotator@example.org",
                                             "password": "wrong horse"}).status_code == 401
    assert c.post(f"{API}/auth/login", json={"email": "nobody@example.org",
                                             "password": "correct horse"}).status_code == 401
    for header in ("Bearer lw_not-a-token", "Basic dXNlcjpwYXNz", "Bearer ", "Token"):
        r = c.get(f"{API}/me", headers={"Authorization": header})
        assert r.status_code == 401, header
        assert r.json()["error"] == "unauthorized"


def test_deactivated_user_is_locked_out(w: Any) -> None:
    browser, _ = _login(w, "annotator@example.org")
    assert w.annotator.client.get(f"{API}/me").status_code == 200  # the token is cached now
    r = w.admin.client.delete(f"{API}/users/annotator@example.org")
    assert r.status_code == 200
    assert w.annotator.client.get(f"{API}/me").status_code == 401
    assert w.annotator.client.post(f"{P}/tasks/next").status_code == 401
    assert browser.get(f"{API}/me").status_code == 401
    r = w.anonymous().post(f"{API}/auth/login", json={"email": "annotator@example.org", "password": "correct horse"})
    assert r.status_code == 401
    # nor can an admin mint a new token for them
    r = w.admin.client.post(f"{API}/tokens", json={"email": "annotator@example.org"})
    assert r.status_code == 404
    listed = {u["email"]: u["is_active"] for u in w.admin.client.get(f"{API}/users").json()}
    assert listed["annotator@example.org"] is False
    assert w.annotator2.client.get(f"{API}/me").status_code == 200


def test_revoked_token_stops_working(w: Any) -> None:
    r = w.annotator.client.post(f"{API}/tokens", json={"name": "laptop"})
    assert r.status_code == 201
    token = r.json()["token"]
    laptop = TestClient(w.app, headers={"Authorization": f"Bearer {token}"})
    assert laptop.get(f"{API}/me").json()["email"] == "annotator@example.org"
    listed = w.annotator.client.get(f"{API}/tokens").json()
    assert [t["name"] for t in listed] == ["api", "laptop"]
    assert all("token" not in t and "token_hash" not in t for t in listed)
    token_id = listed[1]["id"]
    # someone else cannot revoke it (and cannot tell it exists)
    assert w.annotator2.client.delete(f"{API}/tokens/{token_id}").status_code == 404
    assert laptop.get(f"{API}/me").status_code == 200
    assert w.annotator.client.delete(f"{API}/tokens/{token_id}").status_code == 200
    assert laptop.get(f"{API}/me").status_code == 401
    assert w.annotator.client.get(f"{API}/me").status_code == 200  # the other token still works
    assert w.annotator.client.delete(f"{API}/tokens/{token_id}").status_code == 404


def test_only_admins_create_tokens_for_others(w: Any) -> None:
    r = w.manager.client.post(f"{API}/tokens", json={"email": "annotator@example.org"})
    assert r.status_code == 403
    r = w.admin.client.post(f"{API}/tokens", json={"email": "annotator@example.org", "name": "bot"})
    assert r.status_code == 201
    c = TestClient(w.app, headers={"Authorization": f"Bearer {r.json()['token']}"})
    assert c.get(f"{API}/me").json()["email"] == "annotator@example.org"


def test_secrets_are_stored_hashed(w: Any) -> None:
    browser, csrf = _login(w, "manager@example.org")
    session = browser.cookies["lw_session"]
    created = w.manager.client.post(f"{API}/tokens", json={"name": "x"}).json()["token"]
    plain_tokens = [created, session] + [w.member(r).token for r in MEMBERS]
    with w.ctx.db.read() as conn:
        token_rows = [dict(r) for r in conn.execute(select(api_tokens)).mappings()]
        user_rows = [dict(r) for r in conn.execute(select(users)).mappings()]
    dump = repr(token_rows) + repr(user_rows)
    for plain in plain_tokens:
        assert plain not in dump
    digests = {r["token_hash"] for r in token_rows}
    for plain in plain_tokens:
        assert hashlib.sha256(plain.encode()).hexdigest() in digests
    assert all(len(d) == 64 and all(ch in "0123456789abcdef" for ch in d) for d in digests)
    assert "correct horse" not in dump
    for row in user_rows:
        assert row["password_hash"].startswith("$argon2id$"), row["email"]
    assert len({r["password_hash"] for r in user_rows}) == len(user_rows)  # salted
    assert csrf  # the CSRF token is not a credential on its own: it is kept to compare with the header
