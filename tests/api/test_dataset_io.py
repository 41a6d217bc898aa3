"""Datasets in and out through the API: labeled imports in every readable format, round trips, Label Studio
projects, snapshots (frozen exports, diff, card), and malformed input (422 naming file and place, never 500)."""

from __future__ import annotations

import gc
import io
import zipfile
from typing import Any

import orjson
import pytest

from tests.api.helpers import API, import_records, next_task, submit, texts

P = f"{API}/projects"
TEXT_SCHEMA = {"fields": {"text": "text"}, "labels": [
    {"name": "sentiment", "kind": "choice", "options": ["positive", "negative", "neutral"], "required": True},
    {"name": "entities", "kind": "spans", "field": "text", "options": ["PER", "ORG", "LOC"]},
]}
NER_SCHEMA = {"fields": {"text": "text"}, "labels": [
    {"name": "entities", "kind": "spans", "field": "text", "options": ["PER", "ORG", "LOC"]}]}
IMAGE_SCHEMA = {"fields": {"image": "image"}, "labels": [
    {"name": "boxes", "kind": "bbox", "field": "image", "options": ["cat", "dog"]}]}
LS_CONFIG = """<View>
  <Text name="text" value="$text"/>
  <Choices name="sentiment" toName="text"><Choice value="pos"/><Choice value="neg"/></Choices>
  <Labels name="ents" toName="text"><Label value="PER"/><Label value="ORG"/></Labels>
  <DateTime name="when" toName="text"/>
</View>"""


def _new_project(w: Any, name: str, schema: dict[str, Any]) -> None:
    r = w.admin.client.post(P, json={"name": name, "schema": schema})
    assert r.status_code == 201, r.text
    for role in ("manager", "annotator", "annotator2"):
        w.admin.client.post(f"{P}/{name}/members", json={"email": w.member(role).actor.email,
                                                         "role": "manager" if role == "manager" else "annotator"})


def _export(w: Any, project: str, fmt: str, **params: str) -> bytes:
    r = w.manager.client.get(f"{P}/{project}/export", params={"format": fmt, **params})
    assert r.status_code == 200, r.text
    return r.content


def _import(w: Any, project: str, body: bytes, fmt: str, *, expect: int = 201, **params: str) -> dict[str, Any]:
    r = w.manager.client.post(f"{P}/{project}/import", params={"format": fmt, "filename": f"in.{fmt}", **params},
                              content=body)
    assert r.status_code == expect, r.text
    return r.json()  # type: ignore[no-any-return]


def _annotate(w: Any, project: str, results: list[dict[str, Any]], who: str = "annotator") -> None:
    for result in results:
        task = next_task(w.member(who).client, project)
        assert task is not None
        assert submit(w.member(who).client, task["id"], result, project).status_code == 201


def _comparable(jsonl: bytes) -> list[dict[str, Any]]:
    """Records without what a new project renumbers (ids, times)."""
    out = []
    for line in jsonl.splitlines():
        rec = orjson.loads(line)
        out.append({"key": rec["key"], "state": rec["state"], "data": rec["data"], "meta": rec["meta"],
                    "predictions": rec["predictions"],
                    "annotations": [(a["annotator"], a["result"], a["schema_version"]) for a in rec["annotations"]]})
    return out


def test_native_jsonl_round_trip_with_annotations(world: Any) -> None:
    import_records(world, [{"key": f"k{i}", **t} for i, t in enumerate(texts(4))])
    _annotate(world, "demo", [{"sentiment": "positive", "entities": [{"start": 0, "end": 4, "label": "ORG"}]},
                              {"sentiment": "negative"}])
    _annotate(world, "demo", [{"sentiment": "neutral"}], who="annotator2")
    first = _export(world, "demo", "jsonl")
    _new_project(world, "copy", TEXT_SCHEMA)
    report = _import(world, "copy", first, "jsonl", labels="annotations")
    assert (report["created"], report["annotations"]) == (4, 3)
    again = _export(world, "copy", "jsonl")
    assert _comparable(again) == _comparable(first)
    states = world.manager.client.get(f"{P}/copy/items/count").json()
    assert states["by_state"]["annotated"] == 3 and states["by_state"]["new"] == 1
    # the queue agrees: annotated items are closed, only the new one is handed out
    task = next_task(world.annotator.client, "copy")
    assert task is not None and task["key"] == "k3"


