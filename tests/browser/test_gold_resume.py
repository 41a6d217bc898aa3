"""The quality page's Resume button: a manager lets an annotator paused by gold continue, by keyboard."""

from __future__ import annotations

import uuid

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import Server, login_fast

pytestmark = pytest.mark.browser

SCHEMA = {"fields": {"text": "text"}, "labels": [{"name": "topic", "kind": "choice", "options": ["a", "b"]}]}


def test_resume_button(server: Server, new_context) -> None:
    admin, ann = server.user("admin", is_admin=True), server.user("ann")
    api, c = admin.api(), ann.api()
    name = f"resume-{uuid.uuid4().hex[:6]}"
    try:
        project = api.post("/projects", json={"name": name, "schema": SCHEMA, "gold_share": 1.0,
                                               "gold_min_accuracy": 0.5, "gold_min_answers": 1,
                                               "gold_pause": True}).json()
        assert api.post(f"/projects/{name}/members", json={"email": ann.email}).status_code == 201
        api.post(f"/projects/{name}/records", json={"records": [{"text": f"text {i}"} for i in range(4)]})
        ids = [i["id"] for i in api.get(f"/projects/{name}/items").json()["items"]]
        for item_id in ids[:2]:
            assert api.put(f"/projects/{name}/items/{item_id}/gold", json={"result": {"topic": "a"}}).status_code == 200
        task = c.post(f"/projects/{name}/tasks/next").json()
        assert task["id"] in ids[:2]
        c.post(f"/projects/{name}/tasks/{task['id']}/submit", json={"result": {"topic": "b"}})
        assert c.post(f"/projects/{name}/tasks/next").status_code == 403

        context = new_context()
        errors: list[str] = []
        page = context.new_page()
        page.on("pageerror", lambda e: errors.append(str(e)))
        login_fast(context, admin)
        page.goto(f"/projects/{project['id']}/quality")
        row = page.get_by_role("table", name="Annotators").get_by_role("row", name=ann.email)
        expect(row).to_contain_text("paused")
        button = page.get_by_role("button", name=f"Resume {ann.email}")
        button.focus()
        page.keyboard.press("Enter")
        expect(button).to_have_count(0)
        expect(row).to_contain_text("resumed")
        expect(row).not_to_contain_text("paused")
        expect(page.get_by_role("heading", name="Annotators")).to_be_focused()
        assert not errors
        assert c.post(f"/projects/{name}/tasks/next").status_code == 200
        audit = api.get(f"/projects/{name}/audit", params={"action": "gold.resume"}).json()
        assert len(audit) == 1
    finally:
        api.close()
        c.close()
