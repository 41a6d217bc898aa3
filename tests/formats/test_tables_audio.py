from __future__ import annotations

import csv
import io

import orjson
import pyarrow.parquet as pq
import pytest

from labelwise.domain.schema import parse_schema
from labelwise.formats.base import ExportReport, FormatError
from labelwise.formats.final import agreement, final_result
from labelwise.formats.folder import Folder, zip_stream
from labelwise.formats.hf import read_hf_parquet, write_hf_parquet
from labelwise.formats.ranges import write_ranges_csv, write_ranges_jsonl
from labelwise.formats.ranges_read import read_ranges_csv, read_ranges_jsonl, read_subtitles
from labelwise.formats.subtitles import write_subtitles

from .conftest import joined, pages, rec

SCHEMA = parse_schema({
    "fields": {"text": "text"},
    "labels": [
        {"name": "sentiment", "kind": "choice", "options": ["pos", "neg", "neu"]},
        {"name": "topics", "kind": "multi_choice", "options": ["sport", "politics"]},
        {"name": "stars", "kind": "rating", "max": 5},
        {"name": "kind", "kind": "taxonomy", "options": ["Animal/Dog", "Animal/Cat"]},
    ]})


def test_final_result_rule() -> None:
    r = rec("x", {}, {"sentiment": "neg"}, {"sentiment": "pos"}, {"sentiment": "pos"})
    assert final_result(r, "sentiment") == "pos" and agreement(r, "sentiment", "pos") == pytest.approx(2 / 3)
    tie = rec("t", {}, {"sentiment": "neg"}, {"sentiment": "pos"})
    assert final_result(tie, "sentiment") == "neg"  # ties: the earliest
    accepted = rec("a", {}, {"sentiment": "neg"}, {"sentiment": "pos"}, {"sentiment": "pos"},
                   review=[{"status": "accepted"}, None, None])
    assert final_result(accepted, "sentiment") == "neg"
    corrected = rec("c", {}, {"sentiment": "neg"}, {"sentiment": "pos"},
                    review=[{"status": "accepted"}, {"status": "corrected", "result": {"sentiment": "neu"},
                                                     "at": "2024-02-01T00:00:00Z"}])
    assert final_result(corrected, "sentiment") == "neu"
    rejected = rec("r", {}, {"sentiment": "neg"}, {"sentiment": "pos"}, review=[{"status": "rejected"}, None])
    assert final_result(rejected, "sentiment") == "pos"
    assert final_result(rec("n", {}), "sentiment") is None


def test_hf_parquet_reads_as_class_labels_with_datasets(tmp_path) -> None:
    import datasets

    recs = [
        rec("1", {"text": "great game"}, {"sentiment": "pos", "topics": ["sport"], "stars": 5,
                                          "kind": ["Animal", "Dog"]},
            {"sentiment": "pos", "topics": ["sport", "politics"]}),
        rec("2", {"text": "نص عربي"}, {"sentiment": "neg"}, {"sentiment": "neu"}, {"sentiment": "neg"}),
        rec("3", {"text": "nobody"}),
    ]
    report = ExportReport()
    path = tmp_path / "train.parquet"
    path.write_bytes(joined(write_hf_parquet(pages(recs), SCHEMA, report, annotations=True)))
    assert report.items == 3 and pq.ParquetFile(path).metadata.num_row_groups == 2
    ds = datasets.load_dataset("parquet", data_files=str(path), split="train", cache_dir=str(tmp_path / "c"))
    feats = ds.features
    assert isinstance(feats["sentiment"], datasets.ClassLabel)
    assert feats["sentiment"].names == ["pos", "neg", "neu"]
    assert feats["topics"].feature.names == ["sport", "politics"]
    rows = list(ds)
    assert [r["sentiment"] for r in rows] == [0, 1, None]
    assert feats["sentiment"].int2str(rows[1]["sentiment"]) == "neg"
    assert rows[0]["sentiment_confidence"] == 1.0
    assert rows[1]["sentiment_confidence"] == pytest.approx(2 / 3)
    assert rows[0]["topics"] == [0] and rows[0]["topics_confidence"] == 0.5  # tie -> the earliest
    assert rows[0]["stars"] == 5 and rows[0]["kind"] == "Animal/Dog"
    assert rows[1]["text"] == "نص عربي"
    assert len(orjson.loads(rows[1]["annotations"])) == 3


AUDIO = parse_schema({
    "fields": {"audio": "audio"},
    "labels": [{"name": "speech", "kind": "audio_ranges", "field": "audio", "options": ["A", "B"]}]})
RANGES = [rec("clip/1", {"audio": "a.wav"}, {"speech": [
    {"start": 61.5, "end": 63.25, "label": "B", "text": "שלום, עולם"},
    {"start": 0, "end": 1.0004, "label": "A", "text": "hello\n\nthere --> you"},
    {"start": 3600, "end": 3601, "label": "A"}]}),
    rec("clip_1", {"audio": "b.wav"}, {"speech": []})]


def test_ranges_jsonl_and_csv() -> None:
    rows = [orjson.loads(line) for line in joined(write_ranges_jsonl(pages(RANGES), AUDIO, ExportReport()))
            .splitlines()]
    assert rows[0] == {"key": "clip/1", "label": "speech", "start": 61.5, "end": 63.25, "value": "B",
                       "text": "שלום, עולם"}
    table = list(csv.DictReader(io.StringIO(joined(write_ranges_csv(pages(RANGES), AUDIO, ExportReport()))
                                            .decode())))
    assert len(table) == 3 and table[2]["text"] == "" and table[1]["start"] == "0"


