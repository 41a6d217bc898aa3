"""moto's standalone S3 server in its own process on a free port, for the benchmarks that use a bucket."""

from __future__ import annotations

import socket
import subprocess
import sys
import time

import httpx


def start_moto() -> tuple[subprocess.Popen[bytes], str]:
    """Start the server and wait until it answers; returns the process and its endpoint URL."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-c", "from moto.server import main; main()", "-H", "127.0.0.1", "-p",
                             str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(600):
        try:
            httpx.get(f"{url}/moto-api/", timeout=2)
            return proc, url
        except httpx.TransportError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("moto_server did not start")
