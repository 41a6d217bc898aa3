"""Load a project and check the actor's right to act on it, in one step."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection

from labelwise.domain.permissions import Action, Actor, require
from labelwise.domain.schema import LabelSchema, parse_schema
from labelwise.errors import NotFound
from labelwise.services.context import Context
from labelwise.store import projects


@dataclass(frozen=True, slots=True)
class ProjectAccess:
    project: dict[str, Any]
    role: str | None
    schema: LabelSchema

    @property
    def id(self) -> int:
        return int(self.project["id"])

    @property
    def name(self) -> str:
        return str(self.project["name"])


def find_project(conn: Connection, ref: int | str) -> dict[str, Any] | None:
    """A project by id, or by name (a name made only of digits is tried as an id first)."""
    if isinstance(ref, int) or (ref.isdigit() and int(ref) < 2**63):
        row = projects.project_row(conn, project_id=int(ref))
        if row is not None or isinstance(ref, int):
            return row
    return projects.project_row(conn, name=str(ref))


def open_project(ctx: Context, conn: Connection, actor: Actor, ref: int | str, action: Action) -> ProjectAccess:
    """The project ``ref`` if ``actor`` may do ``action`` on it; NotFound for outsiders."""
    project = None
    if isinstance(ref, int) or (ref.isdigit() and int(ref) < 2**63):
        project = projects.project_for_user(conn, actor.id, project_id=int(ref))
    if project is None and not isinstance(ref, int):
        project = projects.project_for_user(conn, actor.id, name=ref)
    if project is None:
        raise NotFound(f"project {ref!r} not found")
    role = project.pop("role")
    require(actor, role, action, project=str(ref))  # an outsider learns nothing, not even the name
    return ProjectAccess(project=project, role=role, schema=schema_of(ctx, conn, project))


def schema_of(ctx: Context, conn: Connection, project: dict[str, Any]) -> LabelSchema:
    """The project's current schema, parsed once per process (versions never change once written)."""
    key = (project["id"], project["schema_version"])
    schema = ctx.schemas.get(key)
    if schema is None:
        raw = project.get("schema") or projects.schema_at(conn, project["id"], project["schema_version"])
        schema = ctx.schemas[key] = parse_schema(raw)
    return schema
