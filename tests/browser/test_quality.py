"""The quality dashboard and the training page in a real browser: charts drawn as inline SVG with titles
and table fallbacks, user text shown as text."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import Server, login_fast

pytestmark = pytest.mark.browser

SCHEMA = {"fields": {"text": "text"},
          "labels": [{"name": "topic", "kind": "choice", "options": ["a", "b", "<img src=x onerror=alert(1)>"]}]}


def test_dashboard_and_training_pages(server: Server, new_context) -> None:
    admin = server.user("admin", is_admin=True)
    people = [server.user(f"ann{i}") for i in range(3)]
    api = admin.api()
    name = f"qa-{uuid.uuid4().hex[:6]}"
    try:
        project = api.post("/projects", json={"name": name, "schema": SCHEMA, "overlap": 3, "gold_share": 0.2,
                                               "guidelines": "Pick **a** for apples."}).json()
        for p in people:
            assert api.post(f"/projects/{name}/members", json={"email": p.email}).status_code == 201
        api.post(f"/projects/{name}/records", json={"records": [{"text": f"text {i}"} for i in range(6)]})
        ids = [i["id"] for i in api.get(f"/projects/{name}/items").json()["items"]]
        api.put(f"/projects/{name}/items/{ids[0]}/gold", json={"result": {"topic": "a"}})
        for k, p in enumerate(people):
            c = p.api()
            while (r := c.post(f"/projects/{name}/tasks/next")).status_code == 200:
                value = "b" if r.json()["id"] == ids[0] else ["a", "b", SCHEMA["labels"][0]["options"][2]][k % 3]
                c.post(f"/projects/{name}/tasks/{r.json()['id']}/submit", json={"result": {"topic": value}})
            c.close()
    finally:
        api.close()

    context = new_context()
    errors: list[str] = []
    page = context.new_page()
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("dialog", lambda d: errors.append("dialog " + d.message))
    login_fast(context, admin)
    page.goto(f"/projects/{project['id']}/quality")
    expect(page.get_by_role("heading", name="Annotators")).to_be_visible()
    charts = page.locator("svg.chart[role=img]")
    expect(charts.nth(2)).to_be_visible()  # at least three
    expect(page.locator("svg.chart title").first).to_have_text(re.compile(r"\S"))
    expect(page.get_by_role("table", name="Annotators")).to_be_attached()
    expect(page.get_by_text("<img src=x onerror=alert(1)>").first).to_be_attached()  # shown as text, never as markup
    assert not errors

    annotator_context = new_context()
    login_fast(annotator_context, people[0])
    mine = annotator_context.new_page()
    mine.goto(f"/projects/{project['id']}/training")
    expect(mine.locator("#mistakes .expected").first).to_have_text("a")
    expect(mine.locator(".guidelines strong")).to_have_text("a")
