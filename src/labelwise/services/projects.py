"""Projects: create, read, change settings and schema (versioned), members."""

from __future__ import annotations

from typing import Any

from labelwise.domain.permissions import Action, Actor, Role, require_admin
from labelwise.domain.quality import QUALITY_KEYS, merge_quality, parse_quality
from labelwise.domain.schema import parse_schema
from labelwise.domain.states import Ordering
from labelwise.errors import Conflict, Invalid, NotFound
from labelwise.services.access import find_project, open_project
from labelwise.services.context import Context
from labelwise.store import annotations as annotation_rows
from labelwise.store import audit, projects, users
from labelwise.store.items import reopen_for_overlap, reorder_queue

SETTINGS = ("description", "guidelines", "overlap", "ordering", "show_others", "lease_seconds", *QUALITY_KEYS)


def _check_settings(values: dict[str, Any]) -> dict[str, Any]:
    unknown = sorted(set(values) - set(SETTINGS))
    if unknown:
        raise Invalid(f"unknown project settings: {', '.join(unknown)}")
    if "overlap" in values and not (isinstance(values["overlap"], int) and 1 <= values["overlap"] <= 100):
        raise Invalid(f"overlap must be a whole number from 1 to 100, not {values['overlap']!r}")
    if "ordering" in values and values["ordering"] not in set(Ordering):
        raise Invalid(f"ordering must be one of {', '.join(Ordering)}, not {values['ordering']!r}")
    if values.get("lease_seconds") is not None and not 10 <= int(values["lease_seconds"]) <= 86_400:
        raise Invalid("lease_seconds must be between 10 and 86400")
    return values


def public(project: dict[str, Any], role: str | None) -> dict[str, Any]:
    out = {k: project[k] for k in ("id", "name", "description", "guidelines", "schema_version", "overlap",
                                   "ordering", "show_others", "lease_seconds", "created_at", "updated_at")}
    out.update(parse_quality(project.get("quality")).model_dump(mode="json"))
    out["role"] = role
    if "schema" in project:
        out["schema"] = project["schema"]
    return out


def create_project(ctx: Context, actor: Actor, *, name: str, schema: Any, **settings: Any) -> dict[str, Any]:
    """A new project; its creator becomes its manager."""
    require_admin(actor)
    name = name.strip()
    if not name or len(name) > 200:
        raise Invalid("a project needs a name of 1 to 200 characters")
    parsed = parse_schema(schema).model_dump(mode="json")
    values = {"description": "", "guidelines": "", "overlap": 1, "ordering": "sequential", "show_others": False}
    values.update({k: v for k, v in _check_settings(settings).items() if v is not None})
    quality = {k: values.pop(k) for k in QUALITY_KEYS if k in values}
    if quality:
        values["quality"] = merge_quality(None, quality)
    with ctx.db.write() as conn:
        if projects.project_row(conn, name=name):
            raise Conflict(f"a project named {name!r} exists already")
        project_id = projects.insert_project(conn, created_by=actor.id, schema=parsed, name=name, **values)
        projects.set_member(conn, project_id, actor.id, Role.manager)
        audit.record(conn, user_id=actor.id, project_id=project_id, action="project.create", target=name,
                     details={"schema_version": 1, **values})
        row = projects.project_row(conn, project_id=project_id)
    assert row is not None
    return public(row, Role.manager)


def get_project(ctx: Context, actor: Actor, ref: int | str) -> dict[str, Any]:
    with ctx.db.read() as conn:
        access = open_project(ctx, conn, actor, ref, Action.view)
    return public({**access.project, "schema": access.schema.model_dump(mode="json")}, access.role)


def list_projects(ctx: Context, actor: Actor) -> list[dict[str, Any]]:
    with ctx.db.read() as conn:
        rows = projects.list_projects(conn, user_id=None if actor.is_admin else actor.id)
    return [public(r, r["role"]) for r in rows]


def update_project(ctx: Context, actor: Actor, ref: int | str, **changes: Any) -> dict[str, Any]:
    """Change settings; a quality setting given as None goes back to its default."""
    quality = {k: changes.pop(k) for k in QUALITY_KEYS if k in changes}
    changes = _check_settings({k: v for k, v in changes.items() if v is not None})
    with ctx.db.write() as conn:
        access = open_project(ctx, conn, actor, ref, Action.manage)
        stored = dict(changes)
        if quality:
            stored["quality"] = merge_quality(access.project.get("quality"), quality)
            changes.update(quality)
        if changes:
            projects.update_project(conn, access.id, **stored)
            if "ordering" in changes and changes["ordering"] != access.project["ordering"]:
                reorder_queue(conn, access.id, changes["ordering"])
            if "overlap" in changes and changes["overlap"] != access.project["overlap"]:
                reopen_for_overlap(conn, access.id, changes["overlap"])
            audit.record(conn, user_id=actor.id, project_id=access.id, action="project.update",
                         target=access.name, details=changes)
        row = projects.project_row(conn, project_id=access.id)
    assert row is not None
    return public(row, access.role)