def test_unknown_annotators_are_listed_or_imported_as_predictions(world: Any) -> None:
    rows = [{"key": "a", "data": {"text": "x"}, "annotations": [{"annotator": "ghost@example.org",
                                                                "result": {"sentiment": "positive"}}]},
            {"key": "b", "data": {"text": "y"}, "annotations": [{"annotator": "nobody",
                                                                "result": {"sentiment": "negative"}}]}]
    body = b"\n".join(orjson.dumps(r) for r in rows)
    r = world.manager.client.post(f"{P}/demo/import", params={"format": "jsonl", "labels": "annotations"},
                                  content=body)
    assert r.status_code == 422
    assert "'ghost@example.org'" in r.json()["detail"] and "'nobody'" in r.json()["detail"]
    assert world.manager.client.get(f"{P}/demo/items/count").json()["total"] == 0
    report = _import(world, "demo", body, "jsonl", labels="predictions", model="legacy")
    assert report["created"] == 2 and report["annotations"] == 0
    item = world.manager.client.get(f"{P}/demo/items", params={"limit": 1}).json()["items"][0]
    detail = world.manager.client.get(f"{P}/demo/items/{item['id']}").json()
    assert detail["predictions"][0]["model"] == "legacy"
    # attributed to one user instead
    rows2 = [{**r, "key": r["key"] + "2"} for r in rows]
    report = _import(world, "demo", b"\n".join(orjson.dumps(r) for r in rows2), "jsonl", labels="annotations",
                     annotator="annotator@example.org")
    assert report["annotations"] == 2


def test_invalid_annotation_names_file_record_and_reason(world: Any) -> None:
    body = orjson.dumps({"key": "a", "data": {"text": "x"}, "annotations": [
        {"annotator": "annotator@example.org", "result": {"sentiment": "furious"}}]})
    r = world.manager.client.post(f"{P}/demo/import", params={"format": "jsonl", "labels": "annotations",
                                                              "filename": "bad.jsonl"}, content=body)
    assert r.status_code == 422
    msg = r.json()["errors"][0]["msg"]
    assert "bad.jsonl: record 1 (key 'a'): annotation 0 by annotator@example.org" in msg and "furious" in msg


def test_conll_round_trip(world: Any) -> None:
    _new_project(world, "ner", NER_SCHEMA)
    import_records(world, [{"key": "d1", "text": "Ada Lovelace met Babbage in London"},
                           {"key": "d2", "text": "ACME hired مريم"}], project="ner")
    _annotate(world, "ner", [{"entities": [{"start": 0, "end": 12, "label": "PER"},
                                           {"start": 27, "end": 33, "label": "LOC"}]},
                             {"entities": [{"start": 0, "end": 4, "label": "ORG"},
                                           {"start": 11, "end": 15, "label": "PER"}]}])
    first = _export(world, "ner", "conll")
    _new_project(world, "ner2", NER_SCHEMA)
    report = _import(world, "ner2", first, "conll", annotator="annotator@example.org")
    assert (report["created"], report["annotations"]) == (2, 2)
    assert _export(world, "ner2", "conll") == first


