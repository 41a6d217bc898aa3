"""The append-only audit log."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, bindparam, insert, select

from labelwise.store.clock import now
from labelwise.store.prepared import Prepared
from labelwise.store.tables import audit_log, users

# a Prepared statement (store/prepared.py): every submission of the annotation queue writes one
_INSERT = Prepared(insert(audit_log).values(
    project_id=bindparam("project_id"), user_id=bindparam("user_id"), action=bindparam("action"),
    target=bindparam("target"), details=bindparam("details"), at=bindparam("at")))


def record(conn: Connection, *, user_id: int | None, action: str, project_id: int | None = None,
           target: str = "", details: dict[str, Any] | None = None) -> None:
    _INSERT.run(conn, {"project_id": project_id, "user_id": user_id, "action": action, "target": target,
                           "details": details, "at": now()})


def entries(conn: Connection, *, project_id: int | None, after: int = 0, limit: int = 100,
            action: str | None = None) -> list[dict[str, Any]]:
    q = (
        select(audit_log.c.id, audit_log.c.at, audit_log.c.action, audit_log.c.target, audit_log.c.details,
               audit_log.c.project_id, users.c.email.label("user"))
        .outerjoin(users, users.c.id == audit_log.c.user_id)
        .where(audit_log.c.id > after)
        .order_by(audit_log.c.id)
        .limit(limit)
    )
    if project_id is not None:
        q = q.where(audit_log.c.project_id == project_id)
    if action:
        q = q.where(audit_log.c.action == action)
    return [dict(r) for r in conn.execute(q).mappings()]
