"""``labelwise serve`` and ``labelwise migrate``."""

from __future__ import annotations

import os
from typing import Annotated

import typer

from labelwise.cli.output import out
from labelwise.cli.where import DataDirOption, DbOption, Where
from labelwise.config import Settings

HostOption = Annotated[str, typer.Option("--host", help="Interface to listen on (0.0.0.0: every interface).")]
PortOption = Annotated[int, typer.Option("--port", "-p", help="Port to listen on.")]


def run_server(settings: Settings, *, host: str, port: int, workers: int = 1) -> None:
    """Migrate once here, then serve: in this process, or in ``workers`` uvicorn worker processes."""
    import uvicorn

    from labelwise.services.setup import prepare

    ctx = prepare(settings)
    where = settings.database_url.split("@")[-1] if settings.db else str(settings.data_dir.resolve())
    out.print(f"labelwise on http://{host}:{port}  (data: {where})", highlight=False)
    if workers <= 1:
        from labelwise.api.app import create_app

        try:
            uvicorn.run(create_app(ctx=ctx), host=host, port=port, log_level="info")
        finally:
            ctx.close()
        return
    ctx.close()
    # Worker processes build their own settings from LABELWISE_* variables (app_from_env).
    os.environ["LABELWISE_DATA_DIR"] = str(settings.data_dir.resolve())
    if settings.db:
        os.environ["LABELWISE_DB"] = settings.db
    uvicorn.run("labelwise.api.app:app_from_env", factory=True, workers=workers, host=host, port=port,
                log_level="info")


def serve(
    data_dir: DataDirOption = None, db: DbOption = None,
    host: HostOption = "127.0.0.1", port: PortOption = 8000,
    workers: Annotated[int, typer.Option("--workers", "-w", min=1, help="Worker processes. With more than one, "
                                         "use PostgreSQL (--db) for the best write throughput.")] = 1,
) -> None:
    """Serve the web app and the API (migrating the database first)."""
    run_server(Where(data_dir, db).settings(), host=host, port=port, workers=workers)


def migrate(data_dir: DataDirOption = None, db: DbOption = None) -> None:
    """Create or upgrade the database schema, then exit."""
    with Where(data_dir, db).context(create=True) as ctx:  # prepare() migrates
        target = ctx.settings.database_url.split("@")[-1]
    out.print(f"The database is up to date ({target})", highlight=False)


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
    app.command("migrate")(migrate)
