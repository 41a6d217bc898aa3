"""Media: upload files (one item each) and read them back with range requests, peaks, series and
display-sized images. Reading needs membership of a project whose items refer to the key. With media in
a bucket, files answer 307 to a short-lived presigned URL of the bucket (ranges are then the bucket's)."""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.responses import FileResponse, RedirectResponse, Response, StreamingResponse

from labelwise.api.deps import ActorDep, CtxDep
from labelwise.api.responses import JSON
from labelwise.errors import Invalid
from labelwise.services import media_import, media_serve
from labelwise.services.media import CACHE_CONTROL, Readable

router = APIRouter(tags=["media"])


@router.post("/projects/{ref}/media")
async def upload_media(ref: str, request: Request, actor: ActorDep, ctx: CtxDep, field: str | None = None,
                       skip_invalid: bool = False) -> JSON:
    """Multipart upload: any number of fields named ``files`` (or ``file``); a ``.zip`` is unpacked.
    One item per media file; answers with the import report (422 names every unreadable file)."""
    limit = ctx.settings.max_upload_mb << 20
    form = await request.form(max_part_size=limit, max_files=100_000)
    uploads = [u for key in ("files", "file") for u in form.getlist(key) if isinstance(u, UploadFile)]
    if not uploads:
        raise Invalid("send the media as multipart fields named 'files'")
    try:
        report = await run_in_threadpool(_import_uploads, ctx, actor, ref, uploads, field, skip_invalid)
    finally:
        await form.close()
    return JSON(report.as_dict(), status_code=201)


def _import_uploads(ctx: Any, actor: Any, ref: str, uploads: list[UploadFile], field: str | None,
                    skip_invalid: bool) -> Any:
    files: list[tuple[str, Any]] = []
    archives = []
    try:
        for upload in uploads:
            name = Path(upload.filename or "upload").name
            if name.lower().endswith(".zip"):
                archive = zipfile.ZipFile(upload.file)
                archives.append(archive)
                files.extend(media_import.zip_files(archive))
            else:
                files.append((name, lambda f=upload.file: _Unclosed(f)))
        source = uploads[0].filename or "upload" if len(uploads) == 1 else f"{len(uploads)} files"
        return media_import.import_files(ctx, actor, ref, files, source=source, field=field,
                                         skip_invalid=skip_invalid)
    except zipfile.BadZipFile as exc:
        raise Invalid(f"not a readable zip: {exc}") from None
    finally:
        for archive in archives:
            archive.close()


class _Unclosed:
    """An upload's spooled file for one ``with`` block, left open for the form to close."""

    def __init__(self, f: Any) -> None:
        self.f = f

    def __enter__(self) -> Any:
        self.f.seek(0)
        return self.f

    def __exit__(self, *exc: object) -> None:
        return None


def _file(readable: Readable, ctx: Any, request: Request | None = None) -> Response:
    if readable.url is not None:  # the browser may keep the redirect for half the URL's validity
        age = min(ctx.settings.s3_url_seconds // 2, 86400)
        return RedirectResponse(readable.url, status_code=307, headers={"Cache-Control": f"private, max-age={age}"})
    if readable.path is not None:
        return FileResponse(readable.path, media_type=readable.content_type,
                            headers={"Cache-Control": CACHE_CONTROL})
    got = ctx.media.download(readable, request.headers.get("range") if request else None)  # from the bucket
    headers = {"Cache-Control": CACHE_CONTROL, "Accept-Ranges": "bytes", "Content-Length": str(got.length)}
    if got.content_range:
        headers["Content-Range"] = got.content_range
    return StreamingResponse(got.body, status_code=got.status, media_type=readable.content_type, headers=headers)


@router.get("/projects/{ref}/media/{key:path}/info")
def media_info(ref: str, key: str, actor: ActorDep, ctx: CtxDep) -> JSON:
    """The file's kind, name and facts (width/height, duration, frames/fps, samples/channels)."""
    return JSON(media_serve.media_ref(ctx, actor, ref, key))


@router.get("/projects/{ref}/media/{key:path}/display")
def media_display(ref: str, key: str, request: Request, actor: ActorDep, ctx: CtxDep) -> Response:
    """An image to show: upright (EXIF applied) and at most 4096 pixels a side; results keep the
    full-resolution coordinates of ``info``."""
    return _file(media_serve.display_file(ctx, actor, ref, key), ctx, request)


@router.get("/projects/{ref}/media/{key:path}/tile")
def media_tile(ref: str, key: str, request: Request, actor: ActorDep, ctx: CtxDep,
               level: Annotated[int, Query(ge=0, le=30)], col: Annotated[int, Query(ge=0, le=2**20)],
               row: Annotated[int, Query(ge=0, le=2**20)]) -> Response:
    """A tile of the upright image: 512 pixels a side at ``level`` (scale 1 / 2**level, 0 is full size),
    column ``col`` and row ``row``; edge tiles are smaller. For zooming in beyond the display copy."""
    return _file(media_serve.tile_file(ctx, actor, ref, key, level=level, col=col, row=row), ctx, request)


@router.get("/projects/{ref}/media/{key:path}/peaks")
def media_peaks(ref: str, key: str, actor: ActorDep, ctx: CtxDep,
                buckets: Annotated[int, Query(ge=1, le=20_000)] = 2000,
                start: Annotated[float, Query(ge=0)] = 0.0, end: Annotated[float | None, Query(ge=0)] = None) -> JSON:
    """Waveform min/max in ``buckets`` slices of [start, end) seconds."""
    return JSON(media_serve.peaks(ctx, actor, ref, key, buckets=buckets, start=start, end=end))


@router.get("/projects/{ref}/media/{key:path}/series")
def media_series(ref: str, key: str, actor: ActorDep, ctx: CtxDep,
                 start: Annotated[int, Query(ge=0, le=2**62)] = 0,
                 end: Annotated[int | None, Query(ge=0, le=2**62)] = None,
                 points: Annotated[int, Query(ge=10, le=20_000)] = 2000) -> JSON:
    """Every channel over sample indices [start, end), downsampled (MinMaxLTTB) to about ``points``."""
    return JSON(media_serve.series(ctx, actor, ref, key, start=start, end=end, points=points))


@router.get("/projects/{ref}/media/{key:path}")
def media_get(ref: str, key: str, request: Request, actor: ActorDep, ctx: CtxDep) -> Response:
    """The file itself, with range requests (``Range: bytes=...`` answers 206) for seeking; with media in a
    bucket, a 307 redirect to a presigned URL that answers them."""
    return _file(media_serve.media_file(ctx, actor, ref, key), ctx, request)



