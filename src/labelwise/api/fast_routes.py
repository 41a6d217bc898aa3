"""The annotation queue's two hot endpoints (next, submit) as plain Starlette handlers.

Every annotator calls these two in a loop. FastAPI's route machinery (dependency solving, parameter and
body validation through its models) cost about a quarter of the server's CPU per next + submit under 32
annotators (2.9 -> 2.1 ms without it, bench/bench_annotate_ab.py); these handlers do the same checks directly:
the same authentication (:func:`labelwise.api.deps.get_actor`), the same pydantic types for the path,
the query and the body, and a :class:`fastapi.exceptions.RequestValidationError` with the same
locations (``path``, ``query``, ``body``) so that the app's handler answers the usual 422.

:mod:`labelwise.api.routes.tasks` registers them ahead of its FastAPI declarations of the same paths,
which document them in the OpenAPI schema (and would answer the same way if reached).

:func:`front_door` goes one step further: the app hands a POST to one of the two paths straight to its
handler, before FastAPI's middleware stack (error middleware, telemetry, body limit, exception middleware,
exit stack) and its router, which cost another tenth of the server's CPU per next + submit. The app's
own exception handlers answer the handler's errors there (401, 403, 404, 409, 422), as the stack's
exception middleware would; any other exception is a plain 500 and goes on to the server, as the
stack's error middleware does it. The app takes this path only while it has no middleware of its own.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi.exceptions import RequestValidationError
from pydantic import TypeAdapter, ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.types import Receive, Scope, Send

from labelwise.api.deps import RowId, get_actor, run_write
from labelwise.api.responses import JSON
from labelwise.api.schemas import Submission
from labelwise.services import annotation

_ROW_ID: TypeAdapter[int] = TypeAdapter(RowId)
_IDS: TypeAdapter[list[int]] = TypeAdapter(list[int])


def _checked(adapter: TypeAdapter[Any], value: Any, *where: str | int) -> Any:
    """``value`` validated by ``adapter``; a RequestValidationError located at ``where`` otherwise."""
    try:
        return adapter.validate_python(value)
    except ValidationError as exc:
        raise RequestValidationError(_located(exc, where)) from None


def _located(exc: ValidationError, where: tuple[str | int, ...]) -> list[dict[str, Any]]:
    return [{**e, "loc": (*where, *e["loc"])} for e in exc.errors(include_url=False)]


async def _submission(request: Request) -> Submission:
    body = await request.body()
    if not body.strip():  # as FastAPI answers a missing body (not "Invalid JSON: EOF")
        raise RequestValidationError([{"type": "missing", "loc": ("body",), "msg": "Field required", "input": None}])
    try:
        return Submission.model_validate_json(body)
    except ValidationError as exc:
        raise RequestValidationError(_located(exc, ("body",))) from None


async def next_task(request: Request) -> Response:
    ctx = request.app.state.ctx
    actor = await get_actor(request, ctx)
    exclude = _checked(_IDS, request.query_params.getlist("exclude"), "query", "exclude")
    task = await run_write(request, annotation.next_task, ctx, actor, request.path_params["ref"],
                           exclude=frozenset(exclude))
    return Response(status_code=204) if task is None else JSON(task)


async def submit(request: Request) -> Response:
    ctx = request.app.state.ctx
    actor = await get_actor(request, ctx)
    item_id = _checked(_ROW_ID, request.path_params["item_id"], "path", "item_id")
    body = await _submission(request)
    done = await run_write(request, annotation.submit, ctx, actor, request.path_params["ref"], item_id, body.result,
                           lead_time=body.lead_time)
    return JSON(done, status_code=201)


Handler = Callable[[Request], Awaitable[Response]]
# Starlette's own patterns for these paths ({param} matches [^/]+), under the API's prefix
_PATHS: tuple[tuple[re.Pattern[str], Handler], ...] = (
    (re.compile(r"^/api/v1/projects/(?P<ref>[^/]+)/tasks/next$"), next_task),
    (re.compile(r"^/api/v1/projects/(?P<ref>[^/]+)/tasks/(?P<item_id>[^/]+)/submit$"), submit),
)


def front_door(scope: Scope) -> Handler | None:
    """The handler for this request if it is a POST to next or submit (filling in its path parameters)."""
    if scope["type"] != "http" or scope["method"] != "POST" or scope.get("root_path"):
        return None
    path = scope["path"]
    if not path.endswith(("/next", "/submit")):
        return None
    for pattern, handler in _PATHS:
        found = pattern.match(path)
        if found is not None:
            scope["path_params"] = found.groupdict()
            return handler
    return None


async def answer(handler: Handler, scope: Scope, receive: Receive, send: Send,
                 handlers: dict[Any, Callable[[Request, Exception], Awaitable[Response]]]) -> None:
    """Run ``handler``; an exception with a handler in ``handlers`` (by its class or a base class other than
    Exception) is answered by it."""
    request = Request(scope, receive)
    try:
        response = await handler(request)
    except Exception as exc:
        # as Starlette's exception middleware looks them up; a handler of Exception itself is the error
        # middleware's (which re-raises), so it is left to the server here too
        handle = next((handlers[cls] for cls in type(exc).__mro__[:-3] if cls in handlers), None)
        if handle is None:  # as the error middleware: a plain 500, and the exception goes on to the server
            await PlainTextResponse("Internal Server Error", status_code=500)(scope, receive, send)
            raise
        response = await handle(request, exc) if inspect.iscoroutinefunction(handle) else \
            await run_in_threadpool(handle, request, exc)
    await response(scope, receive, send)
