"""CLI tests: ``typer.testing.CliRunner`` on a local data folder (the test database), and ``--url`` mode
against the real app served by uvicorn on a free port."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from typer.testing import CliRunner, Result

from labelwise.cli import app
from tests.live_server import ThreadedServer

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


@pytest.fixture
def live(world) -> Iterator[ThreadedServer]:  # type: ignore[no-untyped-def]
    with ThreadedServer(world.ctx) as server:
        yield server


@pytest.fixture
def schema_file(tmp_path):  # type: ignore[no-untyped-def]
    path = tmp_path / "schema.yaml"
    path.write_text(SCHEMA_YAML)
    return path
