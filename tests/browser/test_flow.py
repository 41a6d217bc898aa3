"""The whole loop in a real browser: project, import, annotate by keyboard, review, fix, export."""

from __future__ import annotations

import json
import re
import uuid

import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import Server, login

pytestmark = pytest.mark.browser

TEXTS = ["Alice works at Acme in Paris.", "The weather is fine today.", "Bob moved to Berlin."]


def select_text(page: Page, container: str, needle: str) -> None:
    """Select ``needle`` inside ``container`` by dragging the mouse across it."""
    box = page.eval_on_selector(container, """(el, needle) => {
        const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {
            const at = node.data.indexOf(needle);
            if (at < 0) continue;
            const range = document.createRange();
            range.setStart(node, at);
            range.setEnd(node, at + needle.length);
            const r = range.getBoundingClientRect();
            return {x: r.left, y: r.top, w: r.width, h: r.height};
        }
        return null;
    }""", needle)
    assert box, f"{needle!r} not found in {container}"
    y = box["y"] + box["h"] / 2
    page.mouse.move(box["x"] + 1, y)
    page.mouse.down()
    page.mouse.move(box["x"] + box["w"] / 2, y, steps=3)
    page.mouse.move(box["x"] + box["w"] - 1, y, steps=3)
    page.mouse.up()


def item_ids(api, project_id: int) -> list[int]:
    return [i["id"] for i in api.get(f"/projects/{project_id}/items").json()["items"]]


def test_project_import_annotate_review_fix_export(server: Server, new_context, tmp_path) -> None:
    admin, annotator = server.user("admin", is_admin=True), server.user("annotator")
    admin_api, annotator_api = admin.api(), annotator.api()
    try:
        _flow(server, new_context, tmp_path, admin, annotator, admin_api)
    finally:
        admin_api.close()
        annotator_api.close()


