"""The real server in a subprocess on a free port, driven by real headless Chromium (Playwright).

One server and one browser for the whole module run; every test makes its own users, projects and
browser contexts, so tests do not depend on each other. ``LABELWISE_TEST_DB`` runs the server on
PostgreSQL instead of a SQLite file.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, sync_playwright

from labelwise.config import Settings
from labelwise.services.setup import prepare
from tests.browser.helpers import Server
from tests.live_server import LiveServer, postgres_database

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    data_dir = tmp_path_factory.mktemp("browser-data")
    pg = postgres_database(f"labelwise_browser_{os.getpid()}") if os.environ.get("LABELWISE_TEST_DB") else None
    settings = Settings(data_dir=data_dir, db=pg)
    prepare(settings).close()
    live = LiveServer(settings)
    try:
        yield Server(url=live.start(), settings=settings)
    finally:
        live.stop()
        if pg:
            postgres_database(f"labelwise_browser_{os.getpid()}", drop=True)


# Package scope, not session: Playwright's event loop runs while the browser is open, and asyncio.run() in
# the tests that come after tests/browser would fail ("cannot be called from a running event loop").
@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM}")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def new_context(browser: Browser, server: Server) -> Iterator[Callable[[], BrowserContext]]:
    """Make browser contexts (one per user); all are closed after the test."""
    made: list[BrowserContext] = []

    def make() -> BrowserContext:
        context = browser.new_context(base_url=server.url, viewport={"width": 1280, "height": 900})
        context.set_default_timeout(8000)
        made.append(context)
        return context

    yield make
    for context in made:
        context.close()

