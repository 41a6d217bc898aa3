"""What the server answers, as Pydantic models. Unknown fields are kept, so a newer server does not
break an older SDK."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class _Model(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True)


class User(_Model):
    id: int
    email: str
    name: str = ""
    is_admin: bool = False


class Member(_Model):
    user_id: int
    email: str
    name: str = ""
    role: str


class ProjectInfo(_Model):
    id: int
    name: str
    description: str = ""
    guidelines: str = ""
    schema_version: int = 1
    label_schema: dict[str, Any] | None = Field(default=None, alias="schema")
    overlap: int = 1
    ordering: str = "sequential"
    show_others: bool = False
    lease_seconds: int | None = None
    role: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None


class ImportReport(_Model):
    """The outcome of an import. ``errors`` lists bad rows: ``{"row": n, "loc": [...], "msg": ...}``."""

    import_id: int | None = None
    rows: int = 0
    created: int = 0
    skipped: int = 0
    invalid: int = 0
    annotations: int = 0  # submitted annotations imported with the items
    errors: list[dict[str, Any]] = Field(default_factory=list)


class Task(_Model):
    """One item as its annotator sees it: data, predictions, their draft or result."""

    id: int
    key: str | None = None
    data: dict[str, Any] = Field(default_factory=dict)
    meta: dict[str, Any] | None = None
    state: str | None = None
    predictions: list[dict[str, Any]] = Field(default_factory=list)
    schema_version: int | None = None
    status: str | None = None
    result: dict[str, Any] | None = None
    draft: dict[str, Any] | None = None
    lease_expires_at: datetime | None = None
    review: dict[str, Any] | None = None


class Annotation(_Model):
    """A submitted (or updated) annotation."""

    id: int
    item_id: int
    status: str
    result: dict[str, Any] | None = None
    item_state: str | None = None


class Item(_Model):
    id: int
    key: str | None = None
    state: str
    n_submitted: int = 0
    data: dict[str, Any] = Field(default_factory=dict)
    meta: dict[str, Any] | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None


class Counts(_Model):
    total: int
    by_state: dict[str, int] | None = None


class Review(_Model):
    id: int
    annotation_id: int
    action: str
    item_state: str | None = None
    result: dict[str, Any] | None = None


class AuditEntry(_Model):
    id: int
    at: datetime
    action: str
    target: str | None = None
    details: dict[str, Any] | None = None
    project_id: int | None = None
    user: str | None = None
