"""The browser UI: Jinja templates and plain ES modules served by the app."""

from __future__ import annotations

from fastapi import FastAPI


def mount_ui(app: FastAPI) -> None:
    from labelwise.ui.routes import router, static_files

    app.mount("/static", static_files(), name="static")
    app.include_router(router)
