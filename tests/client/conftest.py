"""The SDK against the real app served by uvicorn on a free port, over real HTTP."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from labelwise.client import Client
from tests.live_server import ThreadedServer


@pytest.fixture
def live(world) -> Iterator[ThreadedServer]:  # type: ignore[no-untyped-def]
    with ThreadedServer(world.ctx) as server:
        yield server


@pytest.fixture
def client_for(live, world):  # type: ignore[no-untyped-def]
    """``client_for("annotator")``: an SDK client holding that world member's token."""
    made: list[Client] = []

    def make(role: str) -> Client:
        client = Client(live.url, world.member(role).token)
        made.append(client)
        return client

    yield make
    for client in made:
        client.close()


@pytest.fixture
def admin(client_for) -> Client:  # type: ignore[no-untyped-def]
    return client_for("admin")  # type: ignore[no-any-return]
