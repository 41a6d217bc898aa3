"""Log in and out, who am I, users and API tokens."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool

from labelwise.api.deps import SESSION_COOKIE, ActorDep, CtxDep, RowId
from labelwise.api.responses import JSON
from labelwise.api.schemas import LoginBody, TokenCreate, UserCreate
from labelwise.services import auth

router = APIRouter(tags=["auth"])


@router.post("/auth/login")
async def login(body: LoginBody, ctx: CtxDep) -> JSON:
    token, csrf, actor = await run_in_threadpool(auth.login, ctx, email=body.email, password=body.password)
    response = JSON({"user": {"id": actor.id, "email": actor.email, "is_admin": actor.is_admin},
                     "csrf_token": csrf})
    response.set_cookie(SESSION_COOKIE, token, httponly=True, samesite="lax", secure=ctx.settings.secure_cookies,
                        max_age=ctx.settings.session_days * 86400, path="/")
    return response


@router.post("/auth/logout")
def logout(request: Request, actor: ActorDep, ctx: CtxDep) -> JSON:
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        auth.logout(ctx, token)
    response = JSON({"ok": True})
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/me")
def me(actor: ActorDep, ctx: CtxDep) -> JSON:
    return JSON(auth.me(ctx, actor))


@router.get("/users")
def list_users(actor: ActorDep, ctx: CtxDep) -> JSON:
    return JSON(auth.list_users(ctx, actor))


@router.post("/users", status_code=201)
def create_user(body: UserCreate, actor: ActorDep, ctx: CtxDep) -> JSON:
    user = auth.create_user(ctx, actor, email=body.email, password=body.password, name=body.name,
                            is_admin=body.is_admin)
    return JSON(user, status_code=201)


@router.delete("/users/{email}")
def deactivate_user(email: str, actor: ActorDep, ctx: CtxDep) -> JSON:
    auth.deactivate_user(ctx, actor, email=email)
    return JSON({"ok": True})


@router.get("/tokens")
def list_tokens(actor: ActorDep, ctx: CtxDep) -> JSON:
    return JSON(auth.list_tokens(ctx, actor))


@router.post("/tokens", status_code=201)
def create_token(body: TokenCreate, actor: ActorDep, ctx: CtxDep) -> JSON:
    token = auth.create_token(ctx, actor, email=body.email or actor.email, name=body.name)
    return JSON({"token": token, "name": body.name}, status_code=201)


@router.delete("/tokens/{token_id}")
def revoke_token(token_id: RowId, actor: ActorDep, ctx: CtxDep) -> JSON:
    auth.revoke_token(ctx, actor, token_id)
    return JSON({"ok": True})
