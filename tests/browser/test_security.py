"""Pages need a session, outsiders see nothing, user content renders as inert text under a strict CSP."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import Server, login, login_fast

pytestmark = pytest.mark.browser

EVIL_TEXT = "<img src=x onerror=alert(1)>"
EVIL_NAME = "<script>alert('name')</script> project"
EVIL_LABEL = "<script>alert('label')</script>"
EVIL_OPTION = "<b onmouseover=alert(2)>bold</b>"


def test_pages_without_a_session_redirect_to_login(server: Server, new_context) -> None:
    page = new_context().new_page()
    page.goto("/projects/1/annotate")
    assert re.search(r"/login\?next=/projects/1/annotate$", page.url)
    page.goto("/")
    assert page.url.endswith("/login?next=/")
    user = server.user("returning")
    login(page, user, "/")
    expect(page.get_by_role("heading", name="Projects")).to_be_visible()
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url("**/login")
    page.goto("/")
    assert "/login" in page.url


def test_an_annotator_does_not_see_projects_they_are_not_in(server: Server, new_context) -> None:
    admin, member, outsider = server.user("admin", is_admin=True), server.user("member"), server.user("outsider")
    with admin.api() as api:
        mine = api.post("/projects", json={"name": f"Secret {admin.email}", "schema": {
            "labels": [{"name": "ok", "kind": "choice", "options": ["yes", "no"]}]}}).json()
        api.post(f"/projects/{mine['id']}/members", json={"email": member.email, "role": "annotator"})
    page = new_context().new_page()
    login(page, outsider)
    expect(page.get_by_text("You are not in any project yet.")).to_be_visible()
    expect(page.get_by_text(mine["name"])).to_have_count(0)
    response = page.goto(f"/projects/{mine['id']}")
    assert response is not None and response.status == 404
    expect(page.get_by_text(mine["name"])).to_have_count(0)

    other = new_context().new_page()
    login(other, member)
    expect(other.get_by_role("link", name=mine["name"])).to_be_visible()
    other.get_by_role("link", name=mine["name"]).click()
    tabs = other.get_by_role("navigation", name="Project").get_by_role("link")
    expect(tabs).to_have_text(["Overview", "Annotate", "Training", "Members"])
    response = other.goto(f"/projects/{mine['id']}/export")
    assert response is not None and response.status == 403


def test_user_content_is_rendered_as_text(server: Server, new_context) -> None:
    admin = server.user("admin", is_admin=True)
    with admin.api() as api:
        project = api.post("/projects", json={
            "name": EVIL_NAME,
            "guidelines": "<script>alert('guidelines')</script> [click](javascript:alert(3))",
            "schema": {"fields": {"text": "text"}, "labels": [
                {"name": EVIL_LABEL, "kind": "choice", "options": [EVIL_OPTION, "plain"]},
                {"name": "spans", "kind": "spans", "field": "text", "options": ["<i>X</i>"]}]},
        }).json()
        r = api.post(f"/projects/{project['id']}/records", json={"records": [{"text": EVIL_TEXT}]})
        assert r.status_code == 201, r.text
    context = new_context()
    login_fast(context, admin)
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))

    response = page.goto("/")
    assert response is not None
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    expect(page.get_by_role("link", name=EVIL_NAME)).to_be_visible()

    page.goto(f"/projects/{project['id']}")
    expect(page.locator("#project-name")).to_have_text(EVIL_NAME)
    expect(page.locator(".markdown")).to_contain_text("<script>alert('guidelines')</script>")
    expect(page.locator(".markdown a[href^='javascript']")).to_have_count(0)

    page.goto(f"/projects/{project['id']}/annotate")
    task = page.locator("#task")
    expect(task.locator(".span-text")).to_have_text(EVIL_TEXT)
    expect(task.get_by_text(EVIL_LABEL)).to_be_visible()
    expect(task.get_by_text(EVIL_OPTION)).to_be_visible()
    expect(task.get_by_text("<i>X</i>")).to_be_visible()
    expect(task.locator("img, script, b, i")).to_have_count(0)
    task.get_by_text(EVIL_OPTION).hover()
    page.keyboard.press("1")
    page.keyboard.press("Enter")
    expect(task.get_by_role("heading", name="No more tasks")).to_be_visible()

    page.goto(f"/projects/{project['id']}/items")
    expect(page.locator("#items-table td.preview")).to_have_text(EVIL_TEXT)
    page.locator("#items-table tbody a").first.click()
    expect(page.locator("#item-detail .data-text")).to_have_text(EVIL_TEXT)
    expect(page.locator("#item-detail .result dd").first).to_have_text(EVIL_OPTION)
    expect(page.locator("#item-detail img, #item-detail script, #item-detail b")).to_have_count(0)
    page.wait_for_timeout(200)
    assert dialogs == []
