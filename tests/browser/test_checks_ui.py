"""Automatic checks in the annotate page: a warning rule's findings are shown after the submit (in a
live region, without stopping the flow); a blocking rule's 422 is shown next to the submit button and
the task stays on screen. Stored results are checked through the API."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import Server
from tests.browser.test_text_ui import make_project, open_annotate, submitted

pytestmark = pytest.mark.browser

SCHEMA = {"fields": {"text": "text"}, "labels": [
    {"name": "sentiment", "kind": "choice", "options": ["positive", "negative"]},
    {"name": "entities", "kind": "spans", "field": "text", "options": ["PER", "LOC"]}]}
CHECKS = [{"rule": "required", "label": "entities", "mode": "warn"},
          {"rule": "forbidden_combination", "values": {"sentiment": "negative"}, "mode": "block",
           "name": "no-negative"}]


def test_warnings_after_submit_and_a_blocking_check(server: Server, new_context) -> None:
    pid, admin, (ann,), _ = make_project(server, SCHEMA, [{"text": "Alice in Paris"}, {"text": "Bob at home"},
                                                         {"text": "Carol"}])
    with admin.api() as api:
        r = api.patch(f"/projects/{pid}", json={"checks": CHECKS})
        assert r.status_code == 200, r.text
    page = open_annotate(new_context, ann, pid)
    warnings = page.locator("#check-warnings")
    assert warnings.get_attribute("aria-live") == "polite"
    first = page.locator("#task").get_attribute("data-item")
    # a warning: stored, named with its rule and message, and the next task is already there
    page.keyboard.press("1")
    page.keyboard.press("Enter")
    expect(warnings.locator(".check-warning")).to_have_count(1)
    expect(warnings.locator(".check-warning")).to_contain_text("required:entities")
    expect(page.locator("#task")).not_to_have_attribute("data-item", first or "")
    assert submitted(ann, pid)[int(first or 0)] == {"sentiment": "positive"}
    with admin.api() as api:
        bulk = api.get(f"/projects/{pid}/quality/checks").json()
    assert [(v["item_id"], v["rule"]) for v in bulk["violations"]] == [(int(first or 0), "required:entities")]
    # a blocking rule: refused with its name next to the submit button; the task stays, nothing is stored
    second = page.locator("#task").get_attribute("data-item")
    page.keyboard.press("2")
    page.keyboard.press("Enter")
    error = page.locator("#submit-error")
    expect(error).to_be_visible()
    expect(error).to_contain_text("no-negative")
    assert error.get_attribute("role") == "alert"
    expect(page.locator("#task")).to_have_attribute("data-item", second or "")
    assert int(second or 0) not in submitted(ann, pid)
    # fixed: it goes through, the error clears
    page.keyboard.press("1")
    page.keyboard.press("Enter")
    expect(page.locator("#task")).not_to_have_attribute("data-item", second or "")
    expect(error).to_have_count(1)
    assert submitted(ann, pid)[int(second or 0)] == {"sentiment": "positive"}
    expect(warnings.locator(".check-warning")).to_have_count(1)
    # dismissed by the annotator; a clean submission clears it too
    warnings.get_by_role("button", name="Dismiss").click()
    expect(warnings.locator(".check-warning")).to_have_count(0)
