"""Where a command acts: a local data folder (as the instance owner) or a server (through the SDK)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from labelwise.config import Settings

if TYPE_CHECKING:
    from labelwise.client import Client
    from labelwise.services.context import Context

DataDirOption = Annotated[Path | None, typer.Option(
    "--data-dir", "-d", help="Local data folder (SQLite database and media). (default: ./labelwise-data, "
    "or LABELWISE_DATA_DIR)", show_default=False)]
DbOption = Annotated[str | None, typer.Option(
    "--db", help="Database URL, e.g. postgresql://user@host/db (or LABELWISE_DB). Default: SQLite in the data "
    "folder.", show_default=False)]
UrlOption = Annotated[str | None, typer.Option(
    "--url", envvar="LABELWISE_URL", help="Act on this labelwise server through its API instead of a local "
    "data folder.", show_default=False)]
TokenOption = Annotated[str | None, typer.Option(
    "--token", envvar="LABELWISE_TOKEN", help="API token for --url.", show_default=False)]


class NoDatabase(Exception):
    """A local command was pointed at a folder with no labelwise database."""


def settings_for(data_dir: Path | None, db: str | None) -> Settings:
    """Settings from the options given, the rest from LABELWISE_* variables and defaults."""
    values: dict[str, object] = {}
    if data_dir is not None:
        values["data_dir"] = data_dir
    if db is not None:
        values["db"] = db
    return Settings(**values)  # type: ignore[arg-type]


@dataclass
class Where:
    data_dir: Path | None = None
    db: str | None = None
    url: str | None = None
    token: str | None = None

    @property
    def remote(self) -> bool:
        return bool(self.url)

    def settings(self) -> Settings:
        return settings_for(self.data_dir, self.db)

    @contextmanager
    def context(self, *, create: bool = False) -> Iterator[Context]:
        """A migrated service context. Unless ``create``, a missing SQLite database is an error."""
        from labelwise.services.setup import prepare

        settings = self.settings()
        if not create and settings.is_sqlite and not (settings.data_dir / "labelwise.db").exists():
            raise NoDatabase(
                f"no labelwise database in {settings.data_dir}: pass --data-dir (or --db, or --url), or start "
                "with `labelwise user create EMAIL --role admin`")
        ctx = prepare(settings)
        try:
            yield ctx
        finally:
            ctx.close()

    @contextmanager
    def client(self) -> Iterator[Client]:
        from labelwise.client import Client

        with Client(self.url, self.token) as client:
            yield client
