"""The ASGI application: ``create_app(settings)`` wires the API, the UI and error handling."""

from __future__ import annotations

import gc
import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.types import Receive, Scope, Send

from labelwise import __version__
from labelwise.api import fast_routes
from labelwise.api.responses import JSON
from labelwise.api.routes import auth, comments, data, jobs, media, projects, quality, tasks
from labelwise.config import Settings
from labelwise.errors import LabelwiseError
from labelwise.services import imports
from labelwise.services.context import Context
from labelwise.services.setup import prepare

log = logging.getLogger("labelwise")


class App(FastAPI):
    """The FastAPI app, which hands the annotation queue's next and submit straight to their handlers
    (:func:`labelwise.api.fast_routes.front_door`) while it has no middleware of its own."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        handler = None if self.user_middleware else fast_routes.front_door(scope)
        if handler is None:
            await super().__call__(scope, receive, send)
            return
        scope["app"] = self
        await fast_routes.answer(handler, scope, receive, send, self.exception_handlers)


def create_app(settings: Settings | None = None, *, ctx: Context | None = None, migrate: bool = True) -> FastAPI:
    """Build the app. Pass ``ctx`` to share one context (tests); otherwise one is made from ``settings``."""
    if ctx is None:
        settings = settings or Settings()
        ctx = prepare(settings, migrate=migrate)
    app = App(title="labelwise", version=__version__, docs_url="/api/docs", redoc_url=None,
              openapi_url="/api/v1/openapi.json")
    app.state.ctx = ctx
    # The annotation queue first: routes are matched in order, and it carries most of the traffic.
    for router in (tasks.router, auth.router, projects.router, data.router, comments.router, quality.router,
                   media.router, jobs.router):
        app.include_router(router, prefix="/api/v1")

    @app.get("/api/v1/health", tags=["meta"])
    def health() -> JSON:
        with ctx.db.read() as conn:
            conn.exec_driver_sql("SELECT 1")
        return JSON({"ok": True, "version": __version__})

    @app.exception_handler(LabelwiseError)
    async def _domain_error(_request: Request, exc: LabelwiseError) -> JSON:
        return JSON(exc.to_dict(), status_code=exc.status)

    @app.exception_handler(RequestValidationError)
    async def _bad_request(_request: Request, exc: RequestValidationError) -> JSON:
        errors = [{"loc": list(e["loc"]), "msg": e["msg"]} for e in exc.errors()]
        first = errors[0] if errors else {"loc": [], "msg": "invalid request"}
        where = ".".join(str(p) for p in first["loc"])
        return JSON({"error": "invalid", "detail": f"{where}: {first['msg']}", "errors": errors}, status_code=422)

    @app.exception_handler(HTTPException)
    async def _http_error(_request: Request, exc: HTTPException) -> JSON:
        return JSON({"error": "http", "detail": exc.detail}, status_code=exc.status_code, headers=exc.headers)

    from labelwise.ui import mount_ui

    mount_ui(app)
    return app


#: the young generation is collected once this many more container objects are alive than at its last
#: collection (Python's default: 700); generation 1 after 20 of those (default 10), generation 2 after 10 of
#: generation 1's (as by default).
GC_THRESHOLDS = (50_000, 20, 10)


def tune_gc() -> None:
    """Tune Python's cycle collector for a server process; call it once, after the app is built.

    Everything made until now (modules, the app, SQLAlchemy's tables and statements) is moved out of the
    collector's reach by ``gc.freeze()``: a full collection used to scan it all and stopped the process for
    up to 90 ms, the tail of the annotation queue's p99 (instrumented under 32 annotators: 6 full
    collections in 15 s, 513 ms in all). Nearly everything a request makes is freed by its reference count;
    the young generation is collected after 50,000 net new objects instead of 700 (750 collections in 15 s,
    294 ms, became 17). Cycles of garbage are still collected, later.
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


def server_app(ctx: Context) -> FastAPI:
    """The app of a server process (``labelwise serve``, a uvicorn worker): built on ``ctx``, with what the
    first requests would otherwise pay for loaded now (the job queue imports hand their text index to),
    then the cycle collector tuned (:func:`tune_gc`: last, so that all of it is frozen)."""
    app = create_app(ctx=ctx)
    imports.prepare_index_queue(ctx)
    tune_gc()
    return app


def app_from_env() -> FastAPI:
    """Factory for ``uvicorn --factory`` worker processes: settings come from LABELWISE_* variables."""
    return server_app(prepare(Settings(), migrate=False))
