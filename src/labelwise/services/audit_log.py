"""Reading the audit log: managers see their project's entries, admins see everything."""

from __future__ import annotations

from typing import Any

from labelwise.domain.permissions import Action, Actor, require_admin
from labelwise.services.access import open_project
from labelwise.services.context import Context
from labelwise.store import audit
from labelwise.store.clock import aware


def _public(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{**r, "at": aware(r["at"])} for r in rows]


def project_log(ctx: Context, actor: Actor, ref: int | str, *, after: int = 0, limit: int = 100,
                action: str | None = None) -> list[dict[str, Any]]:
    with ctx.db.read() as conn:
        access = open_project(ctx, conn, actor, ref, Action.manage)
        return _public(audit.entries(conn, project_id=access.id, after=after, limit=min(max(limit, 1), 1000),
                                     action=action))


def instance_log(ctx: Context, actor: Actor, *, after: int = 0, limit: int = 100,
                 action: str | None = None) -> list[dict[str, Any]]:
    require_admin(actor)
    with ctx.db.read() as conn:
        return _public(audit.entries(conn, project_id=None, after=after, limit=min(max(limit, 1), 1000),
                                     action=action))
