"""Helpers for benchmarks: start a real server, measure its memory, generate load."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start(app: str, *, env: dict[str, str], workers: int = 1, factory: bool = True) -> tuple[subprocess.Popen, str]:
    port = free_port()
    cmd = [sys.executable, "-m", "uvicorn", app, "--host", "127.0.0.1", "--port", str(port), "--log-level",
           "warning", "--no-access-log", "--workers", str(workers)]
    if factory:
        cmd.append("--factory")
    return _started(cmd, env, port, app)


def start_serve(args: list[str], *, env: dict[str, str] | None = None) -> tuple[subprocess.Popen, str]:
    """``labelwise serve`` itself, as a user starts it (its job thread included unless ``env`` says 0)."""
    port = free_port()
    cmd = [sys.executable, "-m", "labelwise", "serve", *args, "--host", "127.0.0.1", "--port", str(port)]
    return _started(cmd, {"LABELWISE_JOB_WORKERS": "1", **(env or {})}, port, "labelwise serve",
                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _started(cmd: list[str], env: dict[str, str], port: int, app: str, **popen: Any) -> tuple[subprocess.Popen, str]:
    full_env = {**os.environ, "PYTHONPATH": str(ROOT / "src") + os.pathsep + str(ROOT / "bench"), **env}
    proc = subprocess.Popen(cmd, env=full_env, **popen)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(url + "/health" if "ceiling" in app else url + "/api/v1/health", timeout=1).status_code == 200:
                return proc, url
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    proc.kill()
    raise RuntimeError(f"{app} did not start")


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def _children(pid: int) -> list[int]:
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                out.append(int(entry.name))
    return out


def tree_rss_mb(pid: int) -> float:
    """Resident memory of a process and all its descendants, in MB."""
    total, stack = 0, [pid]
    while stack:
        p = stack.pop()
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            continue
        stack.extend(_children(p))
    return total / 1024
