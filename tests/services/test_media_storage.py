"""The media store on its two backends (a folder, a bucket of moto's S3 server): keys, existence, the local
cache of a bucket and its trimming, derived views shared by servers that share a bucket, and the pages'
Content-Security-Policy allowing the bucket's origin."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from starlette.testclient import TestClient

from labelwise.api.app import create_app
from labelwise.config import Settings
from labelwise.errors import Invalid, NotFound
from labelwise.services import media_views
from labelwise.services.context import Context
from labelwise.services.media import MediaStore
from tests.media_files import png, series_csv, wav
from tests.s3_server import REGION, bucket_names


def _bucket_settings(tmp_path: Path, url: str, endpoint: str, cache: str, **more: Any) -> Settings:
    return Settings(data_dir=tmp_path, media_dir=tmp_path / cache, media_url=url, s3_endpoint_url=endpoint,
                    s3_region=REGION, **more)


@pytest.fixture(params=["folder", "s3"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> MediaStore:
    if request.param == "folder":
        return MediaStore.from_settings(Settings(data_dir=tmp_path))
    url, endpoint = request.getfixturevalue("s3_media_url"), request.getfixturevalue("s3_endpoint")
    return MediaStore.from_settings(_bucket_settings(tmp_path, url, endpoint, "cache"))


def test_keys_existence_and_readable(store: MediaStore) -> None:
    key = store.put(io.BytesIO(b"RIFF....WAVEdata"), "Call.WAV")
    assert key.endswith(".wav") and store.put(io.BytesIO(b"RIFF....WAVEdata"), "other.wav") == key
    assert store.exists(key) and store.path(key).read_bytes() == b"RIFF....WAVEdata"
    unknown = "ab/ab" + "0" * 62 + ".wav"
    assert not store.exists(unknown) and not store.exists("../labelwise.db") and not store.exists(f"derived/{key}")
    with pytest.raises(NotFound):
        store.path(unknown)
    for bad in ("../labelwise.db", f"{key}/../../x", "ab/cd.png"):
        with pytest.raises(Invalid):
            store.path(bad)
    with pytest.raises(Invalid):
        store.derived(key, "../x")
    readable = store.readable(key)
    assert readable.content_type == "audio/wav"
    if store.remote:  # a presigned URL of the bucket, nothing read from it
        assert readable.path is None and readable.url is not None and "X-Amz-Signature=" in readable.url
        assert readable.url.startswith(f"{store.origin()}/")
    else:
        assert readable.url is None and readable.path == store.path(key) and store.origin() is None


def test_servers_sharing_a_bucket_share_derived_views(s3_media_url: str, s3_endpoint: str, tmp_path: Path) -> None:
    one = MediaStore.from_settings(_bucket_settings(tmp_path, s3_media_url, s3_endpoint, "one"))
    two = MediaStore.from_settings(_bucket_settings(tmp_path, s3_media_url, s3_endpoint, "two"))
    audio = one.put_file(wav(tmp_path / "a.wav", 3.0, rate=8000))
    series = one.put_file(series_csv(tmp_path / "s.csv", 3000))
    image = one.put_file(png(tmp_path / "big.png", 4200, 100))
    peaks = media_views.peaks(one, audio, buckets=50)
    window = media_views.series(one, series, points=100)
    display = media_views.display_image(one, image)
    names = bucket_names(s3_endpoint, s3_media_url)
    h = {k: k[3:] for k in (audio, series, image)}
    assert names == sorted([audio, series, image, f"derived/{audio[:2]}/{h[audio]}.peaks.npy",
                            f"derived/{image[:2]}/{h[image]}.display.png",
                            f"derived/{series[:2]}/{h[series]}.series.json",
                            *(f"derived/{series[:2]}/{h[series]}.col{i}.npy" for i in range(3))])
    # the second server has none of it in its cache, reads the views from the bucket and gets the same answers
    assert not any((tmp_path / "two").rglob("*.npy"))
    assert two.derived(audio, "peaks.npy").is_file()
    assert media_views.peaks(two, audio, buckets=50) == peaks
    assert media_views.series(two, series, points=100) == window
    shown = media_views.display_image(two, image)
    assert shown.read_bytes() == display.read_bytes() and two.readable_file(shown).url is not None


def test_the_bucket_cache_drops_the_least_recently_used(s3_media_url: str, s3_endpoint: str, tmp_path: Path) -> None:
    files = [wav(tmp_path / f"{i}.wav", 1.0 + i, rate=8000) for i in range(3)]
    sizes = [f.stat().st_size for f in files]
    store = MediaStore.from_settings(_bucket_settings(tmp_path, s3_media_url, s3_endpoint, "cache"))
    store.cache_bytes = sum(sizes) - 1  # not room for all three; trimmed to 90%: room for the last two
    assert sizes[1] + sizes[2] <= store.cache_bytes * 0.9 < sizes[0] + sizes[1] + sizes[2]
    keys = [store.put_file(f) for f in files]
    cached = {k for k in keys if (store.root / k).is_file()}
    assert cached == {keys[1], keys[2]}
    assert store.path(keys[0]).read_bytes() == files[0].read_bytes()  # fetched again from the bucket
    assert {k for k in keys if (store.root / k).is_file()} == {keys[0], keys[2]}
    assert all(store.exists(k) for k in keys)
    assert store._cache_size == sizes[0] + sizes[2]  # counted, not walked, between trims


def test_pages_allow_media_from_the_bucket(s3_media_url: str, s3_endpoint: str, tmp_path: Path,
                                           settings: Settings) -> None:
    ctx = Context.from_settings(settings.model_copy(update={
        "media_url": s3_media_url, "s3_endpoint_url": s3_endpoint, "s3_region": REGION}))
    try:
        csp = TestClient(create_app(ctx=ctx)).get("/login").headers["content-security-policy"]
    finally:
        ctx.close()
    rules = dict(part.strip().split(" ", 1) for part in csp.split(";"))
    assert rules["img-src"] == f"'self' {s3_endpoint} data: blob:"
    assert rules["media-src"] == f"'self' {s3_endpoint} blob:"
    assert rules["script-src"] == "'self'" and rules["connect-src"] == "'self'"


def test_peaks_match_on_both_backends(store: MediaStore, tmp_path: Path) -> None:
    key = store.put_file(wav(tmp_path / "a.wav", 2.0, rate=8000))
    got = media_views.peaks(store, key, buckets=4)
    assert got["duration"] == 2.0 and len(got["min"]) == 4
    assert np.all(np.asarray(got["min"]) <= np.asarray(got["max"]))


def test_streamed_ranges_on_both_backends(store: MediaStore) -> None:
    """What the app streams when a bucket gives no presigned URLs (``LABELWISE_S3_PRESIGN=false``); the folder
    backend answers the same way."""
    data = bytes(range(256)) * 4
    key = store.put(io.BytesIO(data), "blob.bin")

    def get(header: str | None) -> tuple[int, str | None, bytes, int]:
        got = store.blobs.get(key, header)
        assert got is not None
        return got.status, got.content_range, b"".join(got.body), got.length

    assert get(None) == (200, None, data, 1024)
    assert get("bytes=2-5") == (206, "bytes 2-5/1024", data[2:6], 4)
    assert get("bytes=-3") == (206, "bytes 1021-1023/1024", data[-3:], 3)
    assert get("bytes=1000-") == (206, "bytes 1000-1023/1024", data[1000:], 24)
    assert get("bytes=1020-5000") == (206, "bytes 1020-1023/1024", data[1020:], 4)
    assert get("bytes=0-1,5-6") == (200, None, data, 1024)  # several ranges: the whole object, as HTTP allows
    status, content_range, body, _ = get("bytes=2000-")
    assert (status, body) == (416, b"") and content_range in ("bytes */1024", None)
    assert store.blobs.get("ab/ab" + "0" * 62 + ".bin", None) is None
