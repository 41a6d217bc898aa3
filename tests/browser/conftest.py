"""The real server in a subprocess on a free port, driven by real headless Chromium (Playwright).

One server and one browser for the whole module run; every test makes its own users, projects and
browser contexts, so tests do not depend on each other. ``LABELWISE_TEST_DB`` runs the server on
PostgreSQL instead of a SQLite file.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, sync_playwright
from tests.browser.helpers import Server

from labelwise.config import Settings
from labelwise.services.setup import prepare

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
SRC = Path(__file__).resolve().parents[2] / "src"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _postgres_database(drop: str | None = None) -> str:
    """A fresh database next to LABELWISE_TEST_DB for the server (or drop it again)."""
    from sqlalchemy import create_engine, text

    admin_url = Settings(db=os.environ["LABELWISE_TEST_DB"]).database_url
    name = f"labelwise_browser_{os.getpid()}"
    engine = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"' + (" WITH (FORCE)" if drop else "")))
        if not drop:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return admin_url.rsplit("/", 1)[0] + "/" + name


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    data_dir = tmp_path_factory.mktemp("browser-data")
    env = {**os.environ, "LABELWISE_DATA_DIR": str(data_dir)}
    pg = _postgres_database() if os.environ.get("LABELWISE_TEST_DB") else None
    settings = Settings(data_dir=data_dir, db=pg) if pg else Settings(data_dir=data_dir)
    if pg:
        env["LABELWISE_DB"] = pg
    prepare(settings).close()
    # the checkout's package first, whether or not labelwise is installed
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(SRC), env.get("PYTHONPATH", "")) if p)
    port = _free_port()
    log = (data_dir / "server.log").open("wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "labelwise.api.app:app_from_env", "--factory", "--host", "127.0.0.1",
         "--port", str(port), "--log-level", "warning"],
        env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"the server exited: {(data_dir / 'server.log').read_text()}")
            try:
                if httpx.get(url + "/api/v1/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("the server did not answer /api/v1/health within 30 s")
            time.sleep(0.1)
        yield Server(url=url, settings=settings)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:  # pragma: no cover
            proc.kill()
            proc.wait()
        log.close()
        if pg:
            _postgres_database(drop=pg)


@pytest.fixture(scope="session")
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
