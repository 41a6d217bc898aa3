"""Media imports (a folder, a zip, one file: what ``labelwise import-media`` runs) write to the bucket when
media live in one; probing reads the copy kept in the local cache; a re-import of ``media:<key>`` rows
finds keys in the bucket."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from labelwise.config import Settings
from labelwise.domain.permissions import Actor
from labelwise.services import auth, imports, media_import, projects
from labelwise.services.context import Context
from labelwise.store import media_refs
from tests.media_files import png
from tests.s3_server import REGION, bucket_names

SCHEMA = {"fields": {"image": "image"}, "labels": [
    {"name": "boxes", "kind": "bbox", "field": "image", "options": ["car"]}]}


@pytest.fixture
def settings(settings: Settings, s3_media_url: str, s3_endpoint: str) -> Settings:
    return settings.model_copy(update={"media_url": s3_media_url, "s3_endpoint_url": s3_endpoint,
                                       "s3_region": REGION})


def test_folder_zip_and_file_imports_go_to_the_bucket(ctx: Context, tmp_path: Path, s3_endpoint: str) -> None:
    user = auth.create_user(ctx, None, email="owner@example.org", is_admin=True)
    admin = Actor(id=user["id"], email="owner@example.org", is_admin=True)
    project = projects.create_project(ctx, admin, name="pics", schema=SCHEMA)
    folder = tmp_path / "pics"
    (folder / "sub").mkdir(parents=True)
    png(folder / "a.png", 30, 20)
    png(folder / "sub" / "b.png", 8, 9, color=(1, 2, 3))
    (folder / ".hidden.png").write_bytes(b"not even an image")
    report = media_import.import_path(ctx, admin, "pics", folder)
    assert (report.created, report.invalid) == (2, 0)
    with zipfile.ZipFile(tmp_path / "more.zip", "w") as archive:
        archive.write(png(tmp_path / "c.png", 5, 6, color=(9, 9, 9)), "c.png")
    assert media_import.import_path(ctx, admin, "pics", tmp_path / "more.zip").created == 1
    single = png(tmp_path / "d.png", 7, 3, color=(200, 0, 0))
    assert media_import.import_path(ctx, admin, "pics", single).created == 1

    with ctx.db.read() as conn:
        refs = {r["name"]: r for r in (media_refs.get(conn, project["id"], k) for k in _keys(ctx, project["id"]))}
    assert {n: r["facts"] for n, r in refs.items()} == {
        "a.png": {"width": 30, "height": 20}, "sub/b.png": {"width": 8, "height": 9},
        "c.png": {"width": 5, "height": 6}, "d.png": {"width": 7, "height": 3}}
    assert bucket_names(s3_endpoint, ctx.settings.media_url or "") == sorted(r["key"] for r in refs.values())
    for ref in refs.values():  # the bytes in the bucket are the files' bytes
        fresh = tmp_path / "fresh"
        fresh.unlink(missing_ok=True)
        assert ctx.media.blobs.fetch(ref["key"], fresh)
        assert fresh.read_bytes() == ctx.media.path(ref["key"]).read_bytes()

    # rows naming media:<key> (a re-import of an export) are checked against the bucket, without reading it
    key = refs["a.png"]["key"]
    projects.create_project(ctx, admin, name="again", schema=SCHEMA)
    missing = "ab/ab" + "0" * 62 + ".png"
    rows = [(1, {"key": "one", "data": {"image": f"media:{key}"}}),
            (2, {"key": "two", "data": {"image": f"media:{missing}"}})]
    report = imports.import_rows(ctx, admin, "again", rows, source="rows", skip_invalid=True)
    assert (report.created, report.invalid) == (1, 1)
    assert "is not in this instance's media store" in report.errors[0]["msg"]


def _keys(ctx: Context, project_id: int) -> list[str]:
    from sqlalchemy import select

    from labelwise.store.tables import media_refs as table

    with ctx.db.read() as conn:
        return [r[0] for r in conn.execute(select(table.c.key).where(table.c.project_id == project_id))]
