"""Users, logins and the running server, shared by the browser tests."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from playwright.sync_api import BrowserContext, Locator, Page, expect

from labelwise.config import Settings
from labelwise.services import auth
from labelwise.services.setup import prepare

PASSWORD = "correct horse battery"


@dataclass
class Server:
    url: str
    settings: Settings

    def user(self, role: str = "user", *, is_admin: bool = False) -> User:
        """A new user (unique email) with a password for the login form and an API token for checks."""
        email = f"{role}-{uuid.uuid4().hex[:8]}@example.org"
        ctx = prepare(self.settings, migrate=False)
        try:
            auth.create_user(ctx, None, email=email, password=PASSWORD, is_admin=is_admin)
            token = auth.create_token(ctx, None, email=email)
        finally:
            ctx.close()
        return User(email=email, token=token, server=self)


@dataclass
class User:
    email: str
    token: str
    server: Server

    def api(self) -> httpx.Client:
        return httpx.Client(base_url=self.server.url + "/api/v1", headers={"Authorization": f"Bearer {self.token}"},
                            timeout=10)


def expect_attributes(rows: Locator, name: str, values: list[str]) -> None:
    """``rows`` are as many as ``values`` and each has its value of attribute ``name`` (auto-waiting)."""
    expect(rows).to_have_count(len(values))
    for i, value in enumerate(values):
        expect(rows.nth(i)).to_have_attribute(name, value)


def expect_checked(boxes: Locator, states: list[bool]) -> None:
    """``boxes`` are as many as ``states`` and each is checked or not as its state says (auto-waiting)."""
    expect(boxes).to_have_count(len(states))
    for i, state in enumerate(states):
        expect(boxes.nth(i)).to_be_checked(checked=state)


def login(page: Page, user: User, next_path: str = "/") -> None:
    """Log in through the form."""
    page.goto(f"/login?next={next_path}")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"**{next_path}")


def login_fast(context: BrowserContext, user: User) -> None:
    """Log in through the API (the session cookie lands in the browser context)."""
    r = context.request.post("/api/v1/auth/login", data={"email": user.email, "password": PASSWORD})
    assert r.ok, r.text()


def submit_each(pid: int, users: list[User], results: list[dict]) -> tuple[int, list[int]]:
    """Each user takes their next task of a one-item project ``pid`` and submits the matching result:
    the item and the annotation ids."""
    items, ids = set(), []
    for user, result in zip(users, results, strict=True):
        with user.api() as api:
            item = api.post(f"/projects/{pid}/tasks/next").json()["id"]
            r = api.post(f"/projects/{pid}/tasks/{item}/submit", json={"result": result})
            assert r.status_code == 201, r.text
            items.add(item)
            ids.append(r.json()["id"])
    assert len(items) == 1, items
    return items.pop(), ids


def open_page(new_context, user: User, path: str, *, page_errors: list[str] | None = None) -> Page:
    """``path`` opened by ``user`` (logged in) in a new browser context, failing the test if any dialog fires;
    the page's uncaught script errors, from its first load on, go to ``page_errors`` when given."""
    context = new_context()
    login_fast(context, user)
    page = context.new_page()
    page.on("dialog", lambda d: pytest.fail(f"a dialog fired: {d.message}"))
    if page_errors is not None:
        page.on("pageerror", lambda e: page_errors.append(str(e)))
    page.goto(path)
    return page


def open_review(new_context, reviewer: User, pid: int) -> Page:
    """The review page of project ``pid`` for ``reviewer``, failing the test if any dialog fires."""
    return open_page(new_context, reviewer, f"/projects/{pid}/review")


def assert_merged(reviewer: User, pid: int, item: int, ann_ids: list[int], merged: dict[str, Any]) -> None:
    """Every annotation of ``item`` (exactly ``ann_ids``) is corrected by the review, with ``merged`` as the
    result of its last review."""
    with reviewer.api() as api:
        anns = api.get(f"/projects/{pid}/items/{item}").json()["annotations"]
    assert sorted(a["id"] for a in anns) == sorted(ann_ids)
    for a in anns:
        assert a["review_status"] == "corrected"
        assert a["reviews"][-1]["result"] == merged
