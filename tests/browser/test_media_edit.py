"""Image editor edits beyond drawing, in real Chromium against the real server: inserting and deleting
polygon and polyline vertices (with the minimum vertex counts and undo), checked in the stored result."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import Server
from tests.browser.test_media_ui import drag, image_point, media_project, open_media, submit_and_check
from tests.media_files import png

pytestmark = pytest.mark.browser

SCHEMA = {"fields": {"image": "image"}, "labels": [
    {"name": "areas", "kind": "polygon", "field": "image", "options": ["road"]}]}


def test_polygon_vertex_insert_delete_and_undo(server: Server, new_context, tmp_path: Path) -> None:
    pid, _, ann = media_project(server, SCHEMA, [png(tmp_path / "street.png", 200, 150)])
    page = open_media(new_context, ann, pid)
    P = lambda x, y: image_point(page, x, y)  # noqa: E731
    canvas = page.locator(".image-canvas")
    status = page.locator(".image-view .media-status")
    for x, y in ((20, 20), (120, 20), (70, 100)):
        page.mouse.click(*P(x, y))
    page.keyboard.press("Enter")
    page.mouse.click(*P(70, 50))  # select it
    page.mouse.click(*P(70, 20))  # a click on the top edge inserts a vertex there
    expect(canvas).to_have_attribute("data-vertex", "1")
    drag(page, P(45, 60), P(30, 70))  # a drag from the closing edge inserts one and places it
    expect(canvas).to_have_attribute("data-vertex", "4")
    page.keyboard.down("Alt")
    page.mouse.click(*P(120, 20))  # Alt+click deletes a vertex
    page.keyboard.up("Alt")
    page.mouse.click(*P(70, 20))  # select a vertex, Delete removes it
    expect(canvas).to_have_attribute("data-vertex", "1")
    page.keyboard.press("Delete")
    expect(canvas).to_have_attribute("data-vertex", "")
    page.mouse.click(*P(20, 20))
    page.keyboard.press("Delete")  # three are left: the polygon keeps them
    expect(status).to_contain_text("keeps at least 3 vertices")
    expect(page.locator(".object-row")).to_have_count(1)
    page.keyboard.press("Control+z")  # undo brings back the deleted vertex
    result = submit_and_check(page, ann, pid, SCHEMA)
    (area,) = result["areas"]
    assert area["label"] == "road" and area["closed"] is not False
    assert len(area["points"]) == 4
    for got, want in zip(area["points"], ([20, 20], [70, 20], [70, 100], [30, 70]), strict=True):
        assert got == pytest.approx(want, abs=1.0)


def test_polyline_keeps_two_vertices(server: Server, new_context, tmp_path: Path) -> None:
    pid, _, ann = media_project(server, SCHEMA, [png(tmp_path / "street.png", 200, 150)])
    page = open_media(new_context, ann, pid)
    P = lambda x, y: image_point(page, x, y)  # noqa: E731
    page.keyboard.down("Alt")
    page.mouse.click(*P(20, 20))  # Alt+click starts a polyline
    page.keyboard.up("Alt")
    page.mouse.click(*P(120, 20))
    page.mouse.click(*P(120, 120))
    page.keyboard.press("Enter")
    page.mouse.click(*P(120, 70))  # select it by its vertical segment, then insert a vertex there
    page.mouse.click(*P(120, 70))
    expect(page.locator(".image-canvas")).to_have_attribute("data-vertex", "2")
    page.mouse.click(*P(70, 20))  # insert on the first segment: no closing edge on a polyline
    page.keyboard.press("Delete")
    page.keyboard.down("Alt")
    for x, y in ((120, 120), (120, 70), (120, 20)):
        page.mouse.click(*P(x, y))
    page.keyboard.up("Alt")
    expect(page.locator(".image-view .media-status")).to_contain_text("keeps at least 2 vertices")
    result = submit_and_check(page, ann, pid, SCHEMA)
    (line,) = result["areas"]
    assert line["closed"] is False
    assert [pytest.approx(p, abs=1.0) for p in line["points"]] == [[20, 20], [120, 20]]


BOX_SCHEMA = {"fields": {"image": "image"}, "labels": [
    {"name": "objects", "kind": "bbox", "field": "image", "options": ["car"]}]}


def test_large_image_tiles_when_zoomed_in(server: Server, new_context, tmp_path: Path) -> None:
    """6000 x 4000: the display copy is 4096 wide; zoomed in past it, the server's full-size tiles of the
    visible part are drawn, and a box drawn there is stored in full-resolution pixels."""
    pid, _, ann = media_project(server, BOX_SCHEMA, [png(tmp_path / "big.png", 6000, 4000)])
    page = open_media(new_context, ann, pid)
    canvas = page.locator(".image-canvas")
    expect(canvas).to_have_attribute("data-tiles", "0")  # fitted: the display copy is sharp enough
    box = canvas.bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + 430, box["y"] + 280)  # (3000, 2000) in the image
    with page.expect_request(lambda r: "/tile?level=0&col=" in r.url):
        page.mouse.wheel(0, -1200)  # 0.14 -> 0.85 screen pixels per image pixel
    expect(canvas).to_have_attribute("data-tile-level", "0")
    # x 2492..3508, y 1669..2331 is visible: columns 4..6 and rows 3..4 of 512-pixel tiles
    expect(canvas).to_have_attribute("data-tiles", "6", timeout=20000)
    P = lambda x, y: image_point(page, x, y)  # noqa: E731

    def pixel(x: float, y: float) -> list[int]:
        sx, sy = P(x, y)
        return list(page.evaluate("""([x, y]) => {
          const c = document.querySelector('.image-canvas');
          const r = window.devicePixelRatio || 1;
          return Array.from(c.getContext('2d').getImageData(Math.round(x * r), Math.round(y * r), 1, 1).data);
        }""", [sx - box["x"], sy - box["y"]]))

    # the tiles sit where they belong: the yellow rectangle ends at x 3000 and y 2000
    assert pixel(2990, 1900)[:3] == [230, 200, 40] and pixel(3010, 1900)[:3] == [40, 90, 160]
    assert pixel(2900, 1990)[:3] == [230, 200, 40] and pixel(2900, 2010)[:3] == [40, 90, 160]
    drag(page, P(2900, 1900), P(3100, 2100))
    expect(page.locator(".object-row")).to_have_count(1)
    result = submit_and_check(page, ann, pid, BOX_SCHEMA)
    (got,) = result["objects"]
    assert (got["x"], got["y"], got["width"], got["height"]) == pytest.approx((2900, 1900, 200, 200), abs=1.0)
