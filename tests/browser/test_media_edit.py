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
