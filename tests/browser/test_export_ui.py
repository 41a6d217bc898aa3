"""The Export page in a real browser: every format grouped with its description, the filters in the
links, snapshots (create with a note, list, download in a format, the dataset card as safe markdown,
the diff of two). Everything shown is checked against the API."""

from __future__ import annotations

import re
import uuid
from pathlib import Path
from typing import Any

import orjson
import pytest
from playwright.sync_api import expect

from tests.browser.helpers import Server, User, login_fast, open_page

pytestmark = pytest.mark.browser

SCHEMA = {"fields": {"text": "text"}, "labels": [
    {"name": "entities", "kind": "spans", "field": "text", "options": ["PER", "ORG"]}]}
NASTY = "<img src=x onerror=alert(1)>"


def annotate_next(user: User, pid: int, label: str) -> int:
    """Take the next task through the API and submit the first word as a span."""
    with user.api() as api:
        task = api.post(f"/projects/{pid}/tasks/next").json()
        word = task["data"]["text"].split()[0]
        r = api.post(f"/projects/{pid}/tasks/{task['id']}/submit",
                     json={"result": {"entities": [{"start": 0, "end": len(word), "label": label}]}})
        assert r.status_code == 201, r.text
        return int(task["id"])


def test_formats_filters_snapshots_card_and_diff(server: Server, new_context, tmp_path: Path) -> None:
    admin = server.user("admin", is_admin=True)
    ann = server.user("annotator")
    with admin.api() as api:
        r = api.post("/projects", json={"name": f"E {uuid.uuid4().hex[:6]}", "schema": SCHEMA,
                                        "description": f"Names {NASTY}"})
        assert r.status_code == 201, r.text
        pid = r.json()["id"]
        records: list[dict[str, Any]] = [{"key": "a", "text": "Alice met Bob"},
                                         {"key": "b", "text": "Acme hired Carol"}]
        assert api.post(f"/projects/{pid}/records", json={"records": records}).status_code < 300
        assert api.post(f"/projects/{pid}/members", json={"email": ann.email, "role": "annotator"}).status_code == 201
        formats = api.get(f"/projects/{pid}/export/formats").json()
    annotate_next(ann, pid, "PER")

    page = open_page(new_context, admin, f"/projects/{pid}/export")
    # every format of export/formats, in its group, with its description
    for f in formats:
        row = page.locator(f"#export-formats li[data-format='{f['name']}']")
        expect(row).to_contain_text(f["description"])
    expect(page.locator("#export-formats section[aria-label='Named entities (NER)'] li")).to_have_count(3)
    expect(page.locator("#export-formats section[aria-label='Vision']")).to_have_count(0)  # no image labels
    # the filters go into every link
    page.get_by_label("State").select_option("annotated")
    expect(page.locator("#export-filter-note")).to_contain_text("state = annotated")
    conll = page.locator("#export-formats a[data-format=conll]")
    expect(conll).to_have_attribute("href", re.compile(r"[?&]state=annotated(&|$)"))
    with page.expect_download() as info:
        conll.click()
    path = tmp_path / "live.conll"
    info.value.save_as(path)
    live = path.read_text()
    assert "B-PER" in live and "Acme" not in live  # the filtered export holds the annotated item only

    # snapshot 1, then more work, then snapshot 2
    page.get_by_label("Note").fill(f"first {NASTY}")
    page.get_by_role("button", name="Create snapshot").click()
    expect(page.locator("#snapshot-status")).to_contain_text("created")
    annotate_next(ann, pid, "ORG")  # item b: relabelled between the snapshots
    with admin.api() as api:
        assert api.post(f"/projects/{pid}/records", json={"records": [{"key": "c", "text": "Dan"}]}).status_code < 300
    page.get_by_role("button", name="Create snapshot").click()
    rows = page.locator("#snapshot-table tbody tr")
    expect(rows).to_have_count(2)
    with admin.api() as api:
        snaps = api.get(f"/projects/{pid}/snapshots").json()
    first, second = snaps
    newest = rows.nth(0)
    expect(newest).to_contain_text(second["content_sha256"][:12])
    expect(newest).to_contain_text(admin.email)
    expect(newest.locator("td").nth(4)).to_have_text(str(second["items"]))
    expect(rows.nth(1)).to_contain_text(f"first {NASTY}")  # the note, as text

    # the diff, checked against the API
    page.get_by_role("button", name="Compare").click()
    counts = page.locator(".diff-counts")
    expect(counts).to_contain_text("1 added")
    with admin.api() as api:
        diff = api.get(f"/projects/{pid}/snapshots/{first['id']}/diff/{second['id']}").json()
    assert diff["counts"]["added"] == 1 and diff["counts"]["relabelled"] == 1 and diff["counts"]["removed"] == 0
    expect(counts).to_contain_text("1 relabelled")
    expect(counts).to_contain_text("0 removed")
    expect(page.locator(".diff-list[data-kind=added] li")).to_have_text(["c"])
    expect(page.locator(".diff-list[data-kind=relabelled] li")).to_have_text(["b"])

    # download snapshot 2 as CoNLL: the same bytes as the API gives
    newest.locator("select.snapshot-format").select_option("conll")
    with page.expect_download() as info:
        newest.locator("a.snapshot-download").click()
    assert info.value.suggested_filename.endswith(".conll")
    path = tmp_path / "snap.conll"
    info.value.save_as(path)
    with admin.api() as api:
        expected = api.get(f"/projects/{pid}/snapshots/{second['id']}/export", params={"format": "conll"}).content
    assert path.read_bytes() == expected
    assert "Alice _ _ B-PER" in path.read_text() and "Acme _ _ B-ORG" in path.read_text()

    # the dataset card: markdown rendered, the user's markup shown as text
    newest.get_by_role("link", name=f"Dataset card of snapshot {second['id']}").click()
    card = page.locator("#dataset-card")
    expect(card.locator("h1")).to_contain_text(": snapshot")
    expect(card.locator("h2", has_text="Quality")).to_be_visible()
    expect(card).to_contain_text(f"Names {NASTY}")
    expect(card.locator("img")).to_have_count(0)
    missing = page.goto(f"/projects/{pid}/snapshots/999999/card")
    assert missing is not None and missing.status == 404
    expect(page.locator("main")).to_contain_text("no snapshot 999999")