def _flow(server, new_context, tmp_path, admin, annotator, api) -> None:
    page = new_context().new_page()

    # ---- log in, create a project -----------------------------------------------------------
    login(page, admin)
    page.get_by_role("link", name="New project").click()
    name = f"Flow {uuid.uuid4().hex[:6]}"
    page.get_by_label("Name").fill(name)
    expect(page.get_by_label("Label schema")).to_have_value(re.compile("kind: spans"))
    page.get_by_label("Guidelines").fill("Mark **people** and <b>places</b>.")
    page.get_by_role("button", name="Create project").click()
    page.wait_for_url(re.compile(r"/projects/\d+$"))
    project_id = int(page.url.rsplit("/", 1)[1])
    project = api.get(f"/projects/{project_id}").json()
    assert project["name"] == name
    assert [lab["name"] for lab in project["schema"]["labels"]] == ["sentiment", "entities"]
    expect(page.locator(".markdown strong")).to_have_text("people")
    expect(page.locator(".markdown")).to_contain_text("<b>places</b>")  # raw HTML stays text

    # ---- import through the upload form -----------------------------------------------------
    source = tmp_path / "items.jsonl"
    rows = [{"text": t, "key": f"k{i}"} for i, t in enumerate(TEXTS)] + [{"title": "no text field"}]
    source.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    page.get_by_role("link", name="Import").click()
    page.get_by_label("File").set_input_files(str(source))
    page.get_by_role("button", name="Import").click()
    expect(page.locator("#import-message")).to_contain_text("Nothing was imported")
    expect(page.locator("#import-errors tbody tr")).to_have_count(1)
    page.get_by_label("Skip invalid rows").check()
    page.get_by_role("button", name="Import").click()
    expect(page.locator("#import-message")).to_have_text("Imported 3 item(s).")
    expect(page.locator(".count-invalid dd")).to_have_text("1")
    assert api.get(f"/projects/{project_id}/items/count").json()["total"] == 3
    ids = item_ids(api, project_id)

    # ---- add the annotator ---------------------------------------------------------------------
    page.get_by_role("link", name="Members").click()
    page.get_by_label("Email").fill(annotator.email)
    page.get_by_label("Role").select_option("annotator")
    page.get_by_role("button", name="Add").click()
    expect(page.locator(f'tr[data-email="{annotator.email}"]')).to_contain_text("annotator")
    roles = {m["email"]: m["role"] for m in api.get(f"/projects/{project_id}/members").json()}
    assert roles[annotator.email] == "annotator"

    # ---- annotate with the keyboard: a span by mouse + key, choices by number keys -----------
    apage = new_context().new_page()
    login(apage, annotator, f"/projects/{project_id}/annotate")
    task = apage.locator("#task")
    expect(task.locator(".span-text")).to_have_text(TEXTS[0])
    select_text(apage, "#task .span-text", "Alice")
    expect(task.locator(".selection-status")).to_contain_text("Alice")
    apage.keyboard.press("p")
    expect(task.locator("mark.span")).to_have_text("Alice")
    apage.keyboard.press("1")
    expect(task.get_by_label("positive")).to_be_checked()
    apage.keyboard.press("Enter")
    expect(task.locator(".span-text")).to_have_text(TEXTS[1])
    first = api.get(f"/projects/{project_id}/items/{ids[0]}").json()
    assert first["state"] == "annotated"
    assert first["annotations"][0]["result"] == {
        "sentiment": "positive", "entities": [{"start": 0, "end": 5, "label": "PER", "text": "Alice"}]}
    assert first["annotations"][0]["lead_time"] > 0

    apage.keyboard.press("2")
    apage.keyboard.press("Enter")
    expect(task.locator(".span-text")).to_have_text(TEXTS[2])
    second = api.get(f"/projects/{project_id}/items/{ids[1]}").json()
    assert second["annotations"][0]["result"] == {"sentiment": "negative"}

    apage.keyboard.press("s")
    apage.get_by_label("Reason").fill("not sure")
    apage.keyboard.press("Enter")
    expect(task.get_by_role("heading", name="No more tasks")).to_be_visible()
    third = api.get(f"/projects/{project_id}/items/{ids[2]}").json()
    assert third["annotations"][0]["status"] == "skipped"
    assert third["annotations"][0]["skip_reason"] == "not sure"

    # ---- review: reject the first with a comment, accept the second ----------------------------
    page.get_by_role("link", name="Review").click()
    review = page.locator("#review")
    expect(review.locator(".data-text")).to_have_text(TEXTS[0])
    expect(review.locator(".review-card mark.span")).to_have_text("Alice")
    page.keyboard.press("r")
    page.keyboard.type("Acme is an ORG too")
    page.keyboard.press("Enter")
    expect(review.locator(".data-text")).to_have_text(TEXTS[1])
    page.keyboard.press("a")
    expect(review.get_by_role("heading", name="Nothing to review")).to_be_visible()
    states = {i["id"]: i["state"] for i in api.get(f"/projects/{project_id}/items").json()["items"]}
    assert states[ids[0]] == "rejected" and states[ids[1]] == "accepted"

    # ---- the annotator fixes the rejected one ----------------------------------------------------
    apage.reload()
    expect(task.locator(".review-comment")).to_contain_text("Acme is an ORG too")
    expect(task.locator("mark.span")).to_have_text("Alice")
    select_text(apage, "#task .span-text", "Acme")
    apage.keyboard.press("o")
    expect(task.locator("mark.span")).to_have_count(2)
    apage.keyboard.press("Enter")
    expect(task.get_by_role("heading", name="No more tasks")).to_be_visible()
    fixed = api.get(f"/projects/{project_id}/items/{ids[0]}").json()
    assert fixed["state"] == "annotated"
    assert fixed["annotations"][0]["result"]["entities"] == [
        {"start": 0, "end": 5, "label": "PER", "text": "Alice"},
        {"start": 15, "end": 19, "label": "ORG", "text": "Acme"}]

    # ---- export JSONL from the UI ----------------------------------------------------------------
    page.get_by_role("link", name="Export").click()
    with page.expect_download() as info:
        page.get_by_role("link", name="JSONL", exact=True).click()
    path = tmp_path / "export.jsonl"
    info.value.save_as(path)
    records = {r["key"]: r for r in map(json.loads, path.read_text().splitlines())}
    assert set(records) == {"k0", "k1", "k2"}
    assert records["k0"]["annotations"][0]["result"]["entities"][1]["label"] == "ORG"
    assert records["k0"]["annotations"][0]["review"] is None  # revised: waiting for review again
    assert records["k0"]["state"] == "annotated"
    assert records["k1"]["annotations"][0]["review"]["status"] == "accepted"
    assert records["k1"]["state"] == "accepted"


def test_schema_errors_name_the_label_and_the_problem(server: Server, new_context) -> None:
    admin = server.user("admin", is_admin=True)
    page = new_context().new_page()
    login(page, admin, "/projects/new")
    page.get_by_label("Name").fill(f"Broken {uuid.uuid4().hex[:6]}")
    page.get_by_label("Label schema").fill(
        "fields: {text: text}\nlabels:\n  - {name: topic, kind: choice, options: []}\n"
        "  - {name: ents, kind: spans, field: body, options: [PER]}\n")
    page.get_by_role("button", name="Create project").click()
    errors = page.locator("#schema-errors")
    expect(errors).to_contain_text("label 'topic'")
    expect(errors).to_contain_text("needs at least one option")
    assert page.url.endswith("/projects/new")
    page.get_by_label("Label schema").fill(
        "fields: {text: text}\nlabels:\n  - {name: topic, kind: choice, options: [a, b]}\n")
    page.get_by_role("button", name="Create project").click()
    page.wait_for_url(re.compile(r"/projects/\d+$"))
    expect(errors).to_have_count(0)
