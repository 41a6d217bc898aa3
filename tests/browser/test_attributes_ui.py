"""Per-object attributes in the image editor, in real Chromium against the real server: a new box gets the
schema's defaults, its attributes are set by keyboard in the panel next to the object list (with undo and
redo), and the stored result carries them and validates against the schema."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import Server
from tests.browser.test_media_ui import drag, image_point, media_project, open_media, submit_and_check
from tests.media_files import png, wav

pytestmark = pytest.mark.browser

SCHEMA = {"fields": {"image": "image"}, "labels": [
    {"name": "objects", "kind": "bbox", "field": "image", "options": ["car", "person"], "attributes": [
        {"name": "occluded", "type": "boolean", "default": False},
        {"name": "color", "type": "choice", "options": ["red", "blue"], "required": True},
        {"name": "parts", "type": "multi_choice", "options": ["door", "wheel"]},
        {"name": "plate", "type": "text", "only_for": ["car"]},
        {"name": "seats", "type": "number", "min": 1, "max": 9, "integer": True, "default": 4, "only_for": ["car"]},
    ]},
]}  # fmt: skip


def test_box_attributes_by_keyboard(server: Server, new_context, tmp_path: Path) -> None:
    pid, _, ann = media_project(server, SCHEMA, [png(tmp_path / "street.png", 200, 150)])
    page = open_media(new_context, ann, pid)
    P = lambda x, y: image_point(page, x, y)  # noqa: E731
    panel = page.get_by_role("region", name="Object attributes")
    expect(panel).to_contain_text("Select an object to edit its attributes.")
    drag(page, P(20, 20), P(80, 60))  # a new box is selected, with the defaults filled in
    expect(panel).to_contain_text("car · bbox 1")
    occluded = panel.get_by_label("occluded", exact=True)
    color = panel.get_by_label("color (required)")
    expect(occluded).not_to_be_checked()
    expect(panel.get_by_label("seats")).to_have_value("4")
    page.keyboard.press("a")  # A focuses the first attribute
    expect(occluded).to_be_focused()
    page.keyboard.press("Space")
    expect(occluded).to_be_checked()
    page.keyboard.press("Tab")
    expect(color).to_be_focused()
    page.keyboard.press("b")  # type-ahead picks "blue"
    expect(color).to_have_value("blue")
    page.keyboard.press("Escape")  # back to the image, where Ctrl+Z and Enter work
    expect(page.locator(".image-canvas")).to_be_focused()
    page.keyboard.press("Control+z")  # undo takes the colour back, redo restores it
    expect(color).to_have_value("")
    expect(occluded).to_be_checked()
    page.keyboard.press("Control+Shift+z")
    expect(color).to_have_value("blue")
    # the draft the server keeps has them too
    item = page.locator("#task").get_attribute("data-item")
    want = {"occluded": True, "color": "blue", "seats": 4}
    draft = None
    for _ in range(100):
        with ann.api() as api:
            draft = api.get(f"/projects/{pid}/tasks/{item}").json()["draft"]
        if draft and draft["objects"][0].get("attributes") == want:
            break
        page.wait_for_timeout(100)
    assert draft and draft["objects"][0]["attributes"] == want, draft
    # a second box relabelled to person loses the car-only attributes its defaults gave it
    drag(page, P(100, 80), P(160, 130))
    expect(panel).to_contain_text("car · bbox 2")
    page.keyboard.press("2")
    expect(panel).to_contain_text("person · bbox 2")
    expect(panel.get_by_label("seats")).to_have_count(0)
    page.keyboard.press("a")
    page.keyboard.press("Tab")
    page.keyboard.press("r")
    expect(color).to_have_value("red")
    page.keyboard.press("Escape")
    result = submit_and_check(page, ann, pid, SCHEMA)
    assert [(b["label"], b["attributes"]) for b in result["objects"]] == [
        ("car", {"occluded": True, "color": "blue", "seats": 4}),
        ("person", {"occluded": False, "color": "red"}),
    ]


AUDIO_SCHEMA = {"fields": {"call": "audio"}, "labels": [
    {"name": "speech", "kind": "audio_ranges", "field": "call", "options": ["alice", "bob"], "attributes": [
        {"name": "overlapping", "type": "boolean", "default": False},
        {"name": "tone", "type": "choice", "options": ["calm", "angry"], "required": True},
    ]},
]}  # fmt: skip


def test_audio_range_attributes_in_the_shared_panel(server: Server, new_context, tmp_path: Path) -> None:
    pid, _, ann = media_project(server, AUDIO_SCHEMA, [wav(tmp_path / "call.wav", 20.0, rate=8000)])
    page = open_media(new_context, ann, pid)
    wave = page.locator(".waveform")
    box = wave.bounding_box()
    assert box is not None
    panel = page.get_by_role("region", name="Object attributes")
    drag(page, (box["x"] + 860 * 4 / 20, box["y"] + 50), (box["x"] + 860 * 9 / 20, box["y"] + 50))
    expect(panel.get_by_label("Object to edit")).to_have_value("speech#0")  # a new range is chosen
    tone = panel.get_by_label("tone (required)")
    tone.focus()
    page.keyboard.press("a")  # type-ahead in the select: "angry"
    expect(tone).to_have_value("angry")
    page.keyboard.press("Escape")
    page.evaluate("document.activeElement && document.activeElement.blur()")
    result = submit_and_check(page, ann, pid, AUDIO_SCHEMA)
    (seg,) = result["speech"]
    assert seg["attributes"] == {"overlapping": False, "tone": "angry"}
