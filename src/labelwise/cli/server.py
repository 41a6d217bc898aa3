"""``labelwise serve``, ``labelwise worker`` and ``labelwise migrate``."""

from __future__ import annotations

import os
from typing import Annotated, Any

import typer

from labelwise.cli.output import out
from labelwise.cli.where import DataDirOption, DbOption, Where
from labelwise.config import Settings

HostOption = Annotated[str, typer.Option("--host", help="Interface to listen on (0.0.0.0: every interface).")]
PortOption = Annotated[int, typer.Option("--port", "-p", help="Port to listen on.")]
MediaUrlOption = Annotated[str | None, typer.Option(
    "--media-url", help="Keep media in an S3-compatible bucket: s3://bucket/prefix (or LABELWISE_MEDIA_URL). "
    "Default: the media folder.", show_default=False)]


def run_server(settings: Settings, *, host: str, port: int, workers: int = 1) -> None:
    """Migrate once here, then serve: in this process, or in ``workers`` uvicorn worker processes."""

    from labelwise.services.setup import prepare

    ctx = prepare(settings)
    where = settings.database_url.split("@")[-1] if settings.db else str(settings.data_dir.resolve())
    media = f", media: {settings.media_url}" if settings.media_url else ""
    out.print(f"labelwise on http://{host}:{port}  (data: {where}{media})", highlight=False)
    jobs = _start_jobs(settings)
    try:
        _serve(ctx, settings, host=host, port=port, workers=workers)
    finally:
        if jobs is not None:
            jobs[0].stop()
            jobs[1].close()


def _start_jobs(settings: Settings) -> tuple[Any, Any] | None:
    """A job consumer in threads of this process (its own context), unless LABELWISE_JOB_WORKERS is 0."""
    if settings.job_workers <= 0:
        return None
    from labelwise.jobs import Worker
    from labelwise.services.context import Context

    ctx = Context.from_settings(settings)
    return Worker(ctx, workers=settings.job_workers).start(), ctx


def _serve(ctx: Any, settings: Settings, *, host: str, port: int, workers: int) -> None:
    import uvicorn

    if workers <= 1:
        from labelwise.api.app import server_app

        try:
            uvicorn.run(server_app(ctx), host=host, port=port, log_level="info")
        finally:
            ctx.close()
        return
    ctx.close()
    # Worker processes build their own settings from LABELWISE_* variables (app_from_env).
    os.environ["LABELWISE_DATA_DIR"] = str(settings.data_dir.resolve())
    if settings.db:
        os.environ["LABELWISE_DB"] = settings.db
    if settings.media_url:
        os.environ["LABELWISE_MEDIA_URL"] = settings.media_url
    uvicorn.run("labelwise.api.app:app_from_env", factory=True, workers=workers, host=host, port=port,
                log_level="info")


def serve(
    data_dir: DataDirOption = None, db: DbOption = None,
    host: HostOption = "127.0.0.1", port: PortOption = 8000,
    workers: Annotated[int, typer.Option("--workers", "-w", min=1, help="Worker processes. With more than one, "
                                         "use PostgreSQL (--db) for the best write throughput.")] = 1,
    media_url: MediaUrlOption = None,
) -> None:
    """Serve the web app and the API (migrating the database first)."""
    settings = Where(data_dir, db).settings()
    if media_url is not None:
        if not media_url.startswith("s3://") or not media_url[5:].split("/")[0]:
            raise typer.BadParameter("give s3://bucket/prefix", param_hint="--media-url")
        settings = Settings(**{**settings.model_dump(exclude_unset=True), "media_url": media_url})
    run_server(settings, host=host, port=port, workers=workers)


def worker(
    data_dir: DataDirOption = None, db: DbOption = None,
    threads: Annotated[int, typer.Option("--threads", "-t", min=1, help="Jobs run at once.")] = 1,
) -> None:
    """Run background jobs (recomputes, snapshots, server-side imports, the SQLite text index catch-up) until
    interrupted. Use it with LABELWISE_JOB_WORKERS=0 on the servers, or beside them for more job throughput."""
    from labelwise.jobs import Worker
    from labelwise.services.setup import prepare

    settings = Where(data_dir, db).settings()
    ctx = prepare(settings)
    queue = f"redis {settings.redis_url.split('@')[-1]}" if settings.redis_url else "SQLite in the data folder"
    out.print(f"labelwise worker: {threads} thread(s), queue: {queue}", highlight=False)
    try:
        Worker(ctx, workers=threads).run()
    finally:
        ctx.close()


def migrate(data_dir: DataDirOption = None, db: DbOption = None) -> None:
    """Create or upgrade the database schema, then exit."""
    with Where(data_dir, db).context(create=True) as ctx:  # prepare() migrates
        target = ctx.settings.database_url.split("@")[-1]
    out.print(f"The database is up to date ({target})", highlight=False)


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
    app.command("worker")(worker)
    app.command("migrate")(migrate)
