"""Who is looking at a page: the ``lw_session`` cookie checked through the auth service."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import RedirectResponse

from labelwise.domain.permissions import Actor
from labelwise.errors import Unauthorized
from labelwise.services import auth
from labelwise.services.context import Context

SESSION_COOKIE = "lw_session"


@dataclass(frozen=True, slots=True)
class Viewer:
    actor: Actor
    csrf_token: str


class LoginRequired(Exception):
    """Raised by page handlers without a valid session; answered with a redirect to /login."""

    def __init__(self, next_url: str) -> None:
        super().__init__(next_url)
        self.next_url = next_url


def context_of(request: Request) -> Context:
    return request.app.state.ctx  # type: ignore[no-any-return]


def current_viewer(request: Request) -> Viewer | None:
    """The logged-in user of this browser, or None (no cookie, unknown or expired session, API token)."""
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    try:
        actor, row = auth.authenticate(context_of(request), token)
    except Unauthorized:
        return None
    if row.get("kind") != "session":
        return None
    return Viewer(actor=actor, csrf_token=str(row["csrf_token"]))


def require_viewer(request: Request) -> Viewer:
    viewer = current_viewer(request)
    if viewer is None:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise LoginRequired(target)
    return viewer


def login_redirect(exc: LoginRequired) -> RedirectResponse:
    return RedirectResponse("/login?next=" + quote(exc.next_url, safe="/"), status_code=303)


def safe_next(value: str | None) -> str:
    """Only same-site paths may be a post-login destination (no //evil.example, no scheme)."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return "/"
    return value
