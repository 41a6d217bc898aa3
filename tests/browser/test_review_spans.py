"""Review of disagreeing spans with relations in a real browser: each annotator card marks how its
spans compare with the others' (style and text marker, with a legend); the merge keeps relations
only with both of their spans, chosen by keyboard; the stored corrections are read back through the
API."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import Server, assert_merged, expect_attributes, expect_checked, open_review, submit_each
from tests.browser.test_text_ui import SPAN_SCHEMA, SPAN_TEXT, make_project

pytestmark = pytest.mark.browser

ADA, LOVELACE, LONDON = (0, 12), (4, 12), (25, 31)


def span(at: tuple[int, int], label: str, **extra: str) -> dict:
    return {"start": at[0], "end": at[1], "label": label, **extra}


def expect_agreements(card, values: list[str]) -> None:
    expect_attributes(card.locator(".agree-list li"), "data-agree", values)


def test_review_merges_spans_with_their_relations(server: Server, new_context, tmp_path) -> None:
    pid, _, (a1, a2), rev = make_project(server, SPAN_SCHEMA, [{"text": SPAN_TEXT}], annotators=2,
                                         reviewer=True, overlap=2)
    results = [
        # relations by span id
        {"entities": [span(ADA, "PER", id="a"), span(LONDON, "LOC", id="b")],
         "links": [{"from": "a", "to": "b", "label": "born_in"}]},
        # relations by index; London under another label, and a nested span no one else marked
        {"entities": [span(ADA, "PER"), span(LONDON, "PER"), span(LOVELACE, "NAME")],
         "links": [{"from": 0, "to": 1, "label": "lives_in"}]},
    ]
    item, ann_ids = submit_each(pid, [a1, a2], results)
    page = open_review(new_context, rev, pid)

    # ---- each card: its spans compared with the other annotator's, in words and by mark style
    expect(page.locator(".agree-key mark")).to_have_count(4)
    first, second = (page.locator(f'article[data-annotation="{i}"]') for i in ann_ids)
    expect(first.locator(".agree-list li")).to_have_text([
        "= “Ada Lovelace” PER — all annotators marked it",
        "≠ “London” LOC — another annotator gave the same text another label",
        "+ “Ada Lovelace” → “London” born_in — only this annotator marked it"])
    expect_agreements(second, ["all", "label", "only", "only"])
    expect(second.locator('mark.span[data-agree="only"]')).to_have_text("Lovelace")
    expect(second.locator('mark.span[data-agree="label"]')).to_have_attribute("data-label", "PER ≠")
    expect(first.locator('mark.span[data-agree="label"]')).to_have_attribute("data-label", "LOC ≠")

    # ---- the merge: spans and relations with their votes
    spans = page.locator(".merge-list li")
    expect(spans).to_have_count(4)
    rels = page.locator(".merge-relations li")
    expect(rels).to_have_count(2)
    expect(rels.nth(0)).to_contain_text("“Ada Lovelace” PER → “London” LOC born_in")
    expect(rels.nth(1)).to_contain_text("“Ada Lovelace” PER → “London” PER lives_in")
    # neither London is kept yet (1 vote of 2), so neither relation can be
    for i in range(2):
        expect(rels.nth(i).locator("input")).to_be_disabled()
        expect(rels.nth(i).locator(".rel-blocked")).to_be_visible()
    page.screenshot(path=str(tmp_path / "review-relations.png"), full_page=True)

    # by keyboard: ↓ to "London" LOC, Space; its relation can now be ticked: ↓ ↓ to it, Space
    spans.nth(0).locator("input").focus()
    expect(spans.nth(0).locator("input")).to_be_checked()
    page.keyboard.press("ArrowDown")  # Lovelace NAME
    page.keyboard.press("ArrowDown")  # London LOC
    expect(spans.nth(2)).to_contain_text("London")
    expect(spans.nth(2)).to_contain_text("LOC")
    page.keyboard.press("Space")
    expect(rels.nth(0).locator("input")).to_be_enabled()
    expect(rels.nth(0).locator(".rel-blocked")).to_be_hidden()
    expect(rels.nth(1).locator("input")).to_be_disabled()
    page.keyboard.press("ArrowDown")  # London PER
    page.keyboard.press("ArrowDown")  # born_in (lives_in is disabled: skipped)
    page.keyboard.press("Space")
    expect(rels.nth(0).locator("input")).to_be_checked()
    # dropping London LOC drops its relation; taking it back brings the relation back
    spans.nth(2).locator("input").press("Space")
    expect(rels.nth(0).locator("input")).not_to_be_checked()
    expect(rels.nth(0).locator("input")).to_be_disabled()
    spans.nth(2).locator("input").press("Space")
    expect(rels.nth(0).locator("input")).to_be_checked()
    page.keyboard.press("m")
    expect(page.locator(".merge-box [role=status]")).to_contain_text("Merged")

    merged = {"entities": [span(ADA, "PER", id="s1"), span(LONDON, "LOC", id="s2")],
              "links": [{"from": "s1", "to": "s2", "label": "born_in"}]}
    assert_merged(rev, pid, item, ann_ids, merged)


def test_three_annotators_some_agree(server: Server, new_context) -> None:
    """With three annotators a span two of them share is marked "some" (≈) and starts ticked (2 of 3);
    a relation all three made between the spans all three share is "all"."""
    pid, _, people, rev = make_project(server, SPAN_SCHEMA, [{"text": SPAN_TEXT}], annotators=3,
                                       reviewer=True, overlap=3)
    links = [{"from": 0, "to": 1, "label": "born_in"}]
    two = {"entities": [span(ADA, "PER"), span(LONDON, "LOC"), span(LOVELACE, "NAME")], "links": links}
    results = [two, two, {"entities": [span(ADA, "PER"), span(LONDON, "LOC")], "links": links}]
    _, ann_ids = submit_each(pid, people, results)
    page = open_review(new_context, rev, pid)
    cards = [page.locator(f'article[data-annotation="{i}"]') for i in ann_ids]
    expect_agreements(cards[0], ["all", "all", "some", "all"])
    expect_agreements(cards[2], ["all", "all", "all"])
    expect(cards[1].locator('mark.span[data-agree="some"]')).to_have_attribute("data-label", "PER = NAME ≈")
    rels = page.locator(".merge-relations li")
    expect(rels).to_have_count(1)
    expect(rels.locator("input")).to_be_checked()
    expect(page.locator(".merge-list li").nth(1)).to_contain_text("2/3")
    expect_checked(page.locator(".merge-list li input"), [True, True, True])
