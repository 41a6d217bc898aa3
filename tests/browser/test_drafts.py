"""Drafts survive a lost network and a server restart (issue 3). With the network cut, edits are kept
in localStorage and sent when the browser is back online; with the server killed (SIGKILL) and started
again on the same data folder, the queued edit reaches it and the draft comes back, in this browser and
in a fresh one. Stored drafts are checked through the API."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from labelwise.config import Settings
from labelwise.services.setup import prepare
from tests.browser.helpers import Server, User, login_fast
from tests.browser.test_text_ui import make_project, open_annotate
from tests.live_server import LiveServer

pytestmark = pytest.mark.browser

SCHEMA = {"fields": {"text": "text"}, "labels": [
    {"name": "sentiment", "kind": "choice", "options": ["positive", "negative"]},
    {"name": "note", "kind": "text"}]}


def server_draft(user: User, pid: int, item: str | None, want: Any, timeout: float = 10.0) -> Any:
    """The item's draft on the server, polled until it equals ``want`` (or the time is up)."""
    deadline = time.monotonic() + timeout
    draft = None
    while time.monotonic() < deadline:
        with user.api() as api:
            draft = api.get(f"/projects/{pid}/tasks/{item}").json()["draft"]
        if draft == want:
            break
        time.sleep(0.1)
    return draft


def local_draft(page: Page, pid: int, item: str | None) -> dict[str, Any] | None:
    raw = page.evaluate("(key) => localStorage.getItem(key)", f"labelwise.draft.{pid}.{item}")
    return json.loads(raw) if raw else None


def test_offline_edits_are_queued_and_sent_when_online(server: Server, new_context) -> None:
    pid, _, (ann,), _ = make_project(server, SCHEMA, [{"text": "one"}, {"text": "two"}])
    page = open_annotate(new_context, ann, pid)
    item = page.locator("#task").get_attribute("data-item")
    page.context.set_offline(True)
    page.keyboard.press("2")
    save_state = page.locator("#save-state")
    expect(save_state).to_have_attribute("data-state", "offline")
    expect(save_state).to_contain_text("Offline")
    queued = local_draft(page, pid, item)
    assert queued is not None and queued["draft"] == {"sentiment": "negative"} and queued["sent"] is False
    assert server_draft(ann, pid, item, None, timeout=0.1) is None  # nothing reached the server
    # the debounced save of the new text runs, and fails again
    sent_offline = lambda r: r.url.endswith("/draft") and "typed offline" in (r.post_data or "")  # noqa: E731
    with page.expect_event("requestfailed", sent_offline):
        page.locator("textarea").first.fill("typed offline")
    page.context.set_offline(False)  # the "online" event sends the queue
    want = {"sentiment": "negative", "note": "typed offline"}
    assert server_draft(ann, pid, item, want) == want
    expect(save_state).to_have_attribute("data-state", "saved")
    assert local_draft(page, pid, item) is None  # the server copy is current: the queue is empty


# ---- a server restart --------------------------------------------------------------------------------

@pytest.fixture
def restartable(tmp_path: Path) -> Iterator[tuple[LiveServer, Server]]:
    """A server of this test's own, on its own data folder, to kill and start again."""
    settings = Settings(data_dir=tmp_path / "restart-data")
    prepare(settings).close()
    live = LiveServer(settings)
    try:
        yield live, Server(url=live.start(), settings=settings)
    finally:
        live.stop()


def _context(browser: Browser, url: str) -> BrowserContext:
    context = browser.new_context(base_url=url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(8000)
    return context


def test_a_draft_survives_a_server_restart(restartable: tuple[LiveServer, Server], browser: Browser) -> None:
    live, srv = restartable
    pid, _, (ann,), _ = make_project(srv, SCHEMA, [{"text": "one"}, {"text": "two"}])
    contexts = [_context(browser, srv.url), _context(browser, srv.url)]
    try:
        login_fast(contexts[0], ann)
        page = contexts[0].new_page()
        page.goto(f"/projects/{pid}/annotate")
        expect(page.locator("#task [data-label]").first).to_be_visible()
        item = page.locator("#task").get_attribute("data-item")
        page.keyboard.press("1")
        assert server_draft(ann, pid, item, {"sentiment": "positive"}) == {"sentiment": "positive"}

        live.kill()  # SIGKILL: no shutdown code runs
        page.keyboard.press("2")
        page.locator("textarea").first.fill("while the server was down")
        expect(page.locator("#save-state")).to_have_attribute("data-state", "offline")
        assert local_draft(page, pid, item)["sent"] is False  # type: ignore[index]

        live.start()  # same data folder, same port: the page's retry sends the queue
        want = {"sentiment": "negative", "note": "while the server was down"}
        assert server_draft(ann, pid, item, want) == want
        expect(page.locator("#save-state")).to_have_attribute("data-state", "saved")

        # the page reloaded after the restart: the same task, its draft restored
        page.reload()
        expect(page.locator("#task")).to_have_attribute("data-item", item or "")
        expect(page.locator(".draft-note")).to_contain_text("draft restored")
        expect(page.get_by_label("negative")).to_be_checked()
        expect(page.locator("textarea").first).to_have_value("while the server was down")

        # a fresh browser (no localStorage) gets it from the server
        login_fast(contexts[1], ann)
        other = contexts[1].new_page()
        other.goto(f"/projects/{pid}/annotate")
        expect(other.locator("#task")).to_have_attribute("data-item", item or "")
        expect(other.get_by_label("negative")).to_be_checked()
        expect(other.locator("textarea").first).to_have_value("while the server was down")
    finally:
        for context in contexts:
            context.close()
