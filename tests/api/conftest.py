"""Fixtures for the API tests: cheap password hashing, a guard against server errors."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from argon2 import PasswordHasher
from sqlalchemy import event, text

from labelwise.config import Settings
from labelwise.services import auth
from labelwise.services.context import Context
from labelwise.store.tables import metadata
from tests.api.helpers import World, no_server_error


@pytest.fixture(autouse=True)
def _cheap_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Argon2id with the smallest cost: the same algorithm and encoding, 100x faster to set up users."""
    monkeypatch.setattr(auth, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


@pytest.fixture
def no_500(world: World) -> Iterator[None]:
    """Every response any client of ``world`` receives is checked: never a 5xx."""
    roles = ("admin", "manager", "reviewer", "annotator", "annotator2", "outsider")
    clients = [world.member(r).client for r in roles]
    for c in clients:
        c.event_hooks["response"].append(no_server_error)
    yield
    for c in clients:
        c.event_hooks["response"].remove(no_server_error)


@pytest.fixture
def ctx(settings: Settings) -> Iterator[Context]:
    """As tests/conftest.py's ``ctx``, cheaper on PostgreSQL: commits skip the WAL flush (a test database
    need not survive a crash) and the tables are emptied with DELETE, which on tables this small is
    many times faster than TRUNCATE. Ids are not reset; no test here relies on their values."""
    context = Context.from_settings(settings)
    pg = not settings.is_sqlite
    if pg:
        @event.listens_for(context.db.engine, "connect")
        def _fast_commits(dbapi_conn: object, _record: object) -> None:
            with dbapi_conn.cursor() as cur:  # type: ignore[attr-defined]
                cur.execute("SET synchronous_commit TO OFF")
            dbapi_conn.commit()  # type: ignore[attr-defined]

    yield context
    auth._token_cache.clear()
    if pg:
        with context.db.engine.begin() as conn:
            for table in reversed(metadata.sorted_tables):
                conn.execute(text(f'DELETE FROM "{table.name}"'))
    context.close()
