"""Fixtures for the API tests: cheap password hashing, a guard against server errors."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from argon2 import PasswordHasher
from tests.api.helpers import World, no_server_error

from labelwise.services import auth


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


