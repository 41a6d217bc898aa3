from __future__ import annotations


def test_import_annotate_export(world):
    m, a = world.manager.client, world.annotator.client
    r = m.post("/api/v1/projects/demo/import?format=jsonl", content=b'{"text":"hello"}\n{"text":"world","key":"k2"}\n')
    assert r.status_code == 201, r.text
    assert r.json()["created"] == 2
    task = a.post("/api/v1/projects/demo/tasks/next").json()
    r = a.post(f"/api/v1/projects/demo/tasks/{task['id']}/submit", json={"result": {"sentiment": "positive"}})
    assert r.status_code == 201, r.text
    lines = m.get("/api/v1/projects/demo/export").text.splitlines()
    assert len(lines) == 2
