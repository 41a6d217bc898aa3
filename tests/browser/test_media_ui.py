"""Image, audio, video and time-series annotation in real Chromium against the real server. Each test
checks the submitted result through the API and validates it against the schema with the item's facts."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from labelwise.domain.schema import parse_schema
from tests.browser.helpers import Server, User, open_page
from tests.media_files import png, series_csv, wav, webm

pytestmark = pytest.mark.browser

IMAGE_SCHEMA = {"fields": {"image": "image"}, "labels": [
    {"name": "objects", "kind": "bbox", "field": "image", "options": ["car", "person"]},
    {"name": "areas", "kind": "polygon", "field": "image", "options": ["road"]},
    {"name": "pose", "kind": "keypoints", "field": "image", "options": ["person"], "keypoints": ["head", "hand"],
     "skeleton": [["head", "hand"]]},
    {"name": "paint", "kind": "mask", "field": "image", "options": ["sky"]},
]}


def media_project(server: Server, schema: dict[str, Any], files: list[Path]) -> tuple[int, User, User]:
    admin = server.user("admin", is_admin=True)
    ann = server.user("annotator")
    with admin.api() as api:
        api.timeout = 120
        r = api.post("/projects", json={"name": f"M {uuid.uuid4().hex[:6]}", "schema": schema})
        assert r.status_code == 201, r.text
        pid = r.json()["id"]
        handles = [("files", (f.name, f.open("rb"))) for f in files]
        try:
            r = api.post(f"/projects/{pid}/media", files=handles)
        finally:
            for _, (_, fh) in handles:
                fh.close()
        assert r.status_code == 201, r.text
        assert api.post(f"/projects/{pid}/members", json={"email": ann.email, "role": "annotator"}).status_code == 201
    return pid, admin, ann


def open_media(new_context, user: User, pid: int, timeout: float = 15000) -> Page:
    errors: list[str] = []
    page = open_page(new_context, user, f"/projects/{pid}/annotate", page_errors=errors)
    try:
        expect(page.locator(".media-view[data-ready=true]")).to_be_visible(timeout=timeout)
    finally:
        assert not errors, errors
    return page


def submit_and_check(page: Page, user: User, pid: int, schema: dict[str, Any]) -> dict[str, Any]:
    """Press Enter, then read the submission back and validate it against the schema and the facts."""
    with user.api() as api:
        def submitted() -> list[dict[str, Any]]:  # the history also lists skips, which are there already
            return [r for r in api.get(f"/projects/{pid}/history").json() if r["status"] == "submitted"]

        before = len(submitted())
        page.keyboard.press("Enter")
        rows: list[dict[str, Any]] = []
        for _ in range(50):
            rows = submitted()
            if len(rows) > before:
                break
            page.wait_for_timeout(100)
        assert len(rows) > before, f"nothing submitted: {page.locator('#task').inner_text()[:500]}"
        result = rows[0]["result"]
        full = api.get(f"/projects/{pid}/items/{rows[0]['item_id']}")
    data = full.json() if full.status_code == 200 else None
    if data is None:  # annotators may not browse: the facts are the same as the import computed
        return result
    parse_schema(schema).validate_result(result, data["data"], (data["meta"] or {}).get("media"))
    return result


def image_point(page: Page, x: float, y: float) -> tuple[float, float]:
    canvas = page.locator(".image-canvas")
    box = canvas.bounding_box()
    assert box is not None
    s, ox, oy = (float(canvas.get_attribute(f"data-{k}") or 0) for k in ("scale", "ox", "oy"))
    return box["x"] + ox + x * s, box["y"] + oy + y * s


def drag(page: Page, a: tuple[float, float], b: tuple[float, float], steps: int = 6) -> None:
    page.mouse.move(*a)
    page.mouse.down()
    page.mouse.move(*b, steps=steps)
    page.mouse.up()


def test_image_box_polygon_keypoints_mask(server: Server, new_context, tmp_path: Path) -> None:
    pid, admin, ann = media_project(server, IMAGE_SCHEMA, [png(tmp_path / "street.png", 200, 150)])
    page = open_media(new_context, ann, pid)
    P = lambda x, y: image_point(page, x, y)  # noqa: E731
    # a box: draw, move, resize
    drag(page, P(20, 20), P(80, 60))
    drag(page, P(50, 40), P(60, 50))
    drag(page, P(90, 70), P(100, 90))
    # a polygon: three clicks and Enter, then drag its first vertex
    page.locator(".media-option[data-label=areas]").click()
    for x, y in ((120, 20), (180, 20), (150, 70)):
        page.mouse.click(*P(x, y))
    page.keyboard.press("Enter")
    page.mouse.click(*P(150, 35))  # select it
    drag(page, P(120, 20), P(125, 10))
    # keypoints: head, then hand
    page.locator(".media-option[data-label=pose]").click()
    page.mouse.click(*P(30, 110))
    page.mouse.click(*P(50, 130))
    # a mask stroke
    page.locator(".media-option[data-label=paint]").click()
    drag(page, P(150, 110), P(180, 110), steps=10)
    expect(page.locator(".object-row")).to_have_count(4)
    result = submit_and_check(page, ann, pid, IMAGE_SCHEMA)
    (box,) = result["objects"]
    assert box["label"] == "car"
    assert (box["x"], box["y"]) == pytest.approx((30, 30), abs=1.0)
    assert (box["width"], box["height"]) == pytest.approx((70, 60), abs=1.0)
    (area,) = result["areas"]
    assert area["points"][0] == pytest.approx([125, 10], abs=1.0)
    assert area["points"][1:] == [pytest.approx([180, 20], abs=1.0), pytest.approx([150, 70], abs=1.0)]
    (pose,) = result["pose"]
    assert pose["points"]["head"] == pytest.approx([30, 110], abs=1.0)
    assert pose["points"]["hand"] == pytest.approx([50, 130], abs=1.0)
    (mask,) = result["paint"]
    counts = mask["rle"]["counts"]
    assert mask["rle"]["size"] == [150, 200] and sum(counts) == 150 * 200
    assert 200 < sum(counts[1::2]) < 900  # a 30 px stroke of a 12 px brush
    with admin.api() as api:
        item = api.get(f"/projects/{pid}/items").json()["items"][0]
        full = api.get(f"/projects/{pid}/items/{item['id']}").json()
    parse_schema(IMAGE_SCHEMA).validate_result(result, full["data"], full["meta"]["media"])


AUDIO_SCHEMA = {"fields": {"audio": "audio"}, "labels": [
    {"name": "speech", "kind": "audio_ranges", "field": "audio", "options": ["alice", "bob"]}]}


def test_audio_region_and_transcript(server: Server, new_context, tmp_path: Path) -> None:
    pid, admin, ann = media_project(server, AUDIO_SCHEMA, [wav(tmp_path / "call.wav", 20.0, rate=8000)])
    page = open_media(new_context, ann, pid)
    wave = page.locator(".waveform")
    box = wave.bounding_box()
    assert box is not None
    # 20 s over 860 px: from 4 s to 9 s
    drag(page, (box["x"] + 860 * 4 / 20, box["y"] + 50), (box["x"] + 860 * 9 / 20, box["y"] + 50))
    row = page.locator(".region-row")
    expect(row).to_have_count(1)
    row.locator("select").select_option("bob")
    row.locator(".transcript").fill("Hi Alice.")
    row.locator(".transcript").press("Tab")
    # seek by a click, and the speed control
    page.mouse.click(box["x"] + 430, box["y"] + 20)
    page.locator(".audio-view select[aria-label=Speed]").select_option("1.5")
    audio = page.locator(".audio-view audio")
    expect(audio).to_have_js_property("playbackRate", 1.5)
    # the click asked for 10 s; waited for, as the element loads its metadata in its own time
    # a function, not an expression: Playwright evals an expression when it polls, which the page's CSP refuses
    page.wait_for_function("() => Math.abs(document.querySelector('.audio-view audio').currentTime - 10) <= 0.2")
    page.evaluate("document.activeElement && document.activeElement.blur()")
    result = submit_and_check(page, ann, pid, AUDIO_SCHEMA)
    (seg,) = result["speech"]
    assert seg["label"] == "bob" and seg["text"] == "Hi Alice."
    assert (seg["start"], seg["end"]) == pytest.approx((4, 9), abs=0.1)
    with admin.api() as api:
        item = api.get(f"/projects/{pid}/items").json()["items"][0]
        full = api.get(f"/projects/{pid}/items/{item['id']}").json()
    parse_schema(AUDIO_SCHEMA).validate_result(result, full["data"], full["meta"]["media"])


VIDEO_SCHEMA = {"fields": {"clip": "video"}, "labels": [
    {"name": "vehicles", "kind": "video_boxes", "field": "clip", "options": ["car", "bike"]}]}


def test_video_track_with_two_keyframes(server: Server, new_context, tmp_path: Path) -> None:
    pid, admin, ann = media_project(server, VIDEO_SCHEMA, [webm(tmp_path / "clip.webm", 40, fps=10)])
    page = open_media(new_context, ann, pid)
    canvas = page.locator(".video-overlay")
    cb = canvas.bounding_box()
    assert cb is not None
    s = float(canvas.get_attribute("data-scale") or 1)
    V = lambda x, y: (cb["x"] + x * s, cb["y"] + y * s)  # noqa: E731
    drag(page, V(10, 20), V(40, 50))  # frame 0: a 30 x 30 box at (10, 20)
    canvas.focus()
    for _ in range(29):
        page.keyboard.press("ArrowRight")
    expect(page.locator(".video-view")).to_have_attribute("data-frame", "29")
    drag(page, V(25, 35), V(85, 55))  # frame 29: moved by (60, 20): a keyframe
    expect(page.locator(".timeline-row")).to_have_count(1)
    expect(page.locator(".timeline-row")).to_contain_text("2 keyframes")
    page.evaluate("document.activeElement && document.activeElement.blur()")
    result = submit_and_check(page, ann, pid, VIDEO_SCHEMA)
    (track,) = result["vehicles"]
    frames = {f["frame"]: f for f in track["frames"]}
    assert sorted(frames) == list(range(30))
    assert [f for f, v in frames.items() if v["keyframe"]] == [0, 29]
    assert (frames[0]["x"], frames[0]["y"]) == pytest.approx((10, 20), abs=1.0)
    assert (frames[29]["x"], frames[29]["y"]) == pytest.approx((70, 40), abs=1.0)
    for f in (10, 15, 20):  # linear between the keyframes
        t = f / 29
        assert frames[f]["x"] == pytest.approx(frames[0]["x"] + t * (frames[29]["x"] - frames[0]["x"]), abs=0.02)
        assert frames[f]["y"] == pytest.approx(frames[0]["y"] + t * (frames[29]["y"] - frames[0]["y"]), abs=0.02)
        assert frames[f]["width"] == pytest.approx(frames[0]["width"], abs=0.02)
    with admin.api() as api:
        item = api.get(f"/projects/{pid}/items").json()["items"][0]
        full = api.get(f"/projects/{pid}/items/{item['id']}").json()
    parse_schema(VIDEO_SCHEMA).validate_result(result, full["data"], full["meta"]["media"])


SERIES_SCHEMA = {"fields": {"sensor": "timeseries"}, "labels": [
    {"name": "events", "kind": "time_ranges", "field": "sensor", "unit": "samples", "options": ["spike", "drift"]}]}


def test_series_range_on_a_million_points(server: Server, new_context, tmp_path: Path) -> None:
    pid, admin, ann = media_project(server, SERIES_SCHEMA, [series_csv(tmp_path / "sensor.parquet", 1_000_000)])
    page = open_media(new_context, ann, pid)
    c = page.locator(".series-canvas")
    cb = c.bounding_box()
    assert cb is not None
    # zoom in around the middle (the server sends the new window), then label by drag
    page.mouse.move(cb["x"] + 430, cb["y"] + 50)
    page.mouse.wheel(0, -300)
    expect(page.locator(".series-view")).not_to_have_attribute("data-window", "0-1000000")
    window = page.locator(".series-view").get_attribute("data-window") or ""
    start, end = (int(v) for v in window.split("-"))
    drag(page, (cb["x"] + 200, cb["y"] + 50), (cb["x"] + 600, cb["y"] + 50))
    expect(page.locator(".series-view .region-row")).to_have_count(1)
    page.evaluate("document.activeElement && document.activeElement.blur()")
    result = submit_and_check(page, ann, pid, SERIES_SCHEMA)
    (rng,) = result["events"]
    span = end - start
    assert rng["label"] == "spike"
    assert rng["start"] == pytest.approx(start + span * 200 / 860, abs=span / 400)
    assert rng["end"] == pytest.approx(start + span * 600 / 860, abs=span / 400)
    with admin.api() as api:
        item = api.get(f"/projects/{pid}/items").json()["items"][0]
        full = api.get(f"/projects/{pid}/items/{item['id']}").json()
    parse_schema(SERIES_SCHEMA).validate_result(result, full["data"], full["meta"]["media"])
