"""The benchmark's people: an admin with an API token, its projects, and annotators with tokens.

Shared by bench_core.py and the A/B scripts; it uses only service functions every revision has, so an A/B
child running an older tree's code (whose bench/ lacks this module) imports it from here."""

from __future__ import annotations

from typing import Any


def people(ctx: Any, schema: dict[str, Any], project_names: tuple[str, ...], *, annotate: str | None = None,
           annotators: int = 32) -> tuple[Any, str, list[str]]:
    """(the admin as an Actor, the admin's token, the annotators' tokens); the annotators join ``annotate``."""
    from labelwise.domain.permissions import Actor
    from labelwise.services import auth, projects

    admin = auth.create_user(ctx, None, email="admin@bench", password="benchmark!", is_admin=True)
    token = auth.create_token(ctx, None, email="admin@bench")
    actor = Actor(id=admin["id"], email="admin@bench", is_admin=True)
    for name in project_names:
        projects.create_project(ctx, actor, name=name, schema=schema)
    tokens = []
    for i in range(annotators if annotate else 0):
        email = f"a{i}@bench"
        auth.create_user(ctx, None, email=email, password="benchmark!")
        projects.add_member(ctx, actor, annotate, email=email, role="annotator")
        tokens.append(auth.create_token(ctx, None, email=email))
    return actor, token, tokens
