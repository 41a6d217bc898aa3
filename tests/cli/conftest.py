"""CLI tests: ``typer.testing.CliRunner`` on a local data folder (the test database), and ``--url`` mode
against the real app served by uvicorn on a free port."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator

import pytest
import uvicorn
from typer.testing import CliRunner, Result

from labelwise.api.app import create_app
from labelwise.cli import app

ENV = ("LABELWISE_URL", "LABELWISE_TOKEN", "LABELWISE_DATA_DIR", "LABELWISE_DB", "LABELWISE_ADMIN_PASSWORD")

SCHEMA_YAML = """\
fields: {text: text}
labels:
  - {name: sentiment, kind: choice, options: [positive, negative], required: true}
  - {name: entities, kind: spans, field: text, options: [PER, ORG]}
"""


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ENV:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def location(ctx) -> list[str]:  # type: ignore[no-untyped-def]
    """CLI options naming the test database (its data folder, and the PostgreSQL URL if any)."""
    args = ["--data-dir", str(ctx.settings.data_dir)]
    if ctx.settings.db:
        args += ["--db", ctx.settings.db]
    return args


@pytest.fixture
def cli(location: list[str]) -> Callable[..., Result]:
    """``cli("project", "list")`` runs the command on the test data folder."""
    runner = CliRunner()

    def run(*args: str, local: bool = True, input: str | None = None) -> Result:
        return runner.invoke(app, [*args, *(location if local else [])], input=input)

    return run


class LiveServer:
    def __init__(self, ctx: object) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        config = uvicorn.Config(create_app(ctx=ctx), lifespan="off", ws="none", log_level="warning",
                                access_log=False)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the test server did not start")
            time.sleep(0.01)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(10)
        self.sock.close()


@pytest.fixture
def live(world) -> Iterator[LiveServer]:  # type: ignore[no-untyped-def]
    with LiveServer(world.ctx) as server:
        yield server


@pytest.fixture
def schema_file(tmp_path):  # type: ignore[no-untyped-def]
    path = tmp_path / "schema.yaml"
    path.write_text(SCHEMA_YAML)
    return path
