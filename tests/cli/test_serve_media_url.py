"""``labelwise serve --media-url s3://bucket/prefix``: the served app keeps media in the bucket, worker
processes get the URL through LABELWISE_MEDIA_URL, and anything but an s3:// URL is refused."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import uvicorn
from typer.testing import CliRunner

from labelwise.cli import app


@pytest.fixture
def no_server(monkeypatch: pytest.MonkeyPatch, s3_endpoint: str) -> list[tuple[object, dict[str, object]]]:
    calls: list[tuple[object, dict[str, object]]] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: calls.append((app, kw)))
    for name in ("LABELWISE_DATA_DIR", "LABELWISE_DB", "LABELWISE_MEDIA_URL"):
        monkeypatch.setenv(name, "unset")  # restored after the test, whatever serve sets
        monkeypatch.delenv(name)
    monkeypatch.setenv("LABELWISE_S3_ENDPOINT_URL", s3_endpoint)
    return calls


def test_serve_with_media_in_a_bucket(tmp_path: Path, no_server: list, s3_media_url: str) -> None:
    folder = tmp_path / "served"
    result = CliRunner().invoke(app, ["serve", "--data-dir", str(folder), "--media-url", s3_media_url])
    assert result.exit_code == 0, result.output
    assert f"media: {s3_media_url}" in result.stdout
    served = no_server[0][0]
    store = served.state.ctx.media  # type: ignore[attr-defined]
    assert store.remote and store.root == folder / "media"
    assert (store.blobs.bucket, store.blobs.prefix) == (s3_media_url[5:].split("/")[0], "media")
    assert not store.exists("ab/ab" + "0" * 62 + ".png")  # the bucket answers (through the endpoint setting)
    result = CliRunner().invoke(app, ["serve", "--data-dir", str(folder), "--workers", "2", "--media-url",
                                      s3_media_url])
    assert result.exit_code == 0, result.output
    assert no_server[1][0] == "labelwise.api.app:app_from_env"
    assert os.environ["LABELWISE_MEDIA_URL"] == s3_media_url


def test_serve_refuses_other_media_urls(tmp_path: Path, no_server: list) -> None:
    for bad in ("http://bucket/prefix", "s3://", "/srv/media"):
        result = CliRunner().invoke(app, ["serve", "--data-dir", str(tmp_path / "x"), "--media-url", bad])
        assert result.exit_code == 2 and "--media-url" in result.output
    assert no_server == []