def test_coco_round_trip(world: Any) -> None:
    _new_project(world, "img", IMAGE_SCHEMA)
    media = {"media": {"image": {"width": 64, "height": 48}}}
    rows = [{"key": f"im{i}", "data": {"image": f"http://x/{i}.jpg"}, "meta": media,
             "annotations": [{"annotator": "annotator@example.org", "result": {"boxes": [
                 {"x": 1 + i, "y": 2, "width": 10, "height": 5.5, "label": "cat"},
                 {"x": 20, "y": 3, "width": 4, "height": 4, "label": "dog"}]}}]} for i in range(3)]
    _import(world, "img", b"\n".join(orjson.dumps(r) for r in rows), "jsonl", labels="annotations")
    first = _export(world, "img", "coco")
    _new_project(world, "img2", IMAGE_SCHEMA)
    report = _import(world, "img2", first, "coco", annotator="annotator2@example.org")
    assert (report["created"], report["annotations"]) == (3, 3)
    assert _export(world, "img2", "coco") == first


AUDIO_SCHEMA = {"fields": {"audio": "audio"}, "labels": [
    {"name": "speech", "kind": "audio_ranges", "field": "audio", "options": ["A", "B"]}]}
CHOICE_SCHEMA = {"fields": {"text": "text"}, "labels": [
    {"name": "sentiment", "kind": "choice", "options": ["positive", "negative", "neutral"]},
    {"name": "topics", "kind": "multi_choice", "options": ["sport", "politics"]}]}


def test_hf_parquet_round_trip(world: Any) -> None:
    _new_project(world, "hf", CHOICE_SCHEMA)
    rows = [{"key": f"t{i}", "data": {"text": f"text {i}"}, "annotations": [
        {"annotator": "annotator@example.org", "result": result}]}
        for i, result in enumerate([{"sentiment": "negative", "topics": ["politics", "sport"]},
                                    {"sentiment": "neutral"}, {}])]
    _import(world, "hf", b"\n".join(orjson.dumps(r) for r in rows), "jsonl", labels="annotations")
    first = _export(world, "hf", "hf-parquet")
    _new_project(world, "hf2", CHOICE_SCHEMA)
    report = _import(world, "hf2", first, "hf-parquet", annotator="annotator2@example.org")
    assert (report["created"], report["annotations"]) == (3, 3)
    assert _export(world, "hf2", "hf-parquet") == first
    item = world.manager.client.get(f"{P}/hf2/items", params={"limit": 1}).json()["items"][0]
    detail = world.manager.client.get(f"{P}/hf2/items/{item['id']}").json()
    assert detail["annotations"][0]["result"] == {"sentiment": "negative", "topics": ["sport", "politics"]}


@pytest.mark.parametrize("fmt, params", [("ranges-jsonl", {}), ("ranges-csv", {}), ("webvtt", {"opt.voices": "1"}),
                                         ("srt", {})])
def test_ranges_and_subtitles_round_trip(world: Any, fmt: str, params: dict[str, str]) -> None:
    _new_project(world, "talk", AUDIO_SCHEMA)
    rows = [{"key": f"clip{i}", "data": {"audio": f"http://media.example/clip{i}.wav"}, "annotations": [
        {"annotator": "annotator@example.org", "result": {"speech": [
            {"start": 1.5 + i, "end": 2.25 + i, "label": "B", "text": "שלום\nworld"},
            {"start": 0, "end": 1, "label": "A" if fmt != "srt" else "B"}]}}]} for i in range(2)]
    _import(world, "talk", b"\n".join(orjson.dumps(r) for r in rows), "jsonl", labels="annotations")
    first = _export(world, "talk", fmt, **params)
    _new_project(world, "talk2", AUDIO_SCHEMA)
    opts = {"opt.media": "http://media.example/{key}.wav"} | ({"opt.value": "B"} if fmt == "srt" else {})
    report = _import(world, "talk2", first, fmt, annotator="annotator2@example.org", **opts)
    assert (report["created"], report["annotations"]) == (2, 2)
    assert _export(world, "talk2", fmt, **params) == first
    item = world.manager.client.get(f"{P}/talk2/items", params={"limit": 1}).json()["items"][0]
    detail = world.manager.client.get(f"{P}/talk2/items/{item['id']}").json()
    assert detail["data"] == {"audio": "http://media.example/clip0.wav"}
    speech = detail["annotations"][0]["result"]["speech"]
    assert {"start": 1.5, "end": 2.25, "label": "B", "text": "שלום\nworld"} in speech


