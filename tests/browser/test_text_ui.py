"""Text and LLM annotation in a real browser: keys-only classification, spans (nested, by keyboard),
relations, pairwise and ranking, drafts after a closed tab, review merge, inert user text. Stored
results are checked through the API after each."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import Server, User, login_fast, open_page
from tests.browser.test_flow import select_text

pytestmark = pytest.mark.browser


def make_project(server: Server, schema: dict[str, Any], records: list[dict[str, Any]], *,
                 annotators: int = 1, reviewer: bool = False, overlap: int = 1,
                 guidelines: str = "") -> tuple[int, User, list[User], User | None]:
    admin = server.user("admin", is_admin=True)
    with admin.api() as api:
        r = api.post("/projects", json={"name": f"T {uuid.uuid4().hex[:6]}", "schema": schema,
                                        "overlap": overlap, "guidelines": guidelines})
        assert r.status_code == 201, r.text
        pid = r.json()["id"]
        r = api.post(f"/projects/{pid}/records", json={"records": records}) if records else None
        assert r is None or r.status_code < 300, r.text
        people = [server.user("annotator") for _ in range(annotators)]
        for u in people:
            assert api.post(f"/projects/{pid}/members", json={"email": u.email, "role": "annotator"}).status_code == 201
        rev = None
        if reviewer:
            rev = server.user("reviewer")
            r = api.post(f"/projects/{pid}/members", json={"email": rev.email, "role": "reviewer"})
            assert r.status_code == 201
    return pid, admin, people, rev


def open_annotate(new_context, user: User, pid: int) -> Page:
    page = open_page(new_context, user, f"/projects/{pid}/annotate")
    expect(page.locator("#task [data-label], #task .span-text").first).to_be_visible()
    return page


def submitted(user: User, pid: int) -> dict[int, Any]:
    with user.api() as api:
        return {row["item_id"]: row["result"] for row in api.get(f"/projects/{pid}/history").json()
                if row["status"] == "submitted"}


# ---- classification with keys only ---------------------------------------------------------------

def test_classification_with_keys_only(server: Server, new_context) -> None:
    schema = {"fields": {"text": "text"}, "labels": [
        {"name": "sentiment", "kind": "choice", "options": ["positive", "negative", "neutral"]},
        {"name": "topics", "kind": "multi_choice", "options": [{"value": "sport", "shortcut": "q"},
                                                               {"value": "tech", "shortcut": "w"}]},
        {"name": "quality", "kind": "rating", "max": 3, "shortcuts": {"3": "e"},
         "description": "How well written"},
        {"name": "species", "kind": "taxonomy", "options": ["Animal/Dog", "Animal/Cat", "Plant/Tree"]},
    ]}
    pid, _, (ann,), _ = make_project(server, schema, [{"text": "Great match, great phone."}, {"text": "Meh."}])
    page = open_annotate(new_context, ann, pid)
    expect(page.locator('[data-label="sentiment"] kbd').first).to_have_text("1")
    expect(page.locator('[data-label="topics"] kbd').nth(1)).to_have_text("w")
    page.keyboard.press("1")
    page.keyboard.press("q")
    page.keyboard.press("w")
    page.keyboard.press("q")  # toggles sport off again
    page.keyboard.press("e")
    # the taxonomy: Tab to its search box, type, ArrowDown to the match, Enter picks it
    page.get_by_label("Find").focus()
    page.keyboard.type("cat")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(page.locator(".taxonomy-picked")).to_contain_text("Animal \u203a Cat")
    page.locator("#task").focus()
    item = int(page.locator("#task").get_attribute("data-item"))
    page.keyboard.press("Enter")
    expect(page.locator("#task")).not_to_have_attribute("data-item", str(item))
    assert submitted(ann, pid)[item] == {"sentiment": "positive", "topics": ["tech"], "quality": 3,
                                         "species": ["Animal", "Cat"]}


# ---- spans, nested, by keyboard; relations ---------------------------------------------------------

SPAN_SCHEMA = {"fields": {"text": "text"}, "labels": [
    {"name": "entities", "kind": "spans", "field": "text",
     "options": ["PER", {"value": "LOC", "description": "a place"}, "NAME"]},
    {"name": "links", "kind": "relations", "spans_label": "entities", "options": ["born_in", "lives_in"]},
]}
SPAN_TEXT = "Ada Lovelace was born in London."


def test_three_spans_one_nested_and_a_relation(server: Server, new_context, tmp_path) -> None:
    pid, _, (ann,), _ = make_project(server, SPAN_SCHEMA, [{"text": SPAN_TEXT}])
    page = open_annotate(new_context, ann, pid)
    # by mouse: a partial selection snaps to whole tokens ("da Lovel" -> "Ada Lovelace")
    select_text(page, ".span-text", "da Lovel")
    page.keyboard.press("1")
    select_text(page, ".span-text", "London")
    page.keyboard.press("2")
    # by keyboard, while the draft of the first two spans is being saved: focus the text, the arrow
    # keys walk tokens; "Lovelace" nested in "Ada Lovelace"
    page.locator(".span-text").focus()
    page.keyboard.press("ArrowRight")  # "Ada"
    page.keyboard.press("ArrowRight")  # "Lovelace"
    expect(page.locator(".selection-status")).to_contain_text("Lovelace")
    page.keyboard.press("3")
    expect(page.locator("mark.seg.nested")).to_have_text("Lovelace")
    # a relation: click a span, L, click the target, 1 for the first relation label
    page.locator("mark.seg", has_text="Ada").first.click()
    expect(page.locator(".span-panel")).to_contain_text("Ada Lovelace")
    page.keyboard.press("l")
    page.locator("mark.seg", has_text="London").click()
    page.keyboard.press("1")
    expect(page.locator(".relation-layer .relation")).to_have_count(1)
    expect(page.locator(".relation-label")).to_have_text("born_in")
    page.screenshot(path=str(tmp_path / "spans.png"))
    # relabel and undo/redo by keys: open "London", relabel to PER, undo, redo, undo
    page.locator("mark.seg", has_text="London").click()
    page.keyboard.press("1")
    page.keyboard.press("Control+z")
    page.keyboard.press("Control+y")
    page.keyboard.press("Control+z")
    item = int(page.locator("#task").get_attribute("data-item"))
    page.locator("#task").focus()
    page.keyboard.press("Enter")
    expect(page.locator(".done")).to_be_visible()
    result = submitted(ann, pid)[item]
    spans = [(s["start"], s["end"], s["label"]) for s in result["entities"]]
    assert spans == [(0, 12, "PER"), (25, 31, "LOC"), (4, 12, "NAME")]
    ids = [s.get("id") for s in result["entities"]]
    assert result["links"] == [{"from": ids[0], "to": ids[1], "label": "born_in"}]


def test_keys_and_draft_saves_while_timers_wait(server: Server, new_context) -> None:
    """The race of issue 3, made deterministic with the page's clock under test control (timers run only
    when the test says, as on a busy page where input is handled first): a key pressed right after a
    mouse selection labels that selection; a change made while a draft save is in flight is sent once
    that save is answered; a keyboard selection survives the answer and a redraw (undo)."""
    pid, _, (ann,), _ = make_project(server, SPAN_SCHEMA, [{"text": SPAN_TEXT}])
    context = new_context()
    login_fast(context, ann)
    page = context.new_page()
    start = datetime.datetime(2026, 1, 1, 9, 0, tzinfo=datetime.UTC)
    page.clock.install(time=start)
    held: list[Any] = []  # draft saves kept in flight until released
    released = False

    def hold(route: Any) -> None:
        if released:
            route.continue_()
        else:
            held.append(route)

    page.route("**/draft", hold)
    page.goto(f"/projects/{pid}/annotate")
    expect(page.locator("#task .span-text")).to_be_visible()
    page.clock.pause_at(start + datetime.timedelta(minutes=1))  # from here on, timers run only in run_for
    item = int(page.locator("#task").get_attribute("data-item"))
    select_text(page, ".span-text", "da Lovel")
    page.keyboard.press("1")  # before the mouseup's timer has run
    expect(page.locator(".span-list li")).to_have_count(1)
    with page.expect_request(lambda r: r.method == "PUT" and r.url.endswith("/draft")):
        page.clock.run_for(1000)  # the debounced draft save of "Ada Lovelace" starts, and is held
    select_text(page, ".span-text", "London")
    page.keyboard.press("2")
    expect(page.locator(".span-list li")).to_have_count(2)
    page.clock.run_for(1000)  # the save of the second span is due while the first is in flight
    page.locator(".span-text").focus()
    page.keyboard.press("ArrowRight")  # "Ada"
    expect(page.locator(".selection-status")).to_contain_text("Ada")
    released = True  # the first save is answered between the two arrow keys; the second follows
    for route in held:
        route.continue_()
    expect(page.locator("#save-state")).to_have_attribute("data-state", "saved")
    with ann.api() as api:
        draft = api.get(f"/projects/{pid}/tasks/{item}").json()["draft"]
    assert [(s["start"], s["end"], s["label"]) for s in draft["entities"]] == [(0, 12, "PER"), (25, 31, "LOC")]
    page.keyboard.press("ArrowRight")  # "Lovelace"
    page.keyboard.press("Control+z")  # "London" goes; its part of the text is drawn again
    expect(page.locator(".span-list li")).to_have_count(1)
    assert page.evaluate("getSelection().toString()") == "Lovelace"
    page.keyboard.press("3")
    expect(page.locator("mark.seg.nested")).to_have_text("Lovelace")
    page.locator("#task").focus()
    page.keyboard.press("Enter")
    expect(page.locator(".done")).to_be_visible()
    spans = [(s["start"], s["end"], s["label"]) for s in submitted(ann, pid)[item]["entities"]]
    assert spans == [(0, 12, "PER"), (4, 12, "NAME")]


# ---- pairwise and ranking --------------------------------------------------------------------------

def test_pairwise_and_ranking(server: Server, new_context, tmp_path) -> None:
    schema = {"fields": {"prompt": "text", "response_a": "text", "response_b": "text", "responses": "list"},
              "labels": [{"name": "preference", "kind": "pairwise", "fields": ["response_a", "response_b"]},
                         {"name": "order", "kind": "ranking", "field": "responses"}]}
    record = {"prompt": "Say hi", "response_a": "Hello there, how are you today?",
              "response_b": "Hello there, how are you <img src=x onerror=alert(1)>?",
              "responses": [{"id": "r1", "text": "first"}, {"id": "r2", "text": "second"}, "third"]}
    pid, _, (ann,), _ = make_project(server, schema, [record])
    page = open_annotate(new_context, ann, pid)
    expect(page.locator(".compare .diff-add")).to_contain_text("<img src=x onerror=alert(1)>")
    expect(page.locator(".compare .diff-del")).to_contain_text("today")
    page.keyboard.press("b")
    expect(page.locator('.choice-button[data-choice="b"]')).to_have_attribute("aria-pressed", "true")
    page.locator("#task").get_by_label("Reason").fill("more honest")
    page.locator(".rank-item").first.focus()
    page.keyboard.press("Shift+ArrowDown")  # r1 to second place
    page.keyboard.press("ArrowDown")  # focus moves along: r1 at #2 -> "third" at #3
    page.keyboard.press("Shift+ArrowUp")  # "third" to second place
    expect(page.locator(".rank-item .rank-text")).to_have_text(["r2 second", "2 third", "r1 first"])
    page.screenshot(path=str(tmp_path / "pairwise.png"), full_page=True)
    item = int(page.locator("#task").get_attribute("data-item"))
    page.keyboard.press("Enter")
    expect(page.locator(".done")).to_be_visible()
    assert submitted(ann, pid)[item] == {"preference": {"choice": "b", "reason": "more honest"},
                                         "order": ["r2", 2, "r1"]}


# ---- drafts survive a closed tab --------------------------------------------------------------------

def test_closed_tab_keeps_the_draft(server: Server, new_context) -> None:
    schema = {"fields": {"text": "text"}, "labels": [
        {"name": "sentiment", "kind": "choice", "options": ["positive", "negative"]},
        {"name": "note", "kind": "text"}]}
    pid, _, (ann,), _ = make_project(server, schema, [{"text": "one"}, {"text": "two"}])
    page = open_annotate(new_context, ann, pid)
    item = page.locator("#task").get_attribute("data-item")
    page.keyboard.press("2")
    page.locator("textarea").first.fill("half done")
    context = page.context
    page.close()  # at once: the debounced server save has not run yet
    page = context.new_page()
    page.goto(f"/projects/{pid}/annotate")
    expect(page.locator("#task")).to_have_attribute("data-item", item)
    expect(page.locator(".draft-note")).to_contain_text("draft restored")
    expect(page.get_by_label("negative")).to_be_checked()
    expect(page.locator("textarea").first).to_have_value("half done")
    # the queued draft reached the server too: another browser (or the API) sees it
    with ann.api() as api:
        for _ in range(50):
            draft = api.get(f"/projects/{pid}/tasks/{item}").json()["draft"]
            if draft:
                break
            page.wait_for_timeout(100)
        assert draft == {"sentiment": "negative", "note": "half done"}
    # comments on the task, shown as text
    page.get_by_label("New comment (Ctrl+Enter in the box sends it)").fill("<b>unsure</b>")
    page.get_by_role("button", name="Comment").click()
    expect(page.locator(".comment-body")).to_have_text("<b>unsure</b>")
    with ann.api() as api:
        assert [c["body"] for c in api.get(f"/projects/{pid}/items/{item}/comments").json()] == ["<b>unsure</b>"]


# ---- review: two annotators disagree on spans; accept a merge -------------------------------------

def test_review_merge_of_disagreeing_spans(server: Server, new_context, tmp_path) -> None:
    pid, _, (a1, a2), rev = make_project(server, SPAN_SCHEMA, [{"text": SPAN_TEXT}], annotators=2, reviewer=True,
                                         overlap=2)
    results = [{"entities": [{"start": 0, "end": 12, "label": "PER"}, {"start": 25, "end": 31, "label": "LOC"}]},
               {"entities": [{"start": 0, "end": 12, "label": "PER"}, {"start": 4, "end": 12, "label": "NAME"}]}]
    item = None
    for user, result in zip((a1, a2), results, strict=True):
        with user.api() as api:
            task = api.post(f"/projects/{pid}/tasks/next").json()
            item = task["id"]
            assert api.post(f"/projects/{pid}/tasks/{item}/submit", json={"result": result}).status_code == 201
    context = new_context()
    login_fast(context, rev)
    page = context.new_page()
    page.goto(f"/projects/{pid}/review")
    rows = page.locator(".merge-list li")
    expect(rows).to_have_count(3)
    expect(page.locator('.merge-list li[data-agree="all"]')).to_have_count(1)
    expect(page.locator('.merge-list li[data-agree="all"]')).to_contain_text("Ada Lovelace")
    expect(page.locator('.merge-list li[data-agree="all"] input')).to_be_checked()
    page.locator(".merge-list li", has_text="London").locator("input").check()
    page.screenshot(path=str(tmp_path / "review.png"), full_page=True)
    page.locator("body").focus()
    page.keyboard.press("m")
    expect(page.locator(".merge-box [role=status]")).to_contain_text("Merged")
    with rev.api() as api:
        anns = api.get(f"/projects/{pid}/items/{item}").json()["annotations"]
    merged = {"entities": [{"start": 0, "end": 12, "label": "PER"}, {"start": 25, "end": 31, "label": "LOC"}]}
    assert len(anns) == 2
    for a in anns:
        assert a["review_status"] == "corrected"
        assert a["reviews"][-1]["result"] == merged
