"""Templates, the page security headers and user-written markdown rendered safely."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markdown_it import MarkdownIt
from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import HTMLResponse

HERE = Path(__file__).parent

#: UI pages run only our own scripts and styles; nothing inline, nothing from elsewhere.
CSP = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data: blob:",
    "media-src 'self' blob:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])
SECURITY_HEADERS = {
    "content-security-policy": CSP,
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    "x-frame-options": "DENY",
    "cache-control": "no-store",
}


@cache
def environment() -> Environment:
    env = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(default=True),
                      trim_blocks=True, lstrip_blocks=True)
    env.filters["markdown"] = render_markdown
    return env


@cache
def _markdown() -> MarkdownIt:
    # "commonmark" with html off: raw HTML in the source comes out as text; unsafe link schemes
    # (javascript:, vbscript:, data: except images) are refused by markdown-it's validateLink.
    return MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})


def render_markdown(source: str | None) -> Markup:
    """Markdown written by users (guidelines) as HTML with no raw HTML of theirs in it."""
    return Markup(_markdown().render(source or ""))


def page(request: Request, template: str, status_code: int = 200, **values: Any) -> HTMLResponse:
    html = environment().get_template(template).render(request=request, **values)
    ctx = getattr(request.app.state, "ctx", None)
    origin = ctx.media.origin() if ctx is not None else None
    return HTMLResponse(html, status_code=status_code, headers=security_headers(origin))


@cache
def security_headers(media_origin: str | None) -> dict[str, str]:
    """The headers of every page; ``media_origin``: a bucket that media are read from (presigned URLs)."""
    if not media_origin:
        return SECURITY_HEADERS
    csp = CSP.replace("img-src 'self'", f"img-src 'self' {media_origin}").replace(
        "media-src 'self'", f"media-src 'self' {media_origin}")
    return {**SECURITY_HEADERS, "content-security-policy": csp}
