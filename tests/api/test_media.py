"""Media in and out: upload files and zips, facts computed on the server, range requests, peaks,
series downsampling, display images, and the per-project access check; each test runs with media in the
local folder and in an S3 bucket (moto's server: tests/s3_server.py), where files answer 307 to a
presigned URL and the bytes come from the bucket, and in a bucket without presigned URLs (``s3-proxy``),
whose bytes the app streams with the Range passed on."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

import httpx
import pytest

from labelwise.config import Settings
from labelwise.services import projects
from tests.api.helpers import API
from tests.media_files import exif_jpeg, png, series_csv, wav, webm
from tests.s3_server import REGION

SCHEMAS = {
    "image": {"fields": {"image": "image"}, "labels": [
        {"name": "boxes", "kind": "bbox", "field": "image", "options": ["car"]}]},
    "audio": {"fields": {"audio": "audio"}, "labels": [
        {"name": "speech", "kind": "audio_ranges", "field": "audio", "options": ["a"]}]},
    "video": {"fields": {"clip": "video"}, "labels": [
        {"name": "tracks", "kind": "video_boxes", "field": "clip", "options": ["car"]}]},
    "series": {"fields": {"sensor": "timeseries"}, "labels": [
        {"name": "events", "kind": "time_ranges", "field": "sensor", "unit": "samples", "options": ["spike"]}]},
}


def M(kind: str) -> str:
    return f"{API}/projects/{kind}"


@pytest.fixture(params=["folder", "s3"])
def settings(request: pytest.FixtureRequest, settings: Settings) -> Settings:
    """The media store of every test here: the local folder, or a bucket of moto's S3 server (tests that
    read files back also run with ``s3-proxy``: the bucket without presigned URLs)."""
    if request.param == "folder":
        return settings
    return settings.model_copy(update={"media_url": request.getfixturevalue("s3_media_url"),
                                       "s3_endpoint_url": request.getfixturevalue("s3_endpoint"),
                                       "s3_region": REGION, "s3_presign": request.param == "s3"})


def fetch(client: Any, url: str, headers: dict[str, str] | None = None) -> httpx.Response:
    """GET a media URL as a browser does: a 307 to a presigned bucket URL is followed, sending ``headers``
    (a Range) again; the redirect is only given after the access check."""
    r = client.get(url, headers=headers, follow_redirects=False)
    settings = client.app.state.ctx.settings
    if r.status_code != 307:
        assert not (settings.media_url and settings.s3_presign) or r.status_code >= 400
        return r  # type: ignore[no-any-return]
    assert settings.media_url and settings.s3_presign  # redirects only to presigned bucket URLs
    location = r.headers["location"]
    assert location.startswith(client.app.state.ctx.settings.s3_endpoint_url) and "X-Amz-Signature=" in location
    return httpx.get(location, headers=headers)


@pytest.fixture
def mw(world: Any) -> Any:
    for kind, schema in SCHEMAS.items():
        projects.create_project(world.ctx, world.admin.actor, name=kind, schema=schema)
        for who, role in (("annotator", "annotator"), ("manager", "manager")):
            projects.add_member(world.ctx, world.admin.actor, kind, email=world.member(who).actor.email, role=role)
    return world


def _upload(client: Any, kind: str, files: list[tuple[str, bytes]], **params: Any) -> Any:
    return client.post(f"{M(kind)}/media", params=params, files=[("files", (n, b)) for n, b in files])


def _items(client: Any, kind: str) -> dict[str, dict[str, Any]]:
    page = client.get(f"{M(kind)}/items", params={"limit": 100}).json()
    out = {}
    for row in page["items"]:
        full = client.get(f"{M(kind)}/items/{row['id']}").json()
        out[full["key"]] = full
    return out


def _keys(client: Any, kind: str) -> dict[str, str]:
    return {k: next(iter(v["data"].values())).removeprefix("media:") for k, v in _items(client, kind).items()}


def test_upload_files_and_a_zip_makes_one_item_each_with_facts(mw: Any, tmp_path: Path) -> None:
    files = [("street.png", png(tmp_path / "a.png", 64, 48).read_bytes()),
             ("rotated.jpg", exif_jpeg(tmp_path / "b.jpg", 60, 40).read_bytes())]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.write(png(tmp_path / "c.png", 10, 20), "more/small.png")
        z.writestr(".DS_Store", b"junk")
        z.writestr("__MACOSX/._small.png", b"junk")
    r = _upload(mw.manager.client, "image", [*files, ("bundle.zip", buf.getvalue())])
    assert r.status_code == 201, r.text
    assert r.json()["created"] == 3
    items = _items(mw.manager.client, "image")
    assert items["street.png"]["meta"]["media"]["image"] == {"width": 64, "height": 48}
    assert items["rotated.jpg"]["meta"]["media"]["image"] == {"width": 40, "height": 60, "orientation": 6}
    assert items["more/small.png"]["meta"]["media"]["image"] == {"width": 10, "height": 20}
    assert items["street.png"]["data"]["image"].startswith("media:")
    # the same files again: their keys exist, nothing new
    again = _upload(mw.manager.client, "image", files)
    assert again.status_code == 201 and again.json()["skipped"] == 2


def test_audio_video_and_series_facts(mw: Any, tmp_path: Path) -> None:
    c = mw.manager.client
    assert _upload(c, "audio", [("call.wav", wav(tmp_path / "c.wav", 2.5, rate=8000).read_bytes())]).status_code == 201
    assert _upload(c, "video", [("clip.webm", webm(tmp_path / "e.webm", 12, fps=12).read_bytes())]).status_code == 201
    assert _upload(c, "series", [("sensor.csv", series_csv(tmp_path / "d.csv", 5000).read_bytes())]).status_code == 201
    audio = _items(c, "audio")["call.wav"]["meta"]["media"]["audio"]
    assert audio == {"duration": 2.5, "sample_rate": 8000, "samples": 20000, "channels": 1}
    assert _items(c, "video")["clip.webm"]["meta"]["media"]["clip"] == {
        "frames": 12, "fps": 12.0, "duration": 1.0, "width": 160, "height": 120}
    series = _items(c, "series")["sensor.csv"]["meta"]["media"]["sensor"]
    assert series["samples"] == 5000 and series["channels"] == ["ch0", "ch1"] and series["time_column"] == "time"


def test_unreadable_files_are_named_and_reject_the_import(mw: Any, tmp_path: Path) -> None:
    good = ("ok.png", png(tmp_path / "a.png", 8, 8).read_bytes())
    r = _upload(mw.manager.client, "image", [good, ("broken.png", b"not a png"), ("notes.txt", b"hello")])
    assert r.status_code == 422
    messages = " ".join(e["msg"] for e in r.json()["errors"])
    assert "broken.png" in messages and "notes.txt" in messages
    assert _items(mw.manager.client, "image") == {}
    r = _upload(mw.manager.client, "image", [good, ("broken.png", b"not a png")], skip_invalid=True)
    assert r.status_code == 201 and r.json()["created"] == 1 and r.json()["invalid"] == 1
    # an image sent to an audio project is named too
    r = _upload(mw.manager.client, "audio", [good])
    assert r.status_code == 422 and "ok.png" in r.json()["errors"][0]["msg"]


@pytest.mark.parametrize("settings", ["folder", "s3", "s3-proxy"], indirect=True)
def test_range_requests_traversal_and_access(mw: Any, tmp_path: Path) -> None:
    r = _upload(mw.manager.client, "audio", [("call.wav", wav(tmp_path / "c.wav", 1.0).read_bytes())])
    assert r.status_code == 201, r.text
    key = _keys(mw.manager.client, "audio")["call.wav"]
    c = mw.annotator.client
    whole = fetch(c, f"{M('audio')}/media/{key}")
    assert whole.status_code == 200 and whole.headers["content-type"] == "audio/wav"
    assert whole.headers["accept-ranges"] == "bytes"
    assert whole.content == wav(tmp_path / "c.wav", 1.0).read_bytes()
    part = fetch(c, f"{M('audio')}/media/{key}", headers={"Range": "bytes=1000-1999"})
    assert part.status_code == 206 and part.content == whole.content[1000:2000]
    assert part.headers["content-range"] == f"bytes 1000-1999/{len(whole.content)}"
    tail = fetch(c, f"{M('audio')}/media/{key}", headers={"Range": "bytes=-44"})
    assert tail.status_code == 206 and tail.content == whole.content[-44:]
    unknown = "ab/ab" + "0" * 62 + ".wav"  # a well-formed key no project refers to
    for bad in ("../labelwise.db", "..%2F..%2Flabelwise.db", f"{key[:2]}/../../labelwise.db", "ab/cd.png",
                f"{key}/../../../labelwise.db", unknown, f"derived/{key}"):
        got = c.get(f"{M('audio')}/media/{bad}", follow_redirects=False)
        assert got.status_code in (404, 422), bad
        assert b"SQLite" not in got.content
    # not a member: 404, as if the project did not exist
    assert mw.outsider.client.get(f"{M('audio')}/media/{key}", follow_redirects=False).status_code == 404
    # members of another project cannot read this project's media through theirs, even knowing the key
    assert c.get(f"{M('image')}/media/{key}", follow_redirects=False).status_code == 404


@pytest.mark.parametrize("settings", ["folder", "s3", "s3-proxy"], indirect=True)
def test_peaks_series_and_display(mw: Any, tmp_path: Path) -> None:
    c = mw.manager.client
    assert _upload(c, "audio", [("long.wav", wav(tmp_path / "c.wav", 30.0, rate=8000).read_bytes())]).status_code == 201
    assert _upload(c, "series", [("s.parquet", series_csv(tmp_path / "s.parquet", 200_000).read_bytes())]
                   ).status_code == 201
    assert _upload(c, "image", [("big.png", png(tmp_path / "big.png", 5000, 3000).read_bytes()),
                                ("rot.jpg", exif_jpeg(tmp_path / "r.jpg", 60, 40).read_bytes())]).status_code == 201
    a, s, i = _keys(c, "audio"), _keys(c, "series"), _keys(c, "image")
    c = mw.annotator.client
    peaks = c.get(f"{M('audio')}/media/{a['long.wav']}/peaks", params={"buckets": 300}).json()
    assert len(peaks["min"]) == len(peaks["max"]) == 300 and peaks["duration"] == 30.0
    assert min(peaks["min"]) < -0.8 and max(peaks["max"]) > 0.8
    window = c.get(f"{M('audio')}/media/{a['long.wav']}/peaks", params={"buckets": 10, "start": 10, "end": 11}).json()
    assert abs(window["start"] - 10) < 0.05 and len(window["max"]) == 10
    series = c.get(f"{M('series')}/media/{s['s.parquet']}/series", params={"points": 1000}).json()
    assert series["samples"] == 200_000 and [ch["name"] for ch in series["channels"]] == ["ch0", "ch1"]
    ch0 = series["channels"][0]
    assert len(ch0["x"]) <= 1000 and max(ch0["y"]) == 8.0  # the spike survives
    zoom = c.get(f"{M('series')}/media/{s['s.parquet']}/series", params={"start": 100, "end": 600}).json()
    assert zoom["channels"][0]["x"] == list(range(100, 600))
    from PIL import Image

    with Image.open(io.BytesIO(fetch(c, f"{M('image')}/media/{i['big.png']}/display").content)) as shown:
        assert max(shown.size) == 4096
    with Image.open(io.BytesIO(fetch(c, f"{M('image')}/media/{i['rot.jpg']}/display").content)) as upright:
        assert upright.size == (40, 60)
    assert c.get(f"{M('image')}/media/{i['big.png']}/peaks").status_code == 422
    info = c.get(f"{M('image')}/media/{i['big.png']}/info").json()
    assert info["facts"] == {"width": 5000, "height": 3000}
