"""Per-turn labels on a chat transcript in a real browser: two turns labelled and one rated with keys only
(undo included), the stored result checked through the API; a draft restored after a reload; markup in a
turn stays text in Annotate and in Review, where two annotators' per-turn labels are side by side."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import Server, open_review
from tests.browser.test_text_ui import make_project, open_annotate, submitted

pytestmark = pytest.mark.browser

MARKUP = "<img src=x onerror=alert(1)>"
CHAT = [{"role": "user", "content": "Can you help me boil an egg?"},
        {"role": "assistant", "content": "Put it in boiling water for 8 minutes."},
        {"role": "user", "content": MARKUP},
        {"role": "assistant", "content": "That looks like markup, not a question."}]
SCHEMA: dict[str, Any] = {"fields": {"conversation": "chat"}, "labels": [
    {"name": "sentiment", "kind": "choice", "options": ["fine", "bad"]},
    {"name": "turn_quality", "kind": "chat_turns", "field": "conversation", "roles": ["assistant"],
     "options": ["helpful", "harmful", "off_topic"], "multiple": True, "rating": 5, "note": True},
]}


def test_label_two_turns_and_rate_one_with_keys_only(server: Server, new_context, tmp_path) -> None:
    pid, _, (ann,), _ = make_project(server, SCHEMA, [{"conversation": CHAT}, {"conversation": CHAT[:2]}])
    page = open_annotate(new_context, ann, pid)
    item = int(page.locator("#task").get_attribute("data-item") or 0)
    turns = page.locator(".chat-view .turn")
    expect(turns).to_have_count(4)
    # only assistant turns take labels; they are focusable and say what they are
    expect(page.locator(".chat-view .turn.labelable")).to_have_count(2)
    expect(turns.nth(1)).to_have_attribute("aria-label", "Turn 2 of 4, assistant")
    page.keyboard.press("j")
    expect(turns.nth(1)).to_be_focused()
    page.keyboard.press("1")  # helpful
    page.keyboard.press("3")  # off_topic (multiple)
    page.keyboard.press("Shift+Digit4")  # rating 4
    chips = turns.nth(1).locator(".chip")
    expect(chips.nth(0)).to_have_attribute("aria-pressed", "true")
    expect(chips.nth(2)).to_have_attribute("aria-pressed", "true")
    expect(turns.nth(1).locator('.rate[data-rating="4"]')).to_have_attribute("aria-pressed", "true")
    expect(page.locator(".chat-status")).to_have_text("turn_quality, turn 2: rated 4 of 5")
    page.keyboard.press("j")
    expect(turns.nth(3)).to_be_focused()
    page.keyboard.press("2")  # harmful
    page.keyboard.press("1")  # helpful ...
    page.keyboard.press("Control+z")  # ... undone
    expect(turns.nth(3).locator(".chip").nth(0)).to_have_attribute("aria-pressed", "false")
    page.keyboard.press("n")
    expect(page.get_by_label("turn_quality, turn 4: note")).to_be_focused()
    page.keyboard.type("<b>rude</b>")
    page.keyboard.press("Escape")
    expect(turns.nth(3)).to_be_focused()
    page.keyboard.press("k")
    expect(turns.nth(1)).to_be_focused()
    page.screenshot(path=str(tmp_path / "chat.png"), full_page=True)
    # a draft survives a reload with the per-turn labels
    with ann.api() as api:
        for _ in range(50):
            draft = api.get(f"/projects/{pid}/tasks/{item}").json()["draft"]
            if draft and draft.get("turn_quality", [{}])[-1].get("note") == "<b>rude</b>":
                break
            page.wait_for_timeout(100)
    page.reload()
    expect(page.locator(".draft-note")).to_contain_text("draft restored")
    turns = page.locator(".chat-view .turn")
    expect(turns.nth(3).locator(".chip").nth(1)).to_have_attribute("aria-pressed", "true")
    expect(page.get_by_label("turn_quality, turn 4: note")).to_have_value("<b>rude</b>")
    page.keyboard.press("j")
    expect(turns.nth(1)).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#task")).not_to_have_attribute("data-item", str(item))
    stored = submitted(ann, pid)
    assert stored == {item: {"turn_quality": [
        {"turn": 1, "labels": ["helpful", "off_topic"], "rating": 4},
        {"turn": 3, "labels": ["harmful"], "note": "<b>rude</b>"}]}}


def test_markup_in_a_turn_stays_text_and_review_shows_annotators_side_by_side(server: Server, new_context,
                                                                             tmp_path) -> None:
    pid, _, (a1, a2), rev = make_project(server, SCHEMA, [{"conversation": CHAT}], annotators=2, reviewer=True,
                                         overlap=2)
    page = open_annotate(new_context, a1, pid)  # a dialog fails the test
    turn = page.locator(".chat-view .turn").nth(2)
    expect(turn.locator(".turn-content")).to_have_text(MARKUP)
    expect(page.locator(".chat-view img")).to_have_count(0)
    page.context.close()
    results = [{"turn_quality": [{"turn": 1, "labels": ["helpful"], "rating": 5}, {"turn": 3, "labels": ["harmful"]}]},
               {"turn_quality": [{"turn": 1, "labels": ["helpful"], "rating": 5}, {"turn": 3, "rating": 2}]}]
    for user, result in zip((a1, a2), results, strict=True):
        with user.api() as api:
            task = api.post(f"/projects/{pid}/tasks/next").json()
            assert api.post(f"/projects/{pid}/tasks/{task['id']}/submit", json={"result": result}).status_code == 201
    page = open_review(new_context, rev, pid)
    table = page.locator('table.chat-review[data-label="turn_quality"]')
    expect(table.locator("thead th")).to_have_text(["Turn", "Text", a1.email, a2.email, "Same"], timeout=20_000)
    expect(table.locator('tr[data-turn="1"] td')).to_have_text(
        ["Put it in boiling water for 8 minutes.", "helpful · 5/5", "helpful · 5/5", "✓ yes"])
    expect(table.locator('tr[data-turn="3"] td')).to_have_text(
        ["That looks like markup, not a question.", "harmful", "2/5", "no"])
    # each card reads its result per turn; the markup turn in the data view is text
    expect(page.locator(".review-card").first.locator(".turn-summary li")).to_have_text(
        ["turn 2 (assistant): helpful · 5/5", "turn 4 (assistant): harmful"])
    expect(page.locator(".data-view .chat .turn-content").nth(2)).to_have_text(MARKUP)
    page.screenshot(path=str(tmp_path / "review.png"), full_page=True)
    expect(page.locator("img")).to_have_count(0)


def test_two_labels_on_a_turn_switched_with_l(server: Server, new_context) -> None:
    schema = {"fields": {"chat": "chat"}, "labels": [
        {"name": "intent", "kind": "chat_turns", "field": "chat", "options": ["ask", "tell"]},
        {"name": "clarity", "kind": "chat_turns", "field": "chat", "rating": 3}]}
    pid, _, (ann,), _ = make_project(server, schema, [{"chat": CHAT[:2]}])
    page = open_annotate(new_context, ann, pid)
    item = int(page.locator("#task").get_attribute("data-item") or 0)
    turns = page.locator(".chat-view .turn")
    page.keyboard.press("j")
    expect(turns.nth(0)).to_be_focused()
    expect(turns.nth(0).locator('.turn-label[data-label="intent"]')).to_have_class("turn-label active")
    page.keyboard.press("1")  # intent: ask
    page.keyboard.press("l")
    expect(page.locator(".chat-status")).to_have_text("Keys now set clarity")
    page.keyboard.press("2")  # clarity has no options: a digit rates
    page.keyboard.press("j")
    page.keyboard.press("l")
    page.keyboard.press("3")  # clarity 3 on turn 2
    page.keyboard.press("x")  # ... cleared again
    page.keyboard.press("Enter")
    expect(page.get_by_text("No more tasks")).to_be_visible(timeout=20_000)
    assert submitted(ann, pid) == {item: {"intent": [{"turn": 0, "labels": ["ask"]}],
                                          "clarity": [{"turn": 0, "rating": 2}]}}