def test_format_options_go_into_the_download(server: Server, new_context, tmp_path: Path) -> None:
    admin = server.user("admin", is_admin=True)
    schema = {"fields": {"text": "text"}, "labels": [
        {"name": "people", "kind": "spans", "field": "text", "options": ["PER"]},
        {"name": "places", "kind": "spans", "field": "text", "options": ["LOC"]}]}
    with admin.api() as api:
        r = api.post("/projects", json={"name": f"O {uuid.uuid4().hex[:6]}", "schema": schema})
        assert r.status_code == 201, r.text
        pid = r.json()["id"]
        row = {"key": "a", "data": {"text": "Ada lives in Paris"}, "annotations": [{
            "annotator": admin.email, "result": {"people": [{"start": 0, "end": 3, "label": "PER"}],
                                                 "places": [{"start": 13, "end": 18, "label": "LOC"}]}}]}
        r = api.post(f"/projects/{pid}/import", params={"format": "jsonl", "labels": "annotations"},
                     content=orjson.dumps(row))
        assert r.status_code == 201, r.text
        formats = {f["name"]: f for f in api.get(f"/projects/{pid}/export/formats").json()}
        expected = api.get(f"/projects/{pid}/export", params={"format": "conll", "opt.label": "places"}).content
    assert formats["conll"]["options"][0]["choices"] == ["people", "places"]
    assert b"Paris _ _ B-LOC" in expected and b"B-PER" not in expected

    context = new_context()
    login_fast(context, admin)
    page = context.new_page()
    page.goto(f"/projects/{pid}/export")
    conll = page.locator("#export-formats li[data-format=conll]")
    conll.get_by_text("Options of conll").click()
    select = conll.get_by_label("label", exact=True)
    expect(select.locator("option")).to_have_text(["default", "people", "places"])
    select.select_option("places")
    link = conll.locator("a[data-format=conll]")
    expect(link).to_have_attribute("href", f"/api/v1/projects/{pid}/export?format=conll&opt.label=places")
    with page.expect_download() as info:
        link.click()
    path = tmp_path / "places.conll"
    info.value.save_as(path)
    assert path.read_bytes() == expected
    # a choice option (ner-jsonl: the final result or every annotation) is a select with its default first
    ner = page.locator("#export-formats li[data-format=ner-jsonl]")
    ner.get_by_text("Options of ner-jsonl").click()
    expect(ner.get_by_label("which", exact=True).locator("option")).to_have_text(["final (default)", "all"])
