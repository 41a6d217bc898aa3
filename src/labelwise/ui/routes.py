"""Pages of the browser UI."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from starlette.responses import RedirectResponse
from starlette.staticfiles import StaticFiles

HERE = Path(__file__).parent
router = APIRouter(include_in_schema=False)


def static_files() -> StaticFiles:
    return StaticFiles(directory=HERE / "static")


@router.get("/")
def home() -> RedirectResponse:
    return RedirectResponse("/api/docs")
