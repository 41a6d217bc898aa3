"""Measured in the browser: opening a 1,000-turn chat with per-turn controls (500 labelable turns), and
a per-turn key (option, rating, next turn) until the page shows it. Printed and written to
bench/out/ui_chat.json; never asserted (a shared 2-core machine makes timed assertions a coin toss)."""

from __future__ import annotations

import json
import statistics
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import Server
from tests.browser.test_text_ui import make_project, open_annotate

pytestmark = pytest.mark.browser

OUT = Path(__file__).resolve().parents[2] / "bench" / "out" / "ui_chat.json"
TURNS = 1000
SCHEMA = {"fields": {"chat": "chat"}, "labels": [
    {"name": "quality", "kind": "chat_turns", "field": "chat", "roles": ["assistant"],
     "options": ["helpful", "harmful", "off_topic", "verbose"], "multiple": True, "rating": 5, "note": True}]}

# keydown (capture) -> the next attribute change in the chat -> the next frame: one sample per key
PROBE = """() => {
  window.__chatKeys = [];
  const chat = document.querySelector('.chat-view');
  let t0 = null;
  document.addEventListener('keydown', () => { t0 = performance.now(); }, true);
  const done = () => { if (t0 !== null) { const t = t0; t0 = null;
    requestAnimationFrame(() => window.__chatKeys.push(performance.now() - t)); } };
  new MutationObserver(done).observe(chat, { attributes: true, subtree: true, attributeFilter: ['aria-pressed'] });
  chat.addEventListener('focusin', done);
}"""


def test_long_chat(server: Server, new_context) -> None:
    chat = [{"role": "user" if i % 2 == 0 else "assistant", "content": f"message {i} " + "lorem ipsum " * 20}
            for i in range(TURNS)]
    pid, _, (ann,), _ = make_project(server, SCHEMA, [{"chat": chat}])
    page = open_annotate(new_context, ann, pid)
    expect(page.locator(".chat-view .turn.labelable")).to_have_count(TURNS // 2)
    nav = page.evaluate("""() => { const e = performance.getEntriesByType('navigation')[0];
      return performance.now() - e.startTime; }""")
    build = page.evaluate("window.__lwPerf.open[0]")
    page.evaluate(PROBE)
    page.keyboard.press("j")
    samples = 0
    for _ in range(20):
        for key in ("1", "Shift+Digit3", "j"):
            page.keyboard.press(key)
            samples += 1
        page.wait_for_function("n => window.__chatKeys.length >= n", arg=samples + 1)
    keys = page.evaluate("window.__chatKeys")
    page.keyboard.press("Enter")
    expect(page.get_by_text("No more tasks")).to_be_visible(timeout=30_000)
    with ann.api() as api:
        result = api.get(f"/projects/{pid}/history").json()[0]["result"]["quality"]
    assert [e["turn"] for e in result] == list(range(1, 41, 2))
    assert all(e == {"turn": e["turn"], "labels": ["helpful"], "rating": 3} for e in result)
    results = {"chat_turns": TURNS, "chat_open_ms_upper_bound": round(nav, 1),
               "chat_build_editor_ms": round(build, 1), "chat_key_n": len(keys),
               "chat_key_median_ms": round(statistics.median(keys), 1), "chat_key_max_ms": round(max(keys), 1)}
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(results, indent=2) + "\n")
    print("\n" + "\n".join(f"  {k:<28} {v}" for k, v in results.items()))
