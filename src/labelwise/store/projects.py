"""Projects, their schema versions and members."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, bindparam, delete, func, insert, select, update

from labelwise.store.clock import now
from labelwise.store.prepared import Prepared
from labelwise.store.tables import members, projects, schema_versions, users

PROJECT_COLUMNS = [
    projects.c.id, projects.c.name, projects.c.description, projects.c.guidelines, projects.c.schema_version,
    projects.c.overlap, projects.c.ordering, projects.c.show_others, projects.c.lease_seconds, projects.c.quality,
    projects.c.created_at, projects.c.updated_at,
]


def insert_project(conn: Connection, *, created_by: int, schema: dict[str, Any], **values: Any) -> int:
    at = now()
    project_id = conn.execute(
        insert(projects).values(created_by=created_by, created_at=at, updated_at=at, schema_version=1, **values)
        .returning(projects.c.id)
    ).scalar_one()
    insert_schema_version(conn, project_id=project_id, version=1, schema=schema, created_by=created_by)
    return project_id


def insert_schema_version(conn: Connection, *, project_id: int, version: int, schema: dict[str, Any],
                          created_by: int) -> None:
    conn.execute(insert(schema_versions).values(
        project_id=project_id, version=version, schema=schema, created_by=created_by, created_at=now()
    ))


def project_row(conn: Connection, *, project_id: int | None = None, name: str | None = None) -> dict[str, Any] | None:
    q = select(*PROJECT_COLUMNS, schema_versions.c.schema).join(
        schema_versions,
        (schema_versions.c.project_id == projects.c.id) & (schema_versions.c.version == projects.c.schema_version),
    )
    q = q.where(projects.c.id == project_id) if project_id is not None else q.where(projects.c.name == name)
    row = conn.execute(q).mappings().first()
    return dict(row) if row else None


def _access_query(by: Any) -> Any:
    member = (members.c.project_id == projects.c.id) & (members.c.user_id == bindparam("user_id"))
    return select(*PROJECT_COLUMNS, members.c.role).outerjoin(members, member).where(by == bindparam("ref"))


# Built once: the hot path runs them on every request (as Prepared statements: see store/prepared.py).
_ACCESS_BY_ID = Prepared(_access_query(projects.c.id))
_ACCESS_BY_NAME = Prepared(_access_query(projects.c.name))


def project_for_user(conn: Connection, user_id: int, *, project_id: int | None = None,
                     name: str | None = None) -> dict[str, Any] | None:
    """A project's settings (no schema) with the user's role in it (None if not a member)."""
    q = _ACCESS_BY_ID if project_id is not None else _ACCESS_BY_NAME
    ref = project_id if project_id is not None else name
    return q.first(conn, {"user_id": user_id, "ref": ref})


def schema_at(conn: Connection, project_id: int, version: int) -> dict[str, Any] | None:
    return conn.execute(
        select(schema_versions.c.schema).where(
            schema_versions.c.project_id == project_id, schema_versions.c.version == version
        )
    ).scalar_one_or_none()


def schema_history(conn: Connection, project_id: int) -> list[dict[str, Any]]:
    q = select(schema_versions).where(schema_versions.c.project_id == project_id).order_by(schema_versions.c.version)
    return [dict(r) for r in conn.execute(q).mappings()]


def update_project(conn: Connection, project_id: int, **values: Any) -> None:
    conn.execute(update(projects).where(projects.c.id == project_id).values(updated_at=now(), **values))


def delete_project(conn: Connection, project_id: int) -> None:
    conn.execute(delete(projects).where(projects.c.id == project_id))


def list_projects(conn: Connection, *, user_id: int | None) -> list[dict[str, Any]]:
    """Every project (``user_id`` None) or those the user belongs to, with the user's role."""
    if user_id is None:
        q = select(*PROJECT_COLUMNS, members.c.role.label("role")).outerjoin(
            members, (members.c.project_id == projects.c.id) & (members.c.user_id == -1)
        )
    else:
        q = select(*PROJECT_COLUMNS, members.c.role.label("role")).join(
            members, (members.c.project_id == projects.c.id) & (members.c.user_id == user_id)
        )
    return [dict(r) for r in conn.execute(q.order_by(projects.c.id)).mappings()]


def role_of(conn: Connection, project_id: int, user_id: int) -> str | None:
    return conn.execute(
        select(members.c.role).where(members.c.project_id == project_id, members.c.user_id == user_id)
    ).scalar_one_or_none()


def set_member(conn: Connection, project_id: int, user_id: int, role: str) -> None:
    updated = conn.execute(
        update(members).where(members.c.project_id == project_id, members.c.user_id == user_id).values(role=role)
    ).rowcount
    if not updated:
        conn.execute(insert(members).values(project_id=project_id, user_id=user_id, role=role))


def remove_member(conn: Connection, project_id: int, user_id: int) -> int:
    return conn.execute(
        delete(members).where(members.c.project_id == project_id, members.c.user_id == user_id)
    ).rowcount


def list_members(conn: Connection, project_id: int) -> list[dict[str, Any]]:
    q = (
        select(users.c.id.label("user_id"), users.c.email, users.c.name, members.c.role)
        .join(members, members.c.user_id == users.c.id)
        .where(members.c.project_id == project_id)
        .order_by(users.c.email)
    )
    return [dict(r) for r in conn.execute(q).mappings()]


def count_managers(conn: Connection, project_id: int) -> int:
    return conn.execute(
        select(func.count()).select_from(members).where(
            members.c.project_id == project_id, members.c.role == "manager"
        )
    ).scalar_one()
