"""Request dependencies: the service context and the authenticated actor."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Annotated, Any, TypeVar

import anyio
import anyio.to_thread
from fastapi import Depends, Path, Query, Request
from starlette.concurrency import run_in_threadpool

from labelwise.domain.permissions import Actor
from labelwise.errors import Forbidden, Unauthorized
from labelwise.services import auth
from labelwise.services.context import Context

T = TypeVar("T")
SESSION_COOKIE = "lw_session"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


async def get_context(request: Request) -> Context:
    return request.app.state.ctx  # type: ignore[no-any-return]


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization")
    if not header:
        return None
    scheme, _, value = header.partition(" ")
    if scheme.lower() not in ("bearer", "token") or not value.strip():
        raise Unauthorized("Authorization header must be 'Bearer <token>'")
    return value.strip()


async def _authenticate(ctx: Context, token: str) -> tuple[Actor, dict[str, Any]]:
    # Dependencies are async so that a request does not hop to a worker thread just to read the
    # token cache; only a cache miss (a database read) goes to the thread pool.
    return auth.authenticate_cached(token) or await run_in_threadpool(auth.authenticate, ctx, token)


async def get_actor(request: Request, ctx: Annotated[Context, Depends(get_context)]) -> Actor:
    """Who is calling: an API token (Authorization header) or a session cookie with its CSRF header."""
    token = _bearer(request)
    if token is not None:
        actor, _ = await _authenticate(ctx, token)
        return actor
    cookie = request.cookies.get(SESSION_COOKIE)
    if not cookie:
        raise Unauthorized("log in, or send an API token as 'Authorization: Bearer <token>'")
    actor, row = await _authenticate(ctx, cookie)
    if row["kind"] != "session":
        raise Unauthorized("invalid session")
    if request.method not in SAFE_METHODS and request.headers.get(CSRF_HEADER) != row["csrf_token"]:
        raise Forbidden("missing or wrong CSRF token (send it in the X-CSRF-Token header)")
    return actor


async def run_write(request: Request, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run a short write use case (the annotation queue) in a worker thread.

    On SQLite writes are serial anyway: they go by group commit (``Database.run_grouped``), the calls
    that arrive while one transaction runs share the next one on the one writer thread, a SAVEPOINT
    each, answered after its COMMIT. On PostgreSQL they use the shared thread pool and run in parallel.
    """
    ctx: Context = request.app.state.ctx
    call = partial(fn, *args, **kwargs)
    if ctx.db.is_sqlite:
        return await ctx.db.run_grouped(call)  # type: ignore[no-any-return]
    return await anyio.to_thread.run_sync(call)


CtxDep = Annotated[Context, Depends(get_context)]
ActorDep = Annotated[Actor, Depends(get_actor)]
# A row id in a path: bounded to the database's 64-bit integers, so a huge number is a 422, not a 500.
RowId = Annotated[int, Path(ge=0, le=2**63 - 1)]
Cursor = Annotated[int, Query(ge=0, le=2**63 - 1)]
