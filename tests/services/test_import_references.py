"""An import checks once a batch what its rows reference: that its project, its import and its user are still
there and the import is still running. A plain batch (items, payloads, predictions) is then written without
SQLite's per-row foreign key checks; a batch with annotations, gold answers or media keeps them. Whatever
went away mid-import, the import fails with a clear error and leaves nothing behind."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Connection, delete, event, func, select, text, update

from labelwise.errors import Conflict, NotFound
from labelwise.services import imports, projects
from labelwise.store.tables import audit_log, item_payloads, items, users
from labelwise.store.tables import imports as import_rows
from tests.conftest import World
from tests.services.import_streams import PausingFile, jsonl_lines


@pytest.fixture
def small_batches(world: World) -> World:
    world.ctx.settings = world.ctx.settings.model_copy(update={"import_batch_size": 2})
    return world


def _import(world: World, lines: Any, **kwargs: Any) -> imports.ImportReport:
    return imports.import_stream(world.ctx, world.manager.actor, "demo", lines, "jsonl", **kwargs)


def _foreign_key_checks_per_transaction(world: World) -> list[int]:
    """SQLite's foreign_keys setting at the start of each transaction from now on."""
    seen: list[int] = []

    def on_begin(conn: Connection) -> None:
        seen.append(conn.connection.dbapi_connection.execute("PRAGMA foreign_keys").fetchone()[0])

    event.listen(world.ctx.db.engine, "begin", on_begin)
    return seen


def _no_dangling_references(world: World) -> None:
    if world.ctx.db.is_sqlite:
        with world.ctx.db.read() as conn:
            assert conn.execute(text("PRAGMA foreign_key_check")).all() == []


def test_plain_batches_are_written_without_per_row_checks(small_batches: World) -> None:
    world = small_batches
    if not world.ctx.db.is_sqlite:
        pytest.skip("SQLite's foreign_keys pragma")
    seen = _foreign_key_checks_per_transaction(world)
    report = _import(world, iter(jsonl_lines(5, predicted=True)))
    assert report.created == 5
    # the import's row, two staged batches, the last batch with the publishing (then the index's catch-up)
    assert seen[:4] == [1, 0, 0, 0]
    with world.ctx.db.read() as conn:
        assert conn.execute(select(func.count()).select_from(item_payloads)).scalar_one() == 5
        assert conn.execute(text("SELECT count(*) FROM predictions")).scalar_one() == 5
    _no_dangling_references(world)


def test_batches_with_annotations_keep_the_checks(small_batches: World) -> None:
    world = small_batches
    if not world.ctx.db.is_sqlite:
        pytest.skip("SQLite's foreign_keys pragma")
    seen = _foreign_key_checks_per_transaction(world)
    report = _import(world, iter(jsonl_lines(5, annotated_by=world.annotator.actor.email)), labels="annotations")
    assert (report.created, report.annotations) == (5, 5)
    assert seen and set(seen) == {1}
    _no_dangling_references(world)


def _nothing_left(world: World, project_id: int) -> None:
    with world.ctx.db.read() as conn:
        assert conn.execute(select(func.count()).select_from(items)
                            .where(items.c.project_id == project_id)).scalar_one() == 0
        assert conn.execute(select(func.count()).select_from(item_payloads)).scalar_one() == 0
    _no_dangling_references(world)


def test_a_project_deleted_mid_import_fails_it_cleanly(small_batches: World) -> None:
    world = small_batches
    project_id = world.project["id"]

    def delete_project() -> None:
        projects.delete_project(world.ctx, world.admin.actor, "demo")

    with pytest.raises(NotFound, match="the project was deleted while this import ran"):
        _import(world, PausingFile(jsonl_lines(7), 4, delete_project))
    _nothing_left(world, project_id)


def test_an_import_given_up_mid_way_fails_cleanly(small_batches: World) -> None:
    """Another process took this import for dead (``recover_stale_imports``) and removed its batches."""
    world = small_batches

    def give_up() -> None:
        assert imports.recover_stale_imports(world.ctx, silent_seconds=-1) == 1

    with pytest.raises(Conflict, match="this import was given up while it ran"):
        _import(world, PausingFile(jsonl_lines(7), 4, give_up))
    _nothing_left(world, world.project["id"])
    with world.ctx.db.read() as conn:
        assert conn.execute(select(import_rows.c.status)).scalars().all() == ["failed"]


def test_an_importer_deleted_mid_import_fails_it_cleanly(small_batches: World) -> None:
    world = small_batches
    user_id = world.manager.actor.id

    def delete_user() -> None:  # nothing in labelwise deletes users (they are deactivated); a database admin might
        with world.ctx.db.write() as conn:
            conn.execute(delete(users).where(users.c.id == user_id))

    with pytest.raises(NotFound, match="the importing user was deleted while this import ran"):
        _import(world, PausingFile(jsonl_lines(7), 4, delete_user))
    _nothing_left(world, world.project["id"])
    with world.ctx.db.read() as conn:
        assert conn.execute(select(func.count()).select_from(audit_log)
                            .where(audit_log.c.action.like("import%"))).scalar_one() == 0


def test_the_last_batch_checks_too(world: World) -> None:
    """An import of one batch, given up between reading its rows and writing them."""
    project_id = world.project["id"]

    def rows() -> Iterator[bytes]:
        yield from jsonl_lines(3)
        with world.ctx.db.write() as conn:  # as a deletion racing the import's transaction would
            conn.execute(update(import_rows).values(status="failed"))

    with pytest.raises(Conflict, match="given up"):
        _import(world, rows())
    _nothing_left(world, project_id)
