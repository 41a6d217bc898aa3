"""Projects, their schema versions and members."""

from __future__ import annotations

from fastapi import APIRouter

from labelwise.api.deps import ActorDep, CtxDep, Cursor
from labelwise.api.responses import JSON
from labelwise.api.schemas import MemberSet, ProjectCreate, ProjectUpdate, SchemaUpdate
from labelwise.services import audit_log, projects

router = APIRouter(tags=["projects"])


@router.get("/projects")
def list_projects(actor: ActorDep, ctx: CtxDep) -> JSON:
    return JSON(projects.list_projects(ctx, actor))


@router.post("/projects", status_code=201)
def create_project(body: ProjectCreate, actor: ActorDep, ctx: CtxDep) -> JSON:
    settings = body.model_dump(exclude={"name", "label_schema"})
    return JSON(projects.create_project(ctx, actor, name=body.name, schema=body.label_schema, **settings),
                status_code=201)


@router.get("/projects/{ref}")
def get_project(ref: str, actor: ActorDep, ctx: CtxDep) -> JSON:
    return JSON(projects.get_project(ctx, actor, ref))


@router.patch("/projects/{ref}")
def update_project(ref: str, body: ProjectUpdate, actor: ActorDep, ctx: CtxDep) -> JSON:
    return JSON(projects.update_project(ctx, actor, ref, **body.model_dump(exclude_unset=True)))


@router.delete("/projects/{ref}")
def delete_project(ref: str, actor: ActorDep, ctx: CtxDep) -> JSON:
    projects.delete_project(ctx, actor, ref)
    return JSON({"ok": True})


@router.put("/projects/{ref}/schema")
def change_schema(ref: str, body: SchemaUpdate, actor: ActorDep, ctx: CtxDep) -> JSON:
    return JSON(projects.change_schema(ctx, actor, ref, body.label_schema, allow_breaking=body.allow_breaking))


@router.get("/projects/{ref}/schema/versions")
def schema_versions(ref: str, actor: ActorDep, ctx: CtxDep) -> JSON:
    return JSON(projects.schema_history(ctx, actor, ref))


@router.get("/projects/{ref}/members")
def list_members(ref: str, actor: ActorDep, ctx: CtxDep) -> JSON:
    return JSON(projects.list_members(ctx, actor, ref))


@router.post("/projects/{ref}/members", status_code=201)
def set_member(ref: str, body: MemberSet, actor: ActorDep, ctx: CtxDep) -> JSON:
    return JSON(projects.add_member(ctx, actor, ref, email=body.email, role=body.role), status_code=201)


@router.delete("/projects/{ref}/members/{email}")
def remove_member(ref: str, email: str, actor: ActorDep, ctx: CtxDep) -> JSON:
    projects.remove_member(ctx, actor, ref, email=email)
    return JSON({"ok": True})


@router.get("/projects/{ref}/audit")
def project_audit(ref: str, actor: ActorDep, ctx: CtxDep, after: Cursor = 0, limit: int = 100,
                  action: str | None = None) -> JSON:
    return JSON(audit_log.project_log(ctx, actor, ref, after=after, limit=limit, action=action))


@router.get("/audit")
def instance_audit(actor: ActorDep, ctx: CtxDep, after: Cursor = 0, limit: int = 100,
                   action: str | None = None) -> JSON:
    return JSON(audit_log.instance_log(ctx, actor, after=after, limit=limit, action=action))
