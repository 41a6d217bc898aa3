"""Review merge of per-turn chat labels in a real browser: two annotators label the same chat differently,
the merge shows each annotator's labels per turn with the majority ticked, the reviewer changes the picks
by keyboard and accepts with M; the stored corrections are read back through the API. The Annotate page's
keys panel lists the chat keys when the project has chat_turns labels (and not otherwise)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import Server, assert_merged, expect_checked, open_review, submit_each
from tests.browser.test_chat_ui import CHAT, MARKUP, SCHEMA
from tests.browser.test_text_ui import make_project, open_annotate

pytestmark = pytest.mark.browser

RESULTS = [
    {"sentiment": "fine",
     "turn_quality": [{"turn": 1, "labels": ["helpful"], "rating": 4},
                      {"turn": 3, "labels": ["harmful", "off_topic"], "rating": 2, "note": MARKUP}]},
    {"sentiment": "fine",
     "turn_quality": [{"turn": 1, "labels": ["helpful", "off_topic"], "rating": 5},
                      {"turn": 3, "labels": ["off_topic"], "note": "fine"}]},
]


def test_reviewer_merges_chat_turns_by_keyboard(server: Server, new_context, tmp_path) -> None:
    pid, _, (a1, a2), rev = make_project(server, SCHEMA, [{"conversation": CHAT}], annotators=2, reviewer=True,
                                         overlap=2)
    item, ann_ids = submit_each(pid, [a1, a2], RESULTS)
    page = open_review(new_context, rev, pid)

    merge = page.locator('.merge-chat[data-label="turn_quality"]')
    turns = merge.locator(":scope > li.merge-turn")
    expect(turns).to_have_count(2, timeout=20_000)
    expect(turns.nth(0).locator(".merge-turn-head")).to_have_text(
        "Turn 2 (assistant): Put it in boiling water for 8 minutes.")
    expect(turns.nth(1).locator(".merge-turn-votes li")).to_have_text([
        f"{a1.email}: harmful, off_topic · 2/5 · “{MARKUP}”", f"{a2.email}: off_topic · “fine”"])
    # the picks: options each was chosen by, ratings given, notes written; the majority ticked
    picks = [turns.nth(i).locator(".merge-turn-picks li") for i in range(2)]
    expect(picks[0]).to_have_text(["2/2helpful", "1/2off_topic", "1/2rating 4/5", "1/2rating 5/5"])
    expect(picks[1]).to_have_text(["1/2harmful", "2/2off_topic", "1/2rating 2/5", f"1/2note “{MARKUP}”",
                                   "1/2note “fine”"])
    boxes = [turns.nth(i).locator("input[type=checkbox]") for i in range(2)]
    expect_checked(boxes[0], [True, False, True, False])  # helpful; lower median of 4, 5
    expect_checked(boxes[1], [False, True, True, False, False])  # off_topic; the only rating; no note
    # the sentiment both gave stays out of the way; the markup note is text
    expect(page.locator("img")).to_have_count(0)
    expect(page.locator(".merge-box .agree-legend")).not_to_contain_text("Spans")  # no spans label here
    page.screenshot(path=str(tmp_path / "chat-merge.png"), full_page=True)

    # by keyboard: turn 2 -> off_topic on, rating 5 instead of 4 (one rating per turn)
    boxes[0].nth(0).focus()
    page.keyboard.press("ArrowDown")  # off_topic
    page.keyboard.press("Space")
    page.keyboard.press("ArrowDown")  # rating 4
    page.keyboard.press("ArrowDown")  # rating 5
    page.keyboard.press("Space")
    expect_checked(boxes[0], [True, True, False, True])
    # turn 4 (↓ crosses into the next turn): harmful on, rating 2 off, the "fine" note kept
    page.keyboard.press("ArrowDown")  # harmful
    page.keyboard.press("Space")
    page.keyboard.press("ArrowDown")  # off_topic
    page.keyboard.press("ArrowDown")  # rating 2
    page.keyboard.press("Space")
    page.keyboard.press("ArrowDown")  # the markup note
    page.keyboard.press("Space")
    page.keyboard.press("ArrowDown")  # note "fine": ticking it unticks the other note
    page.keyboard.press("Space")
    expect_checked(boxes[1], [True, True, False, False, True])
    page.keyboard.press("m")
    expect(page.locator(".merge-box [role=status]")).to_contain_text("Merged")

    merged = {"sentiment": "fine", "turn_quality": [
        {"turn": 1, "labels": ["helpful", "off_topic"], "rating": 5},
        {"turn": 3, "labels": ["harmful", "off_topic"], "note": "fine"}]}
    assert_merged(rev, pid, item, ann_ids, merged)


def test_merge_untouched_keeps_the_majority_and_drops_an_emptied_turn(server: Server, new_context) -> None:
    """Accepted as pre-picked, the merge is the per-turn majority; a turn left with nothing is left out."""
    schema = {"fields": {"chat": "chat"}, "labels": [
        {"name": "intent", "kind": "chat_turns", "field": "chat", "options": ["ask", "tell"]}]}
    pid, _, people, rev = make_project(server, schema, [{"chat": CHAT[:2]}], annotators=3, reviewer=True,
                                       overlap=3)
    results = [{"intent": [{"turn": 0, "labels": ["ask"]}, {"turn": 1, "labels": ["tell"]}]},
               {"intent": [{"turn": 0, "labels": ["ask"]}]},
               {"intent": [{"turn": 0, "labels": ["tell"]}, {"turn": 1, "labels": ["ask"]}]}]
    item, _ = submit_each(pid, people, results)
    page = open_review(new_context, rev, pid)
    turns = page.locator(".merge-chat > li.merge-turn")
    expect(turns).to_have_count(2, timeout=20_000)
    expect(turns.nth(0).locator(".merge-turn-picks li")).to_have_text(["2/3ask", "1/3tell"])
    expect_checked(turns.nth(0).locator("input"), [True, False])
    expect_checked(turns.nth(1).locator("input"), [False, False])  # 1 of 3 each: no majority
    # one option per turn (no ``multiple``): ticking tell unticks ask
    turns.nth(0).locator("input").nth(1).press("Space")
    expect_checked(turns.nth(0).locator("input"), [False, True])
    page.keyboard.press("m")
    expect(page.locator(".merge-box [role=status]")).to_contain_text("Merged")
    with rev.api() as api:
        anns = api.get(f"/projects/{pid}/items/{item}").json()["annotations"]
    assert len(anns) == 3
    assert all(a["reviews"][-1]["result"] == {"intent": [{"turn": 0, "labels": ["tell"]}]} for a in anns)


def test_keys_panel_lists_chat_keys_only_with_chat_turns_labels(server: Server, new_context) -> None:
    pid, _, (ann,), _ = make_project(server, SCHEMA, [{"conversation": CHAT}])
    page = open_annotate(new_context, ann, pid)
    keys = page.locator(".keys-panel .keys-chat")
    expect(keys).to_have_count(6)
    expect(keys.locator("dd")).to_have_text([
        "next / previous turn of the chat", "toggle that option of the turn",
        "rate the turn 1…10 (again: clear the rating)", "write a note on the turn", "clear the turn's labels",
        "switch to the turn's next label"])
    expect(keys.nth(0).locator("kbd")).to_have_text(["J", "K", "↓", "↑"])
    expect(keys.nth(2).locator("kbd")).to_have_text(["Shift", "1", "0"])
    plain = {"fields": {"text": "text"}, "labels": [{"name": "s", "kind": "choice", "options": ["a", "b"]}]}
    pid2, _, (ann2,), _ = make_project(server, plain, [{"text": "hello"}])
    page2 = open_annotate(new_context, ann2, pid2)
    expect(page2.locator(".keys-panel dl.keys > div").first).to_be_visible()
    expect(page2.locator(".keys-panel .keys-chat")).to_have_count(0)
