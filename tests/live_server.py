"""Real labelwise servers for tests: in a subprocess (browser and fault tests: it can be killed), or in a
thread sharing the test's context (SDK and CLI tests: fast, same database transaction rules)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import uvicorn
from sqlalchemy import create_engine, text

from labelwise.config import Settings

SRC = Path(__file__).resolve().parents[1] / "src"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def postgres_database(name: str, *, drop: bool = False) -> str:
    """Create (or drop) a database beside LABELWISE_TEST_DB; returns its URL."""
    admin_url = Settings(db=os.environ["LABELWISE_TEST_DB"]).database_url
    engine = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        if not drop:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return admin_url.rsplit("/", 1)[0] + "/" + name


class LiveServer:
    """``python -m uvicorn labelwise.api.app:app_from_env`` on a data folder; start, kill, restart."""

    def __init__(self, settings: Settings, *, workers: int = 1) -> None:
        self.settings = settings
        self.workers = workers
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen[bytes] | None = None
        self.log_path = settings.data_dir / "server.log"

    def start(self, timeout: float = 30.0) -> str:
        self.settings.data_dir.mkdir(parents=True, exist_ok=True)
        env = {**os.environ, "LABELWISE_DATA_DIR": str(self.settings.data_dir)}
        if self.settings.db:
            env["LABELWISE_DB"] = self.settings.db
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(SRC), env.get("PYTHONPATH", "")) if p)
        with self.log_path.open("ab") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "uvicorn", "labelwise.api.app:app_from_env", "--factory", "--host",
                 "127.0.0.1", "--port", str(self.port), "--log-level", "warning", "--workers", str(self.workers)],
                env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            )
        deadline = time.monotonic() + timeout
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the server exited: {self.log_path.read_text()[-2000:]}")
            try:
                if httpx.get(self.url + "/api/v1/health", timeout=1).status_code == 200:
                    return self.url
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"the server did not answer /api/v1/health within {timeout:.0f} s")
            time.sleep(0.1)

    def kill(self) -> None:
        """SIGKILL the server and every worker: no shutdown code runs."""
        if self.proc is not None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
            self.proc = None

    def stop(self) -> None:
        if self.proc is None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:  # pragma: no cover
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        self.proc = None


class ThreadedServer:
    """``create_app(ctx=ctx)`` served by uvicorn in a thread, on a socket bound to a free port."""

    def __init__(self, ctx: object) -> None:
        from labelwise.api.app import create_app

        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        config = uvicorn.Config(create_app(ctx=ctx), lifespan="off", ws="none", log_level="warning",  # type: ignore[arg-type]
                                access_log=False)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True)

    def __enter__(self) -> ThreadedServer:
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
