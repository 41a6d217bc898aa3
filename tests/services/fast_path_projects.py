"""A project for the tests of the export fast paths (COCO, CoNLL) on a real database: items imported with
their annotations by several annotators, one accepted and one corrected by a reviewer, and stored results
that the app would not write itself (other JSON styles, null)."""

from __future__ import annotations

import io
from typing import Any

import orjson
from sqlalchemy import Connection, text

from labelwise.domain.permissions import Action
from labelwise.services import exports, imports, projects, review
from labelwise.services.access import ProjectAccess, open_project
from labelwise.store.items import ItemFilter


def set_stored(conn: Connection, table: str, column: str, where: str, row_id: int, stored: str) -> None:
    """Store ``stored`` as the JSON text of ``table.column`` where ``where`` is ``row_id``, as it is."""
    value = "CAST(:t AS JSON)" if conn.dialect.name == "postgresql" else ":t"
    conn.execute(text(f"UPDATE {table} SET {column} = {value} WHERE {where} = :id"), {"t": stored, "id": row_id})


def set_result(conn: Connection, annotation_id: int, stored: str) -> None:
    """Store ``stored`` as the annotation's result text, as it is (not as the app would write it)."""
    set_stored(conn, "annotations", "result", "id", annotation_id, stored)


def reviewed_project(world: Any, name: str, schema: dict[str, Any], rows: list[dict[str, Any]],
                     correction: dict[str, Any]) -> tuple[ProjectAccess, dict[str, dict[str, Any]]]:
    """Project ``name`` with every role of ``world`` and ``rows`` imported with their annotations; the first
    annotation of item ``accepted`` accepted and the second of item ``corrected`` corrected to
    ``correction``. Its access and its records by key (before the reviews)."""
    ctx, admin, manager = world.ctx, world.admin.actor, world.manager.actor
    projects.create_project(ctx, admin, name=name, schema=schema)
    for role in ("manager", "reviewer", "annotator", "annotator2"):
        projects.add_member(ctx, admin, name, email=world.member(role).actor.email,
                            role="annotator" if role.startswith("annotator") else role)
    body = b"\n".join(orjson.dumps(row) for row in rows)
    imports.import_stream(ctx, manager, name, io.BytesIO(body), "jsonl", labels="annotations")
    with ctx.db.read() as conn:
        access = open_project(ctx, conn, manager, name, Action.manage)
    records = {r["key"]: r for page in exports.iter_records(ctx, access, ItemFilter()) for r in page}
    review.review(ctx, world.reviewer.actor, name, records["accepted"]["annotations"][0]["id"], "accept")
    review.review(ctx, world.reviewer.actor, name, records["corrected"]["annotations"][1]["id"], "correct",
                  result=correction)
    return access, records
