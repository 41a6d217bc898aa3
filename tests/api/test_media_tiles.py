"""Image tiles for zooming in beyond the display copy: 512-pixel squares of the upright image per level
(level z is scaled by 1 / 2**z), the edge tiles smaller, levels and positions outside the image refused;
with media in the folder and in an S3 bucket (the fixtures of test_media.py)."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from PIL import Image

from labelwise.services.media_views import TILE, tile_levels
from tests.api.test_media import M, _keys, _upload, fetch, mw, settings  # noqa: F401  (fixtures)
from tests.media_files import exif_jpeg, png, wav


def _tile(c: Any, key: str, level: int, col: int, row: int) -> Image.Image:
    r = fetch(c, f"{M('image')}/media/{key}/tile?level={level}&col={col}&row={row}")
    assert r.status_code == 200, r.text
    img = Image.open(io.BytesIO(r.content))
    img.load()
    return img


def test_levels() -> None:
    assert TILE == 512
    assert tile_levels(512, 300) == 1
    assert tile_levels(513, 10) == 2
    assert tile_levels(5000, 3000) == 5  # 5000, 2500, 1250, 625, 313 pixels wide


def test_tiles_of_a_large_image(mw: Any, tmp_path: Path) -> None:  # noqa: F811
    c = mw.manager.client
    # 5000 x 3000 blue, with a yellow rectangle over x 1250..2500, y 750..1500 (tests/media_files.png)
    assert _upload(c, "image", [("big.png", png(tmp_path / "big.png", 5000, 3000).read_bytes()),
                                ("rot.jpg", exif_jpeg(tmp_path / "r.jpg", 60, 40).read_bytes())]).status_code == 201
    assert _upload(c, "audio", [("a.wav", wav(tmp_path / "a.wav", 1.0).read_bytes())]).status_code == 201
    keys, audio = _keys(c, "image"), _keys(c, "audio")
    c = mw.annotator.client
    big = keys["big.png"]
    first = _tile(c, big, 0, 0, 0)
    assert first.size == (512, 512) and first.getpixel((0, 0)) == (40, 90, 160)
    inside = _tile(c, big, 0, 2, 1)  # x 1024..1536, y 512..1024: (1300, 800) is in the rectangle
    assert inside.getpixel((1300 - 1024, 800 - 512)) == (230, 200, 40)
    assert inside.getpixel((100, 100)) == (40, 90, 160)  # (1124, 612) is not
    assert _tile(c, big, 0, 9, 5).size == (5000 - 9 * 512, 3000 - 5 * 512)  # the corner tile
    half = _tile(c, big, 1, 1, 0)  # level 1: 2500 x 1500; x 512..1024 there is 1024..2048 at full size
    assert half.size == (512, 512) and half.getpixel((700 - 512, 400)) == (230, 200, 40)
    whole = _tile(c, big, 4, 0, 0)
    assert whole.size == (313, 188)
    upright = _tile(c, keys["rot.jpg"], 0, 0, 0)  # stored 60 x 40 with EXIF orientation 6
    assert upright.size == (40, 60)
    url = f"{M('image')}/media/{big}/tile"
    assert c.get(url, params={"level": 5, "col": 0, "row": 0}).status_code == 422
    assert c.get(url, params={"level": 0, "col": 10, "row": 0}).status_code == 404
    assert c.get(url, params={"level": 0, "col": 0}).status_code == 422
    at = {"level": 0, "col": 0, "row": 0}
    assert c.get(f"{M('audio')}/media/{audio['a.wav']}/tile", params=at).status_code == 422  # not an image
