"""Review overlays of audio ranges, time-series ranges and video tracks in real Chromium against the real
server: two annotators' work on one waveform / plot / timeline, matches (same label, temporal IoU or mean
per-frame IoU >= 0.5) and non-matches listed, toggles per annotator. Results are submitted through the API."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.browser.helpers import Server, User, login_fast
from tests.browser.test_media_review import submit_api
from tests.browser.test_media_ui import AUDIO_SCHEMA, SERIES_SCHEMA, VIDEO_SCHEMA, media_project
from tests.media_files import series_csv, wav, webm

DASH = "\u2013"  # the en dash the match list puts between start and end

pytestmark = pytest.mark.browser


def two_annotators(server: Server, schema: dict[str, Any], media: Path, first: dict[str, Any],
                   second: dict[str, Any], new_context) -> tuple[Page, User, User]:
    """Both annotators submit the one item; the reviewer's page shows the overlay."""
    pid, admin, ann = media_project(server, schema, [media])
    other = server.user("annotator")
    reviewer = server.user("reviewer")
    with admin.api() as api:
        assert api.patch(f"/projects/{pid}", json={"overlap": 2}).status_code == 200
        for u, role in ((other, "annotator"), (reviewer, "reviewer")):
            assert api.post(f"/projects/{pid}/members", json={"email": u.email, "role": role}).status_code == 201
    item = submit_api(ann, pid, first)
    assert submit_api(other, pid, second) == item
    context = new_context()
    login_fast(context, reviewer)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"/projects/{pid}/review")
    expect(page.locator(".overlay-view")).to_have_attribute("data-ready", "true", timeout=15000)
    assert not errors, errors
    return page, ann, other


def rows(view: Locator, status: str) -> Locator:
    return view.locator(f".overlay-match[data-status={status}]")


def only_match(view: Locator) -> Locator:
    """The one matched row (there must be exactly one)."""
    matched = rows(view, "matched")
    expect(matched).to_have_count(1)
    return matched.first


def test_audio_ranges_overlay(server: Server, new_context, tmp_path: Path) -> None:
    first = {"speech": [{"start": 1, "end": 5, "label": "alice"}, {"start": 10, "end": 12, "label": "bob"},
                        {"start": 15, "end": 18, "label": "alice"}]}
    # 1.5-5.5 matches 1-5 (3.5 / 4.5 = 0.78); 10-12 has another label; 16.8-19 overlaps 15-18 by 1.2 / 4 = 0.3
    second = {"speech": [{"start": 1.5, "end": 5.5, "label": "alice"}, {"start": 10, "end": 12, "label": "alice"},
                         {"start": 16.8, "end": 19, "label": "alice"}]}
    page, ann, other = two_annotators(server, AUDIO_SCHEMA, wav(tmp_path / "call.wav", 20.0), first, second,
                                      new_context)
    view = page.locator(".ranges-overlay-view")
    expect(view.locator(".ranges-overlay")).to_be_visible()
    summary = view.locator(".overlay-summary")
    expect(summary).to_have_attribute("data-matches", "1")
    expect(summary).to_contain_text("temporal IoU ≥ 0.5")
    expect(summary).to_contain_text(f"{ann.email}: 1/3 matched")
    match = only_match(view)
    expect(match).to_have_attribute("data-iou", "0.78")
    expect(match).to_have_attribute("data-annotators", f"{ann.email},{other.email}")
    expect(match).to_contain_text(f"1{DASH}5 s")
    expect(match).to_contain_text(f"1.50{DASH}5.50 s")
    expect(rows(view, "unmatched")).to_have_count(4)
    expect(view.locator(".overlay-legend")).to_contain_text("dashed")
    # hiding an annotator hides their rows (and the match with them)
    view.locator(f"input[data-annotator='{other.email}']").uncheck()
    expect(view).to_have_attribute("data-shown", ann.email)
    expect(view.locator(".overlay-match:visible")).to_have_count(2)
    expect(view.locator(f".overlay-match:visible[data-annotators='{ann.email}']")).to_have_count(2)


def test_series_ranges_overlay(server: Server, new_context, tmp_path: Path) -> None:
    first = {"events": [{"start": 100, "end": 300, "label": "spike"}, {"start": 500, "end": 600, "label": "drift"}]}
    second = {"events": [{"start": 120, "end": 300, "label": "spike"}, {"start": 500, "end": 600, "label": "spike"}]}
    page, _, _ = two_annotators(server, SERIES_SCHEMA, series_csv(tmp_path / "s.parquet", 1000), first, second,
                                new_context)
    view = page.locator(".ranges-overlay-view")
    expect(view.locator(".overlay-summary")).to_have_attribute("data-matches", "1")
    match = only_match(view)
    expect(match).to_have_attribute("data-iou", "0.90")  # 180 / 200
    expect(match).to_contain_text(f"samples 100{DASH}300")
    expect(rows(view, "unmatched")).to_have_count(2)


def track(tid: int, label: str, a: int, b: int, x: float, y: float) -> dict[str, Any]:
    return {"track_id": tid, "label": label, "frames": [
        {"frame": a, "x": x, "y": y, "width": 30, "height": 30, "keyframe": True},
        {"frame": b, "x": x + 20, "y": y, "width": 30, "height": 30, "keyframe": True}]}


def test_video_tracks_overlay(server: Server, new_context, tmp_path: Path) -> None:
    first = {"vehicles": [track(1, "car", 0, 9, 10, 10), track(2, "bike", 20, 29, 60, 60)]}
    # track 7 follows track 1 two pixels lower (IoU 28/32 = 0.875 per frame); track 8 is elsewhere
    second = {"vehicles": [track(7, "car", 0, 9, 10, 12), track(8, "bike", 0, 4, 100, 60)]}
    page, ann, other = two_annotators(server, VIDEO_SCHEMA, webm(tmp_path / "clip.webm", 40, fps=10), first, second,
                                      new_context)
    view = page.locator(".video-overlay-view")
    expect(view.locator(".overlay-summary")).to_have_attribute("data-matches", "1")
    expect(view.locator(".overlay-summary")).to_contain_text("mean per-frame IoU")
    match = only_match(view)
    expect(match).to_have_attribute("data-iou", "0.88")
    expect(match).to_contain_text(f"track #1 frames 0{DASH}9")
    expect(match).to_contain_text(f"track #7 frames 0{DASH}9")
    expect(rows(view, "unmatched")).to_have_count(2)
    expect(view).to_have_attribute("data-frame", "0")
    expect(view).to_have_attribute("data-boxes-on-frame", "3")  # tracks 1, 7 and 8
    view.locator("input[aria-label=Frame]").fill("25")
    expect(view).to_have_attribute("data-frame", "25")
    expect(view).to_have_attribute("data-boxes-on-frame", "1")  # track 2
    view.locator(f"input[data-annotator='{ann.email}']").uncheck()
    expect(view).to_have_attribute("data-boxes-on-frame", "0")
    expect(view).to_have_attribute("data-shown", other.email)
