"""Errors the SDK raises: one class per HTTP status family, each carrying the server's details.

The server answers errors with ``{"error": code, "detail": message, "errors": [...]}``; ``errors``
lists exactly what was wrong and where (``{"row": 3, "loc": ["data", "text"], "msg": "..."}``).
"""

from __future__ import annotations

from typing import Any


class ApiError(Exception):
    """An error answered by the server (or no answer at all: ``status`` 0)."""

    def __init__(self, status: int, message: str, *, code: str = "error",
                 errors: list[dict[str, Any]] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code
        self.errors: list[dict[str, Any]] = errors or []

    def __str__(self) -> str:
        return f"{self.message} (HTTP {self.status})" if self.status else self.message


class ConnectionFailed(ApiError):
    """The server could not be reached or did not answer in time."""


class BadRequest(ApiError):
    """400: a request the server could not make sense of."""


class Unauthorized(ApiError):
    """401: no token, or a wrong or expired one."""


class Forbidden(ApiError):
    """403: the token is valid but its user may not do this."""


class NotFound(ApiError):
    """404: no such project, item, task or user (or you may not see it)."""


class Conflict(ApiError):
    """409: valid, but clashes with the current state (a duplicate name, a lost lease)."""


class Invalid(ApiError):
    """422: input breaks a rule; ``errors`` names every bad row, field or label."""


class ServerError(ApiError):
    """5xx: the server failed."""


_BY_STATUS: dict[int, type[ApiError]] = {
    400: BadRequest, 401: Unauthorized, 403: Forbidden, 404: NotFound, 409: Conflict,
    413: Invalid, 422: Invalid,
}


def error_for(status: int, body: Any, fallback: str) -> ApiError:
    """The exception for an error response with JSON ``body`` (or anything else)."""
    message, code, errors = fallback, "error", None
    if isinstance(body, dict):
        detail = body.get("detail")
        if isinstance(detail, str) and detail:
            message = detail
        elif detail is not None:
            message = str(detail)
        code = str(body.get("error") or code)
        if isinstance(body.get("errors"), list):
            errors = body["errors"]
    cls = _BY_STATUS.get(status) or (ServerError if status >= 500 else ApiError)
    return cls(status, message, code=code, errors=errors)
