"""Snapshots in the media store on its two backends (the folder; a bucket of moto's S3 server, tests/s3_server.py):
two servers (two apps, two local caches, one database, one bucket) where a snapshot made on one exports to the
same bytes, diffs and describes itself on the other; a missing file is a clear 404; a snapshot written to the
media folder before a bucket was configured is uploaded on first read."""

from __future__ import annotations

import gzip
import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from labelwise.api.app import create_app
from labelwise.config import Settings
from labelwise.services import snapshots
from labelwise.services.context import Context
from tests.api.helpers import API, import_records, next_task, submit, texts
from tests.s3_server import REGION, bucket_names

P = f"{API}/projects/demo"
FORMATS = ("jsonl", "csv", "parquet", "conll", "labelstudio")


@pytest.fixture(params=["folder", "s3"])
def settings(request: pytest.FixtureRequest, settings: Settings) -> Settings:
    """The media folder, or a bucket with the local cache where the media folder was (DATA_DIR/media)."""
    if request.param == "folder":
        return settings
    return settings.model_copy(update={"media_url": request.getfixturevalue("s3_media_url"),
                                       "s3_endpoint_url": request.getfixturevalue("s3_endpoint"),
                                       "s3_region": REGION, "media_cache_mb": 1})


@pytest.fixture
def two(world: Any, settings: Settings, tmp_path: Path) -> Iterator[TestClient]:
    """The manager's client of a second server: the same database and media store, its own local cache."""
    other = settings.model_copy(update={"media_dir": tmp_path / "server-two"}) if settings.media_url else settings
    ctx = Context.from_settings(other)
    try:
        yield TestClient(create_app(ctx=ctx), headers={"Authorization": f"Bearer {world.manager.token}"})
    finally:
        ctx.close()


def _annotate(world: Any, results: list[dict[str, Any]], who: str = "annotator") -> None:
    client = world.member(who).client
    for result in results:
        task = next_task(client)
        assert task is not None
        assert submit(client, task["id"], result).status_code == 201


def _stored(settings: Settings, name: str) -> bytes | None:
    """The bytes of a media store object as the store holds them (the folder's file, the bucket's object)."""
    if not settings.media_url:
        path = settings.media_path / name
        return path.read_bytes() if path.is_file() else None
    import boto3

    bucket, prefix = settings.media_url.removeprefix("s3://").split("/", 1)
    client = boto3.session.Session().client("s3", endpoint_url=settings.s3_endpoint_url, region_name=REGION)
    try:
        return client.get_object(Bucket=bucket, Key=f"{prefix}/{name}")["Body"].read()  # type: ignore[no-any-return]
    except client.exceptions.NoSuchKey:
        return None


def _remove(settings: Settings, name: str) -> None:
    if not settings.media_url:
        (settings.media_path / name).unlink()
        return
    import boto3

    bucket, prefix = settings.media_url.removeprefix("s3://").split("/", 1)
    boto3.session.Session().client("s3", endpoint_url=settings.s3_endpoint_url, region_name=REGION).delete_object(
        Bucket=bucket, Key=f"{prefix}/{name}")


def _exports(client: TestClient, snapshot_id: int) -> dict[str, bytes]:
    out = {}
    for fmt in FORMATS:
        r = client.get(f"{P}/snapshots/{snapshot_id}/export", params={"format": fmt})
        assert r.status_code == 200, (fmt, r.text)
        out[fmt] = r.content
    return out


def test_a_snapshot_made_on_one_server_is_the_same_on_another(world: Any, settings: Settings,
                                                              two: TestClient, tmp_path: Path) -> None:
    one = world.manager.client
    import_records(world, [{"key": f"k{i}", **t} for i, t in enumerate(texts(5))])
    _annotate(world, [{"sentiment": "positive"}, {"sentiment": "negative"}])
    v1 = one.post(f"{P}/snapshots", json={"name": "v1"}).json()
    name = f"snapshots/{world.project['id']}/{v1['content_sha256']}.jsonl.gz"
    stored = _stored(settings, name)
    assert stored is not None and hashlib.sha256(stored).hexdigest() == v1["file_sha256"]
    assert hashlib.sha256(gzip.decompress(stored)).hexdigest() == v1["content_sha256"]
    if settings.media_url:  # in the bucket only: no server keeps a copy, none is left in a cache to trim
        assert bucket_names(settings.s3_endpoint_url or "", settings.media_url) == [name]
        assert not [p for p in (settings.media_path, tmp_path / "server-two") if p.exists() and any(p.rglob("*"))]
    exports = _exports(one, v1["id"])
    assert exports["jsonl"] == gzip.decompress(stored)
    assert _exports(two, v1["id"]) == exports  # byte for byte on the other server
    # the project moves on; the second server makes the next snapshot, the first compares them
    _annotate(world, [{"sentiment": "neutral"}])
    import_records(world, [{"key": "k5", "text": "one more"}])
    r = two.post(f"{P}/snapshots", json={"name": "v2"})
    assert r.status_code == 201, r.text
    v2 = r.json()
    assert (v2["items"], v2["annotations"]) == (6, 3)
    diffs = [c.get(f"{P}/snapshots/{v1['id']}/diff/{v2['id']}").json() for c in (one, two)]
    assert diffs[0] == diffs[1]
    assert diffs[0]["counts"] == {"added": 1, "removed": 0, "relabelled": 1, "unchanged": 4}
    assert [x["key"] for x in diffs[0]["added"]] == ["k5"]
    assert _exports(one, v2["id"]) == _exports(two, v2["id"])
    card = two.get(f"{P}/snapshots/{v1['id']}/card")
    assert card.status_code == 200 and v1["content_sha256"] in card.text and "# demo: v1" in card.text
    assert card.text == one.get(f"{P}/snapshots/{v1['id']}/card").text
    # the same content again: the same object, written once
    v3 = one.post(f"{P}/snapshots", json={}).json()
    assert (v3["content_sha256"], v3["file_sha256"]) == (v2["content_sha256"], v2["file_sha256"])
    if settings.media_url:
        assert len(bucket_names(settings.s3_endpoint_url or "", settings.media_url)) == 2
    assert _exports(two, v3["id"]) == _exports(one, v2["id"])