def change_schema(ctx: Context, actor: Actor, ref: int | str, schema: Any, *, allow_breaking: bool = False
                  ) -> dict[str, Any]:
    """Store a new schema version. Existing annotations keep the version they were made with.

    A change that removes labels or options which stored annotations use is refused with the list
    of what it would break, unless ``allow_breaking``.
    """
    new = parse_schema(schema)
    with ctx.db.write() as conn:
        access = open_project(ctx, conn, actor, ref, Action.manage)
        diff = new.diff(access.schema)
        in_use = _breaking_in_use(conn, access, diff) if diff.breaking else {}
        if in_use and not allow_breaking:
            raise Conflict(
                "this schema change would invalidate existing annotations; pass allow_breaking to keep them "
                "under their old schema version",
                errors=[{"loc": [label, option] if option else [label], "msg": reason, "value": count}
                        for (label, option, reason), count in in_use.items()],
            )
        if new.model_dump(mode="json") == access.schema.model_dump(mode="json"):
            return public({**access.project, "schema": access.schema.model_dump(mode="json")}, access.role)
        version = access.project["schema_version"] + 1
        projects.insert_schema_version(conn, project_id=access.id, version=version,
                                       schema=new.model_dump(mode="json"), created_by=actor.id)
        projects.update_project(conn, access.id, schema_version=version)
        audit.record(conn, user_id=actor.id, project_id=access.id, action="project.schema", target=access.name,
                     details={"version": version, "breaking": [list(b) for b in diff.breaking]})
        row = projects.project_row(conn, project_id=access.id)
    assert row is not None
    return public(row, access.role)


def _breaking_in_use(conn: Any, access: Any, diff: Any) -> dict[tuple[str, str | None, str], int]:
    """How many stored results use each label or option the change breaks."""
    from sqlalchemy import select

    from labelwise.store.tables import annotations

    broken = {(label, option): (label, option, reason) for label, option, reason in diff.breaking}
    counts: dict[tuple[str, str | None, str], int] = {}
    q = select(annotations.c.result).where(annotations.c.project_id == access.id,
                                           annotations.c.status == "submitted")
    for (result,) in conn.execute(q):
        hits = set()  # each stored result counts once per change it breaks
        for label, option in access.schema.options_used(result or {}):
            hit = broken.get((label, option)) or broken.get((label, None))
            if hit:
                hits.add(hit)
        for hit in hits:
            counts[hit] = counts.get(hit, 0) + 1
    return counts


def schema_history(ctx: Context, actor: Actor, ref: int | str) -> list[dict[str, Any]]:
    with ctx.db.read() as conn:
        access = open_project(ctx, conn, actor, ref, Action.view)
        return projects.schema_history(conn, access.id)


def delete_project(ctx: Context, actor: Actor, ref: int | str) -> None:
    require_admin(actor)
    with ctx.db.write() as conn:
        project = find_project(conn, ref)
        if project is None:
            raise NotFound(f"project {ref!r} not found")
        projects.delete_project(conn, project["id"])
        audit.record(conn, user_id=actor.id, action="project.delete", target=project["name"])


def add_member(ctx: Context, actor: Actor, ref: int | str, *, email: str, role: str) -> dict[str, Any]:
    if role not in set(Role):
        raise Invalid(f"role must be one of {', '.join(Role)}, not {role!r}")
    with ctx.db.write() as conn:
        access = open_project(ctx, conn, actor, ref, Action.manage)
        user = users.user_by_email(conn, email.strip())
        if user is None:
            raise NotFound(f"no user {email!r}: create the user first")
        projects.set_member(conn, access.id, user["id"], role)
        audit.record(conn, user_id=actor.id, project_id=access.id, action="member.set", target=user["email"],
                     details={"role": role})
    return {"user_id": user["id"], "email": user["email"], "name": user["name"], "role": role}


def remove_member(ctx: Context, actor: Actor, ref: int | str, *, email: str) -> None:
    with ctx.db.write() as conn:
        access = open_project(ctx, conn, actor, ref, Action.manage)
        user = users.user_by_email(conn, email.strip())
        if user is None or projects.role_of(conn, access.id, user["id"]) is None:
            raise NotFound(f"{email!r} is not a member of {access.name!r}")
        if projects.role_of(conn, access.id, user["id"]) == Role.manager and \
                projects.count_managers(conn, access.id) == 1:
            raise Conflict("cannot remove the last manager of a project")
        projects.remove_member(conn, access.id, user["id"])
        annotation_rows.release_leases(conn, access.id, user["id"])
        audit.record(conn, user_id=actor.id, project_id=access.id, action="member.remove", target=user["email"])


def list_members(ctx: Context, actor: Actor, ref: int | str) -> list[dict[str, Any]]:
    with ctx.db.read() as conn:
        access = open_project(ctx, conn, actor, ref, Action.view)
        return projects.list_members(conn, access.id)