def test_webvtt_and_srt() -> None:
    report = ExportReport()
    folder = Folder(io.BytesIO(joined(zip_stream(write_subtitles(pages(RANGES), AUDIO, report, voices=True)))))
    assert folder.names() == ["clip_1.vtt", "clip_1_2.vtt"]  # "clip/1" and "clip_1" clash once made safe
    assert any("is taken" in m for m in report.messages())
    assert folder.read("clip_1.vtt").decode() == (
        "WEBVTT\n\n"
        "00:00:00.000 --> 00:00:01.000\n<v A>hello\nthere -> you\n\n"
        "00:01:01.500 --> 00:01:03.250\n<v B>שלום, עולם\n\n"
        "01:00:00.000 --> 01:00:01.000\n<v A>A\n\n")
    srt = Folder(io.BytesIO(joined(zip_stream(write_subtitles(pages(RANGES), AUDIO, ExportReport(),
                                                              style="srt")))))
    assert srt.read("clip_1.srt").decode().startswith("1\n00:00:00,000 --> 00:00:01,000\nhello\nthere -> you\n\n2\n")


def _again(write, read, recs, schema, **read_options):  # type: ignore[no-untyped-def]
    """export -> read back -> export: both outputs, and the records read."""
    first = joined(write(pages(recs), schema, ExportReport()))
    back = list(read(io.BytesIO(first), schema, **read_options))
    return first, joined(write(pages(back), schema, ExportReport())), back


def test_hf_parquet_reads_back_class_names_and_round_trips() -> None:
    recs = [rec("1", {"text": "great game"}, {"sentiment": "pos", "topics": ["sport", "politics"], "stars": 5,
                                              "kind": ["Animal", "Dog"]}),
            rec("2", {"text": "نص عربي"}, {"sentiment": "neu"}), rec("3", {"text": "nobody"})]
    first, again, back = _again(write_hf_parquet, read_hf_parquet, recs, SCHEMA)
    assert again == first
    assert [r["key"] for r in back] == ["1", "2", "3"]
    assert back[0]["annotations"][0]["result"] == {"sentiment": "pos", "topics": ["sport", "politics"], "stars": 5,
                                                   "kind": ["Animal", "Dog"]}
    assert back[1]["data"] == {"text": "نص عربي"} and back[2]["annotations"][0]["result"] == {}
    preds = list(read_hf_parquet(io.BytesIO(first), SCHEMA, model="m1"))
    assert preds[0]["predictions"][0]["model"] == "m1" and preds[0]["annotations"] == []


def test_hf_parquet_class_index_out_of_range_is_named() -> None:
    import pyarrow as pa

    sink = io.BytesIO()
    pq.write_table(pa.table({"key": ["a"], "sentiment": [7]}), sink)
    with pytest.raises(FormatError, match=r"row 1: sentiment: class 7 is not one of 0\.\.2"):
        list(read_hf_parquet(io.BytesIO(sink.getvalue()), SCHEMA))


@pytest.mark.parametrize("write, read", [(write_ranges_jsonl, read_ranges_jsonl), (write_ranges_csv, read_ranges_csv)])
def test_ranges_read_back_round_trip(write, read) -> None:  # type: ignore[no-untyped-def]
    first, again, back = _again(write, read, RANGES, AUDIO, media="http://media/{key}.wav")
    assert again == first
    assert [r["key"] for r in back] == ["clip/1"]  # an item without ranges writes no row
    assert back[0]["data"] == {"audio": "http://media/clip/1.wav"}
    assert back[0]["annotations"][0]["result"]["speech"][0] == {"start": 61.5, "end": 63.25, "label": "B",
                                                                "text": "שלום, עולם"}


def test_ranges_rows_of_a_key_must_be_together() -> None:
    body = b"\n".join(orjson.dumps({"key": k, "label": "speech", "start": 0, "end": 1, "value": "A", "text": ""})
                      for k in ("a", "b", "a"))
    with pytest.raises(FormatError, match="line 3: the rows of key 'a' are not together"):
        list(read_ranges_jsonl(io.BytesIO(body), AUDIO))


@pytest.mark.parametrize("style, options", [("vtt", {"voices": True}), ("srt", {})])
def test_subtitles_read_back_round_trip(style, options) -> None:  # type: ignore[no-untyped-def]
    recs = [rec("clip_1", {"audio": "a.wav"}, {"speech": [
        {"start": 61.5, "end": 63.25, "label": "A", "text": "שלום, עולם"},
        {"start": 0, "end": 1.0, "label": "A", "text": "hello\nthere -> you"},
        {"start": 3600, "end": 3601, "label": "B" if options else "A"}]}),
        rec("empty", {"audio": "b.wav"}, {"speech": []})]

    def write(pages_, schema, report):  # type: ignore[no-untyped-def]
        return zip_stream(write_subtitles(pages_, schema, report, style=style, **options))

    first, again, back = _again(write, read_subtitles, recs, AUDIO)
    assert again == first
    cues = back[0]["annotations"][0]["result"]["speech"]
    assert cues[0] == {"start": 0.0, "end": 1.0, "label": "A", "text": "hello\nthere -> you"}
    assert cues[2]["label"] == ("B" if options else "A") and "text" not in cues[2]
    assert back[1]["annotations"][0]["result"] == {"speech": []}


def test_subtitles_bad_time_is_named() -> None:
    body = joined(zip_stream(iter([("a.vtt", b"WEBVTT\n\n00:00:01 --> 00:00:02.000\nhi\n")])))
    with pytest.raises(FormatError, match=r"a\.vtt: cue at 00:00:01: time '00:00:01' is not HH:MM:SS\.mmm"):
        list(read_subtitles(io.BytesIO(body), AUDIO))
