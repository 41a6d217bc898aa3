from __future__ import annotations

import io
import zipfile

import orjson
import pytest

from labelwise.domain.schema import parse_schema
from labelwise.formats import registry
from labelwise.formats.base import ExportReport

from .conftest import joined, pages, rec

SCHEMA = parse_schema({
    "fields": {"text": "text", "image": "image", "audio": "audio"},
    "labels": [
        {"name": "ents", "kind": "spans", "field": "text", "options": ["PER"]},
        {"name": "boxes", "kind": "bbox", "field": "image", "options": ["cat"]},
        {"name": "shapes", "kind": "polygon", "field": "image", "options": ["road"]},
        {"name": "pose", "kind": "keypoints", "field": "image", "options": ["p"], "keypoints": ["a", "b"]},
        {"name": "speech", "kind": "audio_ranges", "field": "audio", "options": ["A"]},
        {"name": "mood", "kind": "choice", "options": ["ok", "bad"]},
    ]})
RECORDS = [rec(f"k{i}", {"text": "Ann runs", "image": f"img{i % 2}.jpg", "audio": "a.wav"},
               {"ents": [{"start": 0, "end": 3, "label": "PER"}],
                "boxes": [{"x": 1, "y": 1, "width": 2, "height": 2, "label": "cat"}],
                "shapes": [{"points": [[0, 0], [4, 0], [4, 4]], "closed": True, "label": "road"}],
                "pose": [{"points": {"a": [1, 1], "b": None}, "label": "p"}],
                "speech": [{"start": 0, "end": 1, "label": "A", "text": "hi"}], "mood": "ok"},
               meta={"media": {"image": {"width": 8, "height": 8}}}) for i in range(5)]


@pytest.mark.parametrize("name", list(registry.FORMATS))
def test_every_format_exports_through_the_registry(name: str) -> None:
    fmt = registry.get(name)
    report = ExportReport()
    blob = joined(registry.export(name, pages(RECORDS), SCHEMA, report))
    assert report.items == 5 and blob
    if fmt.layout == "folder":
        with zipfile.ZipFile(io.BytesIO(blob)) as zf:
            assert zf.testzip() is None
            assert orjson.loads(zf.read("export_report.json"))["items"] == 5
        assert fmt.filename("proj") == "proj.zip"
    else:
        assert fmt.filename("proj") == f"proj{fmt.extension}"


@pytest.mark.parametrize("name", [n for n, f in registry.FORMATS.items() if f.reader])
def test_every_reader_reads_what_the_writer_wrote(name: str, tmp_path) -> None:
    blob = joined(registry.export(name, pages(RECORDS), SCHEMA))
    path = tmp_path / registry.get(name).filename("x")
    path.write_bytes(blob)
    got = list(registry.read(name, str(path), SCHEMA))
    assert len(got) == 5


def test_options_and_labels_are_checked_before_streaming() -> None:
    with pytest.raises(ValueError, match="has no option colour"):
        registry.export("coco", pages(RECORDS), SCHEMA, colour="red")
    with pytest.raises(ValueError, match="is choice"):
        registry.export("conll", pages(RECORDS), SCHEMA, label="mood")
    with pytest.raises(KeyError, match="unknown format"):
        registry.get("nope")
    assert all(f.reader is not None for f in registry.FORMATS.values())  # every format reads back


def test_available_formats_follow_the_schema() -> None:
    text_only = parse_schema({"fields": {"text": "text"}, "labels": [{"name": "m", "kind": "choice",
                                                                      "options": ["a"]}]})
    assert [f.name for f in registry.available(text_only)] == ["hf-parquet", "labelstudio"]
    assert len(registry.available(SCHEMA)) == len(registry.FORMATS)


def test_options_from_text_and_their_description() -> None:
    # text from a query string is read by the option's kind
    vtt = zipfile.ZipFile(io.BytesIO(joined(registry.export("webvtt", pages(RECORDS), SCHEMA, voices="true"))))
    plain = zipfile.ZipFile(io.BytesIO(joined(registry.export("webvtt", pages(RECORDS), SCHEMA, voices="false"))))
    assert b"<v A>hi" in vtt.read("k0.vtt") and b"<v " not in plain.read("k0.vtt")
    coco = orjson.loads(joined(registry.export("coco", pages(RECORDS), SCHEMA, labels="shapes, pose")))
    assert {c["supercategory"] for c in coco["categories"]} == {"shapes", "pose"}
    with pytest.raises(ValueError, match="option voices is true or false, not 'maybe'"):
        registry.export("webvtt", pages(RECORDS), SCHEMA, voices="maybe")
    with pytest.raises(ValueError, match="option which is one of final, all, not 'some'"):
        registry.export("ner-jsonl", pages(RECORDS), SCHEMA, which="some")
    described = {o["name"]: o for o in registry.describe_options(registry.get("coco"), SCHEMA)}
    assert described["labels"]["choices"] == ["boxes", "shapes", "pose"]
    assert described["field"]["choices"] == ["image"]
    assert described["which"] == {"name": "which", "kind": "choice", "choices": ["final", "all"], "default": "final",
                                  "help": described["which"]["help"]}
    assert [o["name"] for o in registry.describe_options(registry.get("conll"), SCHEMA)] == ["label"]
