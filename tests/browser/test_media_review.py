"""Media review and pre-labels in a real browser: two annotators' boxes on one image overlaid in the
review view (one colour and a toggle per annotator, matches by IoU >= 0.5 counted), and an image
pre-label drawn dashed, accepted with P and stored as the annotator's. Checked through the API."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import Server, User, login_fast
from tests.browser.test_media_ui import media_project, submit_and_check
from tests.media_files import png

pytestmark = pytest.mark.browser

SCHEMA = {"fields": {"image": "image"}, "labels": [
    {"name": "objects", "kind": "bbox", "field": "image", "options": ["car", "person"]}]}


def box(x: float, y: float, w: float, h: float, label: str) -> dict[str, Any]:
    return {"x": x, "y": y, "width": w, "height": h, "label": label}


def submit_api(user: User, pid: int, result: dict[str, Any]) -> int:
    with user.api() as api:
        task = api.post(f"/projects/{pid}/tasks/next").json()
        r = api.post(f"/projects/{pid}/tasks/{task['id']}/submit", json={"result": result})
        assert r.status_code == 201, r.text
        return int(task["id"])


def test_review_overlays_two_annotators_with_matches(server: Server, new_context, tmp_path: Path) -> None:
    pid, admin, ann = media_project(server, SCHEMA, [png(tmp_path / "street.png", 200, 150)])
    other = server.user("annotator")
    reviewer = server.user("reviewer")
    with admin.api() as api:
        assert api.patch(f"/projects/{pid}", json={"overlap": 2}).status_code == 200
        for u, role in ((other, "annotator"), (reviewer, "reviewer")):
            assert api.post(f"/projects/{pid}/members", json={"email": u.email, "role": role}).status_code == 201
    # one car both drew (IoU ~0.87), one person each far apart (no match), one car only the first drew
    item = submit_api(ann, pid, {"objects": [box(10, 10, 50, 40, "car"), box(100, 60, 30, 30, "person"),
                                             box(150, 10, 30, 20, "car")]})
    assert submit_api(other, pid, {"objects": [box(12, 11, 50, 40, "car"), box(20, 100, 20, 20, "person")]}) == item
    with reviewer.api() as api:
        queued = api.get(f"/projects/{pid}/review/queue").json()
    assert [len(i["annotations"]) for i in queued] == [2]

    context = new_context()
    login_fast(context, reviewer)
    page = context.new_page()
    page.goto(f"/projects/{pid}/review")
    view = page.locator(".overlay-view")
    expect(view).to_have_attribute("data-ready", "true")
    summary = view.locator(".overlay-summary")
    expect(summary).to_have_attribute("data-matches", "1")
    expect(summary).to_contain_text("1 match")
    expect(summary).to_contain_text(f"{ann.email}: 1/3 matched")
    expect(summary).to_contain_text(f"{other.email}: 1/2 matched")
    toggles = view.locator(".overlay-toggle input")
    expect(toggles).to_have_count(2)
    expect(view).to_have_attribute("data-shown", f"{ann.email},{other.email}")
    view.locator(f"input[data-annotator='{other.email}']").uncheck()
    expect(view).to_have_attribute("data-shown", ann.email)
    # the overlay drew something in each annotator's colour (red first, green second)
    view.locator(f"input[data-annotator='{other.email}']").check()
    colours = page.evaluate("""() => {
      const c = document.querySelector('.overlay-canvas');
      const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      let red = 0, green = 0;
      for (let i = 0; i < d.length; i += 4) {
        if (d[i] > 200 && d[i + 1] < 60 && d[i + 2] < 100) red++;
        if (d[i] < 90 && d[i + 1] > 150 && d[i + 2] < 100) green++;
      }
      return [red, green];
    }""")
    assert colours[0] > 50 and colours[1] > 50, colours


def test_image_prelabel_dashed_then_accepted_with_p(server: Server, new_context, tmp_path: Path) -> None:
    pid, admin, ann = media_project(server, SCHEMA, [png(tmp_path / "street.png", 200, 150)])
    with admin.api() as api:
        first = api.get(f"/projects/{pid}/items").json()["items"][0]
        full = api.get(f"/projects/{pid}/items/{first['id']}").json()
        pred = {"model": "detector-1", "score": 0.9, "result": {"objects": [box(20, 30, 60, 40, "person")]}}
        r = api.post(f"/projects/{pid}/records", json={"records": [
            {"key": "pre", "image": full["data"]["image"], "meta": full["meta"], "predictions": [pred]}]})
        assert r.status_code < 300, r.text
    with ann.api() as api:  # the item without predictions is skipped: the pre-labelled one comes next
        task = api.post(f"/projects/{pid}/tasks/next").json()
        if not task.get("predictions"):
            assert api.post(f"/projects/{pid}/tasks/{task['id']}/skip", json={"reason": "test"}).status_code == 200
    context = new_context()
    login_fast(context, ann)
    page = context.new_page()
    page.goto(f"/projects/{pid}/annotate")
    view = page.locator(".image-view")
    expect(view).to_have_attribute("data-ready", "true")
    expect(view).to_have_attribute("data-prelabels", "objects")  # drawn dashed
    expect(page.locator(".prelabel-note")).to_contain_text("detector-1")
    expect(page.locator(".object-row")).to_have_count(1)
    expect(page.locator(".object-row")).to_contain_text("pre-label")
    page.keyboard.press("p")
    expect(view).to_have_attribute("data-prelabels", "")  # the annotator's now: solid
    result = submit_and_check(page, ann, pid, SCHEMA)
    assert result == {"objects": [box(20, 30, 60, 40, "person")]}
