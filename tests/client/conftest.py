"""The SDK against the real app served by uvicorn on a free port, over real HTTP."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import pytest
import uvicorn

from labelwise.api.app import create_app
from labelwise.client import Client


class LiveServer:
    """``create_app(ctx=ctx)`` served by uvicorn in a thread, on a socket bound to a free port."""

    def __init__(self, ctx: object) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        config = uvicorn.Config(create_app(ctx=ctx), lifespan="off", ws="none", log_level="warning",
                                access_log=False)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the test server did not start")
            time.sleep(0.01)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(10)
        self.sock.close()


@pytest.fixture
def live(world) -> Iterator[LiveServer]:  # type: ignore[no-untyped-def]
    with LiveServer(world.ctx) as server:
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
