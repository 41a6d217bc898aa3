"""The annotation queue's two hot endpoints (next, submit) as plain Starlette handlers.

Every annotator calls these two in a loop. FastAPI's route machinery (dependency solving, parameter and
body validation through its models) cost about a quarter of the server's CPU per next + submit under 32
annotators (2.9 -> 2.1 ms without it, bench/bench_annotate_ab.py); these handlers do the same checks directly:
the same authentication (:func:`labelwise.api.deps.get_actor`), the same pydantic types for the path,
the query and the body, and a :class:`fastapi.exceptions.RequestValidationError` with the same
locations (``path``, ``query``, ``body``) so that the app's handler answers the usual 422.

:mod:`labelwise.api.routes.tasks` registers them ahead of its FastAPI declarations of the same paths,
which document them in the OpenAPI schema (and would answer the same way if reached).
"""

from __future__ import annotations

from typing import Any

from fastapi.exceptions import RequestValidationError
from pydantic import TypeAdapter, ValidationError
from starlette.requests import Request
from starlette.responses import Response

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
    try:
        return Submission.model_validate_json(await request.body())
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