def test_labelstudio_project_round_trip(world: Any) -> None:
    tasks = [{"data": {"text": "Ada met Bob"}, "meta": {"key": "t1"}, "annotations": [
        {"completed_by": {"email": "annotator@example.org"}, "result": [
            {"from_name": "sentiment", "to_name": "text", "type": "choices", "value": {"choices": ["pos"]}},
            {"id": "r1", "from_name": "ents", "to_name": "text", "type": "labels",
             "value": {"start": 0, "end": 3, "labels": ["PER"]}}]}]},
             {"data": {"text": "nothing"}, "meta": {"key": "t2"}, "annotations": []}]
    files = {"export": ("project.json", orjson.dumps(tasks)), "config": ("config.xml", LS_CONFIG.encode())}
    r = world.admin.client.post(f"{API}/labelstudio/import", params={"name": "from-ls"}, files=files)
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["untranslated"] == ["DateTime when"]
    assert {lab["name"] for lab in body["project"]["schema"]["labels"]} == {"sentiment", "ents"}
    assert body["import"]["created"] == 2 and body["import"]["annotations"] == 1
    first = world.admin.client.get(f"{P}/from-ls/export", params={"format": "labelstudio"}).content
    r = world.admin.client.post(f"{API}/labelstudio/import", params={"name": "from-ls-2"},
                                files={"export": ("again.json", first), "config": ("c.xml", LS_CONFIG.encode())})
    assert r.status_code == 201, r.text
    again = world.admin.client.get(f"{P}/from-ls-2/export", params={"format": "labelstudio"}).content

    def strip(doc: bytes) -> Any:
        out = orjson.loads(doc)
        for task in out:
            task.pop("id", None)
            for a in task["annotations"]:
                for k in ("id", "created_at", "updated_at", "lead_time"):
                    a.pop(k, None)
        return out

    assert strip(again) == strip(first)
    # a broken config or export leaves no project behind
    bad = world.admin.client.post(f"{API}/labelstudio/import", params={"name": "broken"},
                                  files={"export": ("x.json", b'[{"data": {}}, 3]'), "config": ("c.xml", LS_CONFIG)})
    assert bad.status_code == 422 and "task 1" in bad.json()["detail"]
    assert world.admin.client.get(f"{P}/broken").status_code == 404
    bad = world.admin.client.post(f"{API}/labelstudio/import", params={"name": "broken"},
                                  files={"export": ("x.json", b"[]"), "config": ("c.xml", b"<View><Text")})
    assert bad.status_code == 422


