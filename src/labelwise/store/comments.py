"""Comments on items."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, insert, select

from labelwise.store.clock import now
from labelwise.store.tables import comments, users


def add(conn: Connection, *, project_id: int, item_id: int, user_id: int, body: str) -> dict[str, Any]:
    at = now()
    new_id = conn.execute(insert(comments).values(project_id=project_id, item_id=item_id, user_id=user_id,
                                                  body=body, created_at=at).returning(comments.c.id)).scalar_one()
    return {"id": new_id, "item_id": item_id, "body": body, "created_at": at}


def for_item(conn: Connection, item_id: int, *, limit: int = 500) -> list[dict[str, Any]]:
    q = (
        select(comments.c.id, comments.c.item_id, comments.c.body, comments.c.created_at,
               users.c.email.label("author"))
        .outerjoin(users, users.c.id == comments.c.user_id)
        .where(comments.c.item_id == item_id)
        .order_by(comments.c.id)
        .limit(limit)
    )
    return [dict(r) for r in conn.execute(q).mappings()]
