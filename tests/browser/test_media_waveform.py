"""Waveform zoom and pan in real Chromium against the real server: the visible window's peaks come from
the server at the new resolution, and a region drawn while zoomed in is stored at the right times."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import Server
from tests.browser.test_media_ui import AUDIO_SCHEMA, drag, media_project, open_media, submit_and_check
from tests.media_files import wav

pytestmark = pytest.mark.browser


def test_zoom_pan_and_a_region_drawn_zoomed_in(server: Server, new_context, tmp_path: Path) -> None:
    pid, _, ann = media_project(server, AUDIO_SCHEMA, [wav(tmp_path / "call.wav", 20.0, rate=8000)])
    page = open_media(new_context, ann, pid)
    view = page.locator(".audio-view")
    expect(view).to_have_attribute("data-zoom", "1")
    overview = "0-20:625"  # the whole file: its 625 blocks of 256 samples (fewer than 2 per pixel)
    expect(view).to_have_attribute("data-peaks", overview)
    # the + button zooms around the middle: 10 s wide, then 5 s wide around 10 s
    with page.expect_request(lambda r: "/peaks?" in r.url and "start=7.5&end=12.5" in r.url):
        page.get_by_role("button", name="Zoom in").click()
        page.get_by_role("button", name="Zoom in").click()
    expect(view).to_have_attribute("data-zoom", "4")
    expect(view).to_have_attribute("data-view-start", "7.5")
    expect(view).to_have_attribute("data-view-end", "12.5")
    # the window's peaks: whole 256-sample blocks from 7.488 s (block 234) to 12.512 s (block 391)
    expect(view).to_have_attribute("data-peaks", "7.49-12.51:157")
    wave = page.locator(".waveform")
    box = wave.bounding_box()
    assert box is not None
    # 5 s over 860 px: from 8.5 s to 11.5 s
    drag(page, (box["x"] + 860 * 0.2, box["y"] + 50), (box["x"] + 860 * 0.8, box["y"] + 50))
    expect(page.locator(".region-row")).to_have_count(1)
    # Shift + wheel pans by the wheel's pixels (172 px of 860 is a fifth of the 5 s window: 1 s)
    page.mouse.move(box["x"] + 430, box["y"] + 50)
    page.keyboard.down("Shift")
    page.mouse.wheel(0, 172)
    page.keyboard.up("Shift")
    expect(view).to_have_attribute("data-view-start", "8.5")
    # Ctrl + wheel zooms in at the mouse: 11 s (the middle of 8.5..13.5) stays under it
    page.keyboard.down("Control")
    page.mouse.wheel(0, -346.5736)  # exp(0.002 * 346.57) = 2
    page.keyboard.up("Control")
    expect(view).to_have_attribute("data-zoom", "8")
    expect(view).to_have_attribute("data-view-start", "9.75")
    expect(view).to_have_attribute("data-view-end", "12.25")
    # a region drawn zoomed in, from 10 s to 10.5 s
    drag(page, (box["x"] + 860 * 0.1, box["y"] + 50), (box["x"] + 860 * 0.3, box["y"] + 50))
    expect(page.locator(".region-row")).to_have_count(2)
    wave.focus()
    page.keyboard.press("0")  # 0 fits the whole file again
    expect(view).to_have_attribute("data-zoom", "1")
    expect(view).to_have_attribute("data-peaks", overview)
    page.keyboard.press("Escape")
    page.evaluate("document.activeElement && document.activeElement.blur()")
    result = submit_and_check(page, ann, pid, AUDIO_SCHEMA)
    first, second = sorted(result["speech"], key=lambda r: r["start"])
    assert (first["start"], first["end"]) == pytest.approx((8.5, 11.5), abs=0.02)
    assert (second["start"], second["end"]) == pytest.approx((10.0, 10.5), abs=0.02)