def _zip(files: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, data in files.items():
            z.writestr(name, data)
    return buf.getvalue()


@pytest.mark.parametrize(("project", "fmt", "body", "where"), [
    ("ner", "conll", b"-DOCSTART- -X- -X- O\n\nAda _ _ B-PER\nBob _ _ X-PER\n", "line 4"),
    ("ner", "conll", b"Ada _ _ B-PER\n\xff\n", "line 2"),
    ("ner", "ner-jsonl", b'{"text": "a", "spans": []}\n{"text": \n', "line 2"),
    ("ner", "spacy", b"not a zip", ""),
    ("img", "coco", b'{"images": [{"id": 1}], "categories": [], "annotations": [{"image_id": 9}]}',
     "annotations[0]"),
    ("img", "coco", b"{", ""),
    ("img", "voc", _zip({"Annotations/a.xml": b"<annotation><object>"}), "a.xml"),
    ("img", "yolo", _zip({"labels/a.txt": b"0 0.5 0.5 zz 0.1\n"}), ""),
    ("demo", "labelstudio", b'[{"data": {"text": "x"}, "annotations": [{"result": [{"from_name": "zzz"}]}]}]',
     "task 0"),
])
def test_malformed_input_is_a_422_naming_the_place(world: Any, no_500: None, project: str, fmt: str, body: bytes,
                                                   where: str) -> None:
    if project != "demo":
        _new_project(world, project, NER_SCHEMA if project == "ner" else IMAGE_SCHEMA)
    r = world.manager.client.post(f"{P}/{project}/import", params={"format": fmt, "filename": f"bad.{fmt}",
                                                                   "annotator": "annotator@example.org"},
                                  content=body)
    assert r.status_code == 422, r.text
    detail = r.json()["detail"]
    assert "bad." in detail and where in detail, detail
    assert world.manager.client.get(f"{P}/{project}/items/count").json()["total"] == 0


# ---- snapshots -------------------------------------------------------------------------------------


def test_snapshot_exports_stay_identical_and_diff_lists_the_changes(world: Any) -> None:
    ids = import_records(world, [{"key": f"k{i}", **t} for i, t in enumerate(texts(6))])
    _annotate(world, "demo", [{"sentiment": "positive"}, {"sentiment": "negative"}, {"sentiment": "neutral"}])
    m = world.manager.client
    r = m.post(f"{P}/demo/snapshots", json={"name": "v1"})
    assert r.status_code == 201, r.text
    v1 = r.json()
    assert (v1["items"], v1["annotations"], v1["name"]) == (6, 3, "v1")
    assert v1["summary"]["annotators"] == 1 and v1["summary"]["states"] == {"annotated": 3, "new": 3}
    exports = {fmt: m.get(f"{P}/demo/snapshots/{v1['id']}/export", params={"format": fmt}).content
               for fmt in ("jsonl", "csv", "parquet", "conll", "labelstudio")}
    assert exports["jsonl"] == _export(world, "demo", "jsonl")
    # the project moves on: more annotations, a second annotator, new items
    _annotate(world, "demo", [{"sentiment": "positive"}], who="annotator")  # item k3
    m.patch(f"{P}/demo", json={"overlap": 2})
    _annotate(world, "demo", [{"sentiment": "negative"}], who="annotator2")  # item k0 again
    import_records(world, [{"key": "k6", "text": "new one"}])
    for fmt, blob in exports.items():
        again = m.get(f"{P}/demo/snapshots/{v1['id']}/export", params={"format": fmt})
        assert again.status_code == 200 and again.content == blob, fmt
    v2 = m.post(f"{P}/demo/snapshots", json={}).json()
    assert v2["content_sha256"] != v1["content_sha256"] and v2["items"] == 7
    assert v2["summary"]["agreement"]["sentiment"]["items"] == 1
    diff = m.get(f"{P}/demo/snapshots/{v1['id']}/diff/{v2['id']}").json()
    assert diff["added"] == [{"id": diff["added"][0]["id"], "key": "k6"}]
    assert diff["removed"] == []
    assert sorted(x["key"] for x in diff["relabelled"]) == ["k0", "k3"]
    assert diff["counts"] == {"added": 1, "removed": 0, "relabelled": 2, "unchanged": 4}
    back = m.get(f"{P}/demo/snapshots/{v2['id']}/diff/{v1['id']}").json()
    assert [x["key"] for x in back["removed"]] == ["k6"]
    listed = m.get(f"{P}/demo/snapshots").json()
    assert [s["id"] for s in listed] == [v1["id"], v2["id"]]
    card = m.get(f"{P}/demo/snapshots/{v2['id']}/card")
    assert card.status_code == 200 and card.headers["content-type"].startswith("text/markdown")
    text = card.text
    for part in ("## Sources", "## Schema", "## Guidelines", "2 annotators (counted, not named)",
                 "Krippendorff", "## Known limits", v2["content_sha256"]):
        assert part in text, part
    assert "annotator@example.org" not in text
    assert ids  # the items existed before the first snapshot
    assert m.get(f"{P}/demo/snapshots/999999").status_code == 404
    assert m.get(f"{P}/demo/snapshots/{v1['id']}/export", params={"format": "nope"}).status_code == 422


def test_gc_is_paused_only_while_a_chunk_is_made() -> None:
    from labelwise.services.collector import paused

    seen: list[bool] = []

    def chunks() -> Any:
        seen.append(gc.isenabled())
        yield b"a"
        seen.append(gc.isenabled())
        raise ValueError("broken page")

    out = paused(chunks())
    assert next(out) == b"a" and gc.isenabled()
    with pytest.raises(ValueError, match="broken page"):
        next(out)
    assert seen == [False, False] and gc.isenabled()  # switched back on, also after an error
    gc.disable()
    try:
        assert list(paused(iter([b"x"]))) == [b"x"] and not gc.isenabled()  # left off when it was off
    finally:
        gc.enable()


def test_lean_records_export_the_bytes_full_records_give(world: Any) -> None:
    """The label formats read lean records (``iter_records(lean=True)``); every one of them writes the same
    bytes from the full records, reviews and several annotators included."""
    from labelwise.domain.permissions import Action
    from labelwise.formats import registry
    from labelwise.services import exports
    from labelwise.services.access import open_project
    from labelwise.store.items import ItemFilter

    import_records(world, [{"key": f"k{i}", **t} for i, t in enumerate(texts(3))])
    _annotate(world, "demo", [{"sentiment": "positive", "entities": [{"start": 0, "end": 4, "label": "ORG"}]},
                              {"sentiment": "negative"}])
    _annotate(world, "demo", [{"sentiment": "neutral", "entities": [{"start": 0, "end": 4, "label": "PER"}]}],
              who="annotator2")
    first = world.manager.client.get(f"{P}/demo/items", params={"limit": 1}).json()["items"][0]
    ann = world.manager.client.get(f"{P}/demo/items/{first['id']}").json()["annotations"][0]
    r = world.reviewer.client.post(f"{P}/demo/annotations/{ann['id']}/review", json={
        "action": "correct", "result": {"sentiment": "neutral", "entities": [{"start": 0, "end": 4, "label": "LOC"}]}})
    assert r.status_code == 200, r.text
    with world.ctx.db.read() as conn:
        access = open_project(world.ctx, conn, world.admin.actor, "demo", Action.manage)
    lean = [f.name for f in registry.available(access.schema) if not f.full_records]
    assert {"conll", "ner-jsonl", "spacy"} <= set(lean)
    for name in lean:
        full = b"".join(registry.export(name, exports.iter_records(world.ctx, access, ItemFilter()), access.schema))
        assert _export(world, "demo", name) == full, name
    assert b"LOC" in _export(world, "demo", "conll")  # the correction is what is written
    _new_project(world, "img", IMAGE_SCHEMA)
    rows = [{"key": f"im{i}", "data": {"image": f"http://x/{i}.jpg"}, "meta": {"media": {"image": {"width": 64,
                                                                                                  "height": 48}}},
             "annotations": [{"annotator": who, "result": {"boxes": [
                 {"x": 1 + i + j, "y": 2, "width": 10, "height": 5.5, "label": "cat"}]}}
                 for j, who in enumerate(("annotator@example.org", "annotator2@example.org"))]} for i in range(3)]
    _import(world, "img", b"\n".join(orjson.dumps(r) for r in rows), "jsonl", labels="annotations")
    with world.ctx.db.read() as conn:
        access = open_project(world.ctx, conn, world.admin.actor, "img", Action.manage)
    for name, options in (("coco", {}), ("coco", {"which": "all"}), ("yolo", {}), ("voc", {})):
        full = b"".join(registry.export(name, exports.iter_records(world.ctx, access, ItemFilter()), access.schema,
                                        **options))
        assert _export(world, "img", name, **{f"opt.{k}": v for k, v in options.items()}) == full, name
