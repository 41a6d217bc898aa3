"""Domain errors. The API maps each to an HTTP status; the CLI prints them.

Every error carries a human message and, where it helps, ``errors``: a list of
``{"loc": [...], "msg": str, "value": ...}`` records naming exactly what was wrong and where
(file, row, field, label).
"""

from __future__ import annotations

from typing import Any


class LabelwiseError(Exception):
    """Base class. ``status`` is the HTTP status the API answers with."""

    status = 400
    code = "error"

    def __init__(self, message: str, *, errors: list[dict[str, Any]] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.errors = errors or []

    def to_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"error": self.code, "detail": self.message}
        if self.errors:
            body["errors"] = self.errors
        return body


class Invalid(LabelwiseError):
    """Input that breaks a rule: a result against its schema, a bad import row, a bad setting."""

    status = 422
    code = "invalid"


class NotFound(LabelwiseError):
    status = 404
    code = "not_found"


class Conflict(LabelwiseError):
    """The request is valid but clashes with the current state (a lost lease, a duplicate name)."""

    status = 409
    code = "conflict"


class Unauthorized(LabelwiseError):
    """No valid credentials."""

    status = 401
    code = "unauthorized"


class Forbidden(LabelwiseError):
    """Valid credentials, but this user may not do this."""

    status = 403
    code = "forbidden"


def error_at(loc: list[Any], msg: str, value: Any = None) -> dict[str, Any]:
    """One entry of ``LabelwiseError.errors``."""
    entry: dict[str, Any] = {"loc": loc, "msg": msg}
    if value is not None:
        entry["value"] = value
    return entry