def test_a_missing_snapshot_file_is_a_404_naming_it(world: Any, settings: Settings, two: TestClient,
                                                    no_500: None) -> None:
    one = world.manager.client
    import_records(world, texts(3))
    _annotate(world, [{"sentiment": "positive"}])
    v1 = one.post(f"{P}/snapshots", json={}).json()
    _annotate(world, [{"sentiment": "negative"}])
    v2 = one.post(f"{P}/snapshots", json={}).json()
    name = f"snapshots/{world.project['id']}/{v1['content_sha256']}.jsonl.gz"
    _remove(settings, name)
    where = "bucket" if settings.media_url else "folder"
    for client in (one, two):
        for url in (f"{P}/snapshots/{v1['id']}/export", f"{P}/snapshots/{v1['id']}/diff/{v2['id']}",
                    f"{P}/snapshots/{v2['id']}/diff/{v1['id']}"):
            r = client.get(url, params={"format": "csv"} if url.endswith("export") else {})
            assert r.status_code == 404, (url, r.text)
            assert r.json()["detail"] == (f"the file of snapshot {v1['id']} is missing from the media {where} "
                                          f"({name})")
        # what the database holds is still there: the snapshot, its card; the other snapshot exports
        assert client.get(f"{P}/snapshots/{v1['id']}").json()["file_sha256"] == v1["file_sha256"]
        assert client.get(f"{P}/snapshots/{v1['id']}/card").status_code == 200
        assert client.get(f"{P}/snapshots/{v2['id']}/export").status_code == 200


@pytest.mark.parametrize("settings", ["s3"], indirect=True)
def test_snapshots_in_the_media_folder_move_to_the_bucket_when_first_read(world: Any, settings: Settings,
                                                                          two: TestClient) -> None:
    """An install that had no bucket made snapshots in DATA_DIR/media/snapshots; once LABELWISE_MEDIA_URL is
    set, the server holding them uploads each the first time it reads it (if its SHA-256 is the recorded one)."""
    import_records(world, texts(4))
    _annotate(world, [{"sentiment": "positive"}, {"sentiment": "neutral"}])
    before = Context.from_settings(settings.model_copy(update={"media_url": None}))
    try:
        old = snapshots.create_snapshot(before, world.manager.actor, "demo", name="before the bucket")
        was = b"".join(snapshots.export_snapshot(before, world.manager.actor, "demo", old["id"], "csv").chunks)
        _annotate(world, [{"sentiment": "negative"}])
        bad = snapshots.create_snapshot(before, world.manager.actor, "demo")
    finally:
        before.close()
    names = [f"snapshots/{world.project['id']}/{s['content_sha256']}.jsonl.gz" for s in (old, bad)]
    assert all((settings.media_path / n).is_file() for n in names)
    legacy = settings.media_path / names[1]
    legacy.write_bytes(gzip.compress(b'{"id": 1}\n', mtime=0))  # changed since: not what the row recorded
    assert bucket_names(settings.s3_endpoint_url or "", settings.media_url or "") == []
    # the other server does not hold them: missing until the first server has read them
    assert two.get(f"{P}/snapshots/{old['id']}/export").status_code == 404
    r = world.manager.client.get(f"{P}/snapshots/{old['id']}/export", params={"format": "csv"})
    assert r.status_code == 200 and r.content == was
    assert bucket_names(settings.s3_endpoint_url or "", settings.media_url or "") == [names[0]]
    assert two.get(f"{P}/snapshots/{old['id']}/export", params={"format": "csv"}).content == was
    assert world.manager.client.get(f"{P}/snapshots/{bad['id']}/export").status_code == 404
    assert bucket_names(settings.s3_endpoint_url or "", settings.media_url or "") == [names[0]]
