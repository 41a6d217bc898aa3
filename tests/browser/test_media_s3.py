"""Media in an S3 bucket (moto's server) seen from real Chromium: the app answers 307 to presigned URLs, the
pages' CSP lets images and audio load from the bucket, and seeking reads byte ranges from the bucket."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect

from labelwise.config import Settings
from labelwise.services.setup import prepare
from tests.browser.helpers import Server
from tests.browser.test_media_ui import AUDIO_SCHEMA, IMAGE_SCHEMA, media_project, open_media
from tests.live_server import LiveServer, postgres_database
from tests.media_files import exif_jpeg, wav
from tests.s3_server import REGION

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, s3_endpoint: str) -> Iterator[Server]:
    """As tests/browser/conftest.py's server, with media in a new bucket of moto's S3 server."""
    import boto3

    bucket = f"lw-browser-{uuid.uuid4().hex[:12]}"
    data_dir = tmp_path_factory.mktemp("browser-s3-data")
    name = f"labelwise_browser_s3_{os.getpid()}"
    pg = postgres_database(name) if os.environ.get("LABELWISE_TEST_DB") else None
    with pytest.MonkeyPatch.context() as env:
        for var, value in {"AWS_ACCESS_KEY_ID": "labelwise-test", "AWS_SECRET_ACCESS_KEY": "labelwise-test-secret",
                           "AWS_CONFIG_FILE": str(data_dir / "no-aws-config"),
                           "AWS_SHARED_CREDENTIALS_FILE": str(data_dir / "no-aws-credentials"),
                           "LABELWISE_MEDIA_URL": f"s3://{bucket}/media", "LABELWISE_S3_ENDPOINT_URL": s3_endpoint,
                           "LABELWISE_S3_REGION": REGION}.items():
            env.setenv(var, value)
        env.delenv("AWS_PROFILE", raising=False)
        boto3.session.Session().client("s3", endpoint_url=s3_endpoint, region_name=REGION).create_bucket(Bucket=bucket)
        settings = Settings(data_dir=data_dir, db=pg)
        assert settings.media_url == f"s3://{bucket}/media"
        prepare(settings).close()
        live = LiveServer(settings)
        try:
            yield Server(url=live.start(), settings=settings)
        finally:
            live.stop()
            if pg:
                postgres_database(name, drop=True)


Seen = tuple[int, str | None, str | None]


def _watch(page_context, s3_endpoint: str) -> tuple[list[str], list[Seen]]:  # type: ignore[no-untyped-def]
    """(console errors such as CSP refusals, (status, Content-Range, content type) of every response of the
    bucket). The response's Content-Range, not the request's Range: Playwright's ``request.headers`` leaves
    out some headers Chromium sends (Range among them when the media cache issues the request)."""
    problems: list[str] = []
    bucket_responses: list[Seen] = []
    page_context.on("console", lambda m: problems.append(f"{m.text} {m.location.get('url')}")
                    if m.type == "error" and not m.location.get("url", "").endswith("/favicon.ico") else None)
    page_context.on("response", lambda r: bucket_responses.append(
        (r.status, r.headers.get("content-range"), r.headers.get("content-type")))
        if r.url.startswith(s3_endpoint) else None)
    return problems, bucket_responses


def test_image_and_audio_load_from_the_bucket(server: Server, new_context, tmp_path: Path, s3_endpoint: str) -> None:
    pid, _, ann = media_project(server, IMAGE_SCHEMA, [exif_jpeg(tmp_path / "rot.jpg", 60, 40)])
    made = []

    def context():  # type: ignore[no-untyped-def]
        c = new_context()
        made.append(_watch(c, s3_endpoint))
        return c

    open_media(context, ann, pid)
    problems, responses = made[0]
    assert not problems, problems
    assert (200, None, "image/jpeg") in responses, responses  # the upright display copy, from the bucket

    pid, _, ann = media_project(server, AUDIO_SCHEMA, [wav(tmp_path / "call.wav", 20.0, rate=8000)])
    page = open_media(context, ann, pid)
    problems, responses = made[1]
    # The view is ready once the server's peaks give the duration; the element's own metadata may come later.
    # a function, not an expression: Playwright evals an expression when it polls, which the page's CSP refuses
    page.wait_for_function("() => document.querySelector('.audio-view audio').readyState >= 1")
    duration = page.evaluate("document.querySelector('.audio-view audio').duration")
    assert duration == pytest.approx(20.0, abs=0.01)
    page.evaluate("document.querySelector('.audio-view audio').currentTime = 15")
    expect(page.locator(".audio-view audio")).to_have_js_property("readyState", 4)
    assert not problems, problems
    assert any(status == 206 and (rng or "").startswith("bytes ") and kind == "audio/wav"
               for status, rng, kind in responses), responses
