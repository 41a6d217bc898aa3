"""A real S3 endpoint for the media tests: moto's standalone server, in its own process on a free port.

``s3_endpoint`` (session) starts it; ``s3_media_url`` gives each test a bucket of its own and dummy
credentials through the environment, the way a deployment passes them to boto3. tests/conftest.py loads
this module as a plugin, so every test can ask for both.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

REGION = "us-east-1"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    server = subprocess.Popen([sys.executable, "-c", "from moto.server import main; main()", "-H", "127.0.0.1",
                               "-p", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while True:  # wait until it answers (not a timing assertion: a start-up wait)
            try:
                httpx.get(f"{url}/moto-api/", timeout=2)
                break
            except httpx.TransportError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("moto_server did not start") from None
                time.sleep(0.1)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=30)


@pytest.fixture
def s3_media_url(s3_endpoint: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> str:
    """``s3://<a new bucket>/media``; boto3 finds dummy credentials in the environment."""
    import boto3

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "labelwise-test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "labelwise-test-secret")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.delenv("AWS_SESSION_TOKEN", raising=False)
    bucket = f"lw-{uuid.uuid4().hex[:16]}"
    boto3.session.Session().client("s3", endpoint_url=s3_endpoint, region_name=REGION).create_bucket(Bucket=bucket)
    return f"s3://{bucket}/media"


def bucket_names(s3_endpoint: str, media_url: str) -> list[str]:
    """Every object name under the media URL's prefix, sorted (``ab/<sha>.png``, ``derived/...``)."""
    import boto3

    bucket, prefix = media_url.removeprefix("s3://").split("/", 1)
    client = boto3.session.Session().client("s3", endpoint_url=s3_endpoint, region_name=REGION)
    pages = client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=f"{prefix}/")
    return sorted(o["Key"].removeprefix(f"{prefix}/") for page in pages for o in page.get("Contents", []))
