"""Pages of the browser UI.

Each handler checks the session, loads what the page's frame needs through ``labelwise.services``
and renders a template. Everything else a page shows it fetches from the JSON API in the browser,
so the same permission checks apply to both.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.staticfiles import StaticFiles

from labelwise.domain.permissions import Action, role_allows
from labelwise.errors import LabelwiseError, NotFound
from labelwise.services import projects, snapshot_diff
from labelwise.ui.rendering import HERE, page
from labelwise.ui.session import (
    LoginRequired,
    Viewer,
    context_of,
    current_viewer,
    login_redirect,
    require_viewer,
    safe_next,
)

router = APIRouter(include_in_schema=False)

#: Project tabs: (path segment, title, the action the tab needs).
TABS: tuple[tuple[str, str, Action], ...] = (
    ("", "Overview", Action.view),
    ("items", "Items", Action.browse),
    ("annotate", "Annotate", Action.annotate),
    ("review", "Review", Action.review),
    ("quality", "Quality", Action.browse),
    ("training", "Training", Action.annotate),
    ("import", "Import", Action.manage),
    ("export", "Export", Action.manage),
    ("members", "Members", Action.view),
    ("settings", "Settings", Action.manage),
)
TAB_ACTIONS = {slug: action for slug, _, action in TABS}


def static_files() -> StaticFiles:
    return StaticFiles(directory=HERE / "static")


def _may(viewer: Viewer, role: str | None, action: Action) -> bool:
    return viewer.actor.is_admin or role_allows(role, action)


def _error_page(request: Request, viewer: Viewer | None, exc: LabelwiseError) -> HTMLResponse:
    if isinstance(exc, NotFound):
        # the service's message may name the project; outsiders learn nothing about it
        return page(request, "error.html", status_code=404, viewer=viewer, title="Not found",
                    message="This project does not exist, or you are not a member of it.")
    return page(request, "error.html", status_code=exc.status, viewer=viewer, title="Error", message=exc.message)


def _guard(request: Request) -> Viewer | RedirectResponse:
    try:
        return require_viewer(request)
    except LoginRequired as exc:
        return login_redirect(exc)


@router.get("/login")
def login_page(request: Request, next: str | None = None) -> Response:
    target = safe_next(next)
    if current_viewer(request) is not None:
        return RedirectResponse(target, status_code=303)
    return page(request, "login.html", viewer=None, title="Log in", next_url=target)


@router.get("/")
def home(request: Request) -> Response:
    viewer = _guard(request)
    if isinstance(viewer, Response):
        return viewer
    rows = projects.list_projects(context_of(request), viewer.actor)
    return page(request, "home.html", viewer=viewer, title="Projects", projects=rows)


@router.get("/projects/new")
def new_project(request: Request) -> Response:
    viewer = _guard(request)
    if isinstance(viewer, Response):
        return viewer
    if not viewer.actor.is_admin:
        return page(request, "error.html", status_code=403, viewer=viewer, title="Not allowed",
                    message="Only an instance admin may create projects.")
    return page(request, "new_project.html", viewer=viewer, title="New project")


def _project_page(request: Request, project_id: int, tab: str, template: str, **values: Any) -> Response:
    viewer = _guard(request)
    if isinstance(viewer, Response):
        return viewer
    try:
        project = projects.get_project(context_of(request), viewer.actor, project_id)
    except LabelwiseError as exc:
        return _error_page(request, viewer, exc)
    role = project["role"]
    if not _may(viewer, role, TAB_ACTIONS[tab]):
        return page(request, "error.html", status_code=403, viewer=viewer, title="Not allowed",
                    message=f"Your role in this project ({role}) does not give access to this page.")
    tabs = [(slug, title) for slug, title, action in TABS if _may(viewer, role, action)]
    return page(request, template, viewer=viewer, title=project["name"], project=project, tabs=tabs, tab=tab,
                can_manage=_may(viewer, role, Action.manage), **values)


@router.get("/projects/{project_id}")
def project_overview(request: Request, project_id: int) -> Response:
    return _project_page(request, project_id, "", "overview.html")


@router.get("/projects/{project_id}/items/{item_id}")
def item_page(request: Request, project_id: int, item_id: int) -> Response:
    return _project_page(request, project_id, "items", "item.html", item_id=item_id)


@router.get("/projects/{project_id}/snapshots/{snapshot_id}/card")
def snapshot_card(request: Request, project_id: int, snapshot_id: int) -> Response:
    """A snapshot's dataset card: markdown rendered on the server with raw HTML off."""
    viewer = _guard(request)
    if isinstance(viewer, Response):
        return viewer
    try:
        projects.get_project(context_of(request), viewer.actor, project_id)  # outsiders: 404 naming nothing
    except LabelwiseError as exc:
        return _error_page(request, viewer, exc)
    try:
        card = snapshot_diff.dataset_card(context_of(request), viewer.actor, project_id, snapshot_id)
    except NotFound:
        return page(request, "error.html", status_code=404, viewer=viewer, title="Not found",
                    message=f"This project has no snapshot {snapshot_id}.")
    except LabelwiseError as exc:
        return _error_page(request, viewer, exc)
    return _project_page(request, project_id, "export", "snapshot_card.html", card=card, snapshot_id=snapshot_id)


@router.get("/projects/{project_id}/{tab}")
def project_tab(request: Request, project_id: int, tab: str) -> Response:
    if tab not in TAB_ACTIONS or not tab:
        viewer = current_viewer(request)
        return page(request, "error.html", status_code=404, viewer=viewer, title="Not found",
                    message="There is no such page.")
    return _project_page(request, project_id, tab, f"{tab}.html")
