"""Reading a project's media: the access check, then the file or one of its views.

A key is served only to members of a project whose items refer to it (``store.media_refs``, a
primary-key lookup), so knowing a content hash is not enough to read someone else's file. Invalid keys
(anything ``MediaStore.check_key`` refuses, such as ``../``) are 422; unknown ones 404. Files come back as a
``media.Readable``: a local file, or (media in a bucket) a presigned URL, made only after the check.
"""

from __future__ import annotations

from typing import Any

from labelwise.domain.permissions import Action, Actor
from labelwise.errors import Invalid, NotFound
from labelwise.services.access import open_project
from labelwise.services.context import Context
from labelwise.services.media import Readable
from labelwise.store import media_refs


def media_ref(ctx: Context, actor: Actor, ref: int | str, key: str) -> dict[str, Any]:
    """The project's record of ``key`` (kind, name, facts) if ``actor`` may see the project."""
    ctx.media.check_key(key)
    with ctx.db.read() as conn:
        access = open_project(ctx, conn, actor, ref, Action.view)
        row = media_refs.get(conn, access.id, key)
    if row is None:
        raise NotFound(f"media {key!r} not found in this project")
    return row


def media_file(ctx: Context, actor: Actor, ref: int | str, key: str) -> Readable:
    media_ref(ctx, actor, ref, key)
    return ctx.media.readable(key)


def _views() -> Any:
    """:mod:`labelwise.services.media_views`, imported on first use: it brings numpy (about 14 MB), which a
    server that never draws a waveform, a chart or a tile need not hold."""
    from labelwise.services import media_views

    return media_views


def _expect(row: dict[str, Any], kind: str) -> None:
    if row["kind"] != kind:
        raise Invalid(f"media {row['key']!r} is {row['kind']}, not {kind}")


def display_file(ctx: Context, actor: Actor, ref: int | str, key: str) -> Readable:
    _expect(media_ref(ctx, actor, ref, key), "image")
    return ctx.media.readable_file(_views().display_image(ctx.media, key))


def tile_file(ctx: Context, actor: Actor, ref: int | str, key: str, *, level: int, col: int, row: int) -> Readable:
    _expect(media_ref(ctx, actor, ref, key), "image")
    return ctx.media.readable_file(_views().tile(ctx.media, key, level, col, row))


def peaks(ctx: Context, actor: Actor, ref: int | str, key: str, **window: Any) -> dict[str, Any]:
    _expect(media_ref(ctx, actor, ref, key), "audio")
    return _views().peaks(ctx.media, key, **window)


def series(ctx: Context, actor: Actor, ref: int | str, key: str, **window: Any) -> dict[str, Any]:
    _expect(media_ref(ctx, actor, ref, key), "timeseries")
    return _views().series(ctx.media, key, **window)
