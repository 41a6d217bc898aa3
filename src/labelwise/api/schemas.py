"""Request bodies, one model per purpose (Create / Update / action)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LoginBody(_Body):
    email: str
    password: str


class UserCreate(_Body):
    email: str
    password: str | None = None
    name: str = ""
    is_admin: bool = False


class TokenCreate(_Body):
    name: str = "api"
    email: str | None = Field(None, description="Admins may create a token for another user.")


class QualityFields(_Body):
    """Quality settings (see docs/quality.md); on update, null puts one back to its default."""

    max_overlap: int | None = None
    agreement_threshold: float | None = None
    gold_share: float | None = None
    gold_min_accuracy: float | None = None
    gold_min_answers: int | None = None
    gold_pause: bool | None = None
    review_share: float | None = None
    review_sampling: str | None = None
    review_confidence: float | None = None
    checks: list[dict[str, Any]] | None = None


class ProjectCreate(QualityFields):
    name: str
    label_schema: dict[str, Any] | str = Field(alias="schema", description="The label schema, as an object or YAML.")
    description: str = ""
    guidelines: str = ""
    overlap: int = 1
    ordering: str = "sequential"
    show_others: bool = False
    lease_seconds: int | None = None


class ProjectUpdate(QualityFields):
    description: str | None = None
    guidelines: str | None = None
    overlap: int | None = None
    ordering: str | None = None
    show_others: bool | None = None
    lease_seconds: int | None = None


class SchemaUpdate(_Body):
    label_schema: dict[str, Any] | str = Field(alias="schema")
    allow_breaking: bool = False


class MemberSet(_Body):
    email: str
    role: str = "annotator"


class Submission(_Body):
    result: dict[str, Any]
    lead_time: float | None = Field(None, description="Seconds spent on this task since the last save.")


class Draft(_Body):
    draft: dict[str, Any]
    lead_time: float | None = None


class Skip(_Body):
    reason: str = ""


class CommentCreate(_Body):
    body: str = Field(description="The comment, plain text (at most 5,000 characters).")


class ReviewBody(_Body):
    action: str = Field(description="accept, reject or correct")
    comment: str = ""
    result: dict[str, Any] | None = None


class RecordsImport(_Body):
    records: list[dict[str, Any]]
    skip_invalid: bool = False
    key_field: str | None = None


class GoldBody(_Body):
    result: dict[str, Any] = Field(description="The expected result of the gold item.")


class JobCreate(_Body):
    kind: str = Field(description="recompute, snapshot or import_file (instance admins: a file on the server).")
    params: dict[str, Any] = Field(default_factory=dict, description="The job's options (method, name, path...).")
