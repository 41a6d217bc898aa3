"""Shared fixtures: a real database per test (SQLite by default, PostgreSQL with LABELWISE_TEST_DB),
the real app in-process, and users of every role.

SQLite: the schema is migrated once into a template file, copied for each test.
PostgreSQL: one migrated database per test session, every table truncated after each test.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from starlette.testclient import TestClient

from labelwise.api.app import create_app
from labelwise.config import Settings
from labelwise.domain.permissions import Actor
from labelwise.services import auth, projects
from labelwise.services.context import Context
from labelwise.store.migrate import upgrade
from labelwise.store.tables import metadata

pytest_plugins = ["tests.s3_server"]  # s3_endpoint, s3_media_url: moto's S3 server for the media store tests
PG_URL = os.environ.get("LABELWISE_TEST_DB")
SHARED = Path(__file__).resolve().parents[1].parent / "shared"

SCHEMA = {
    "fields": {"text": "text"},
    "labels": [
        {"name": "sentiment", "kind": "choice", "options": ["positive", "negative", "neutral"], "required": True},
        {"name": "entities", "kind": "spans", "field": "text", "options": ["PER", "ORG", "LOC"]},
    ],
}


def pytest_report_header() -> str:
    return f"labelwise test database: {'PostgreSQL ' + PG_URL if PG_URL else 'SQLite (a file per test)'}"


@pytest.fixture(scope="session")
def _database_template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if PG_URL:
        admin_url = Settings(db=PG_URL).database_url
        name = f"labelwise_test_{os.getpid()}"
        admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        url = admin_url.rsplit("/", 1)[0] + "/" + name
        engine = create_engine(url)
        upgrade(engine)
        engine.dispose()
        yield url
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
    else:
        path = tmp_path_factory.mktemp("template") / "labelwise.db"
        engine = create_engine(f"sqlite:///{path}")
        upgrade(engine)
        engine.dispose()
        yield str(path)


@pytest.fixture
def settings(tmp_path: Path, _database_template: str) -> Settings:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    if PG_URL:
        return Settings(data_dir=data_dir, db=_database_template)
    shutil.copy(_database_template, data_dir / "labelwise.db")
    return Settings(data_dir=data_dir)


@pytest.fixture
def ctx(settings: Settings) -> Iterator[Context]:
    from labelwise.services.auth import _token_cache

    context = Context.from_settings(settings)
    yield context
    _token_cache.clear()
    if PG_URL:
        names = ", ".join(f'"{t.name}"' for t in metadata.sorted_tables)
        with context.db.engine.begin() as conn:
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    context.close()


@pytest.fixture
def app(ctx: Context):  # type: ignore[no-untyped-def]
    return create_app(ctx=ctx)


@dataclass
class Member:
    actor: Actor
    token: str
    client: TestClient


@dataclass
class World:
    """A project ``demo`` with one user per role, an admin and an outsider (member of another project)."""

    ctx: Context
    app: object
    project: dict
    admin: Member
    manager: Member
    reviewer: Member
    annotator: Member
    annotator2: Member
    outsider: Member

    def member(self, role: str) -> Member:
        return getattr(self, role)  # type: ignore[no-any-return]

    def anonymous(self) -> TestClient:
        return TestClient(self.app)


def _member(ctx: Context, app: object, email: str, *, is_admin: bool = False) -> Member:
    user = auth.create_user(ctx, None, email=email, password="correct horse", is_admin=is_admin)
    token = auth.create_token(ctx, None, email=email)
    client = TestClient(app, headers={"Authorization": f"Bearer {token}"})
    return Member(Actor(id=user["id"], email=email, is_admin=is_admin), token, client)


@pytest.fixture
def world(ctx: Context, app: object) -> World:
    admin = _member(ctx, app, "admin@example.org", is_admin=True)
    project = projects.create_project(ctx, admin.actor, name="demo", schema=SCHEMA)
    people = {role: _member(ctx, app, f"{role}@example.org")
              for role in ("manager", "reviewer", "annotator", "annotator2", "outsider")}
    for role in ("manager", "reviewer", "annotator", "annotator2"):
        projects.add_member(ctx, admin.actor, "demo", email=people[role].actor.email,
                            role="annotator" if role == "annotator2" else role)
    projects.create_project(ctx, admin.actor, name="other", schema=SCHEMA)
    projects.add_member(ctx, admin.actor, "other", email=people["outsider"].actor.email, role="manager")
    return World(ctx=ctx, app=app, project=project, admin=admin, **people)


def unique(prefix: str = "x") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"
