from __future__ import annotations

import orjson
import pytest

from labelwise.domain.schema import parse_schema
from labelwise.formats.base import ExportReport, FormatError
from labelwise.formats.labelstudio import write_labelstudio
from labelwise.formats.labelstudio_config import translate_config
from labelwise.formats.labelstudio_read import read_labelstudio

from .conftest import as_pages, joined, pages, rec, stream

CONFIG = """<View>
  <Text name="text" value="$text"/>
  <Labels name="ner" toName="text"><Label value="PER"/><Label value="ORG"/></Labels>
  <Relations><Relation value="works_at"/></Relations>
  <Choices name="sentiment" toName="text"><Choice value="pos"/><Choice value="neg"/></Choices>
  <Choices name="topics" toName="text" choice="multiple"><Choice value="a"/><Choice value="b"/></Choices>
  <Taxonomy name="tax" toName="text"><Choice value="Animal"><Choice value="Dog"/></Choice></Taxonomy>
  <TextArea name="note" toName="text"/>
  <Rating name="stars" toName="text" maxRating="4"/>
  <Number name="n" toName="text" min="0" max="10"/>
  <Text name="left" value="$left"/><Text name="right" value="$right"/>
  <Pairwise name="pw" toName="left,right"/>
  <List name="items" value="$items"/><Ranker name="rank" toName="items"/>
  <Image name="image" value="$image"/>
  <RectangleLabels name="boxes" toName="image"><Label value="cat"/></RectangleLabels>
  <PolygonLabels name="polys" toName="image"><Label value="road"/></PolygonLabels>
  <KeyPointLabels name="kps" toName="image"><Label value="head"/><Label value="hand"/></KeyPointLabels>
  <BrushLabels name="brush" toName="image"><Label value="sky"/></BrushLabels>
  <Audio name="audio" value="$audio"/>
  <Labels name="speech" toName="audio"><Label value="A"/></Labels>
  <TimeSeries name="ts" value="$ts"/>
  <TimeSeriesLabels name="events" toName="ts"><Label value="peak"/></TimeSeriesLabels>
  <Video name="video" value="$video"/>
  <Labels name="vlabels" toName="video"><Label value="car"/></Labels>
  <VideoRectangle name="track" toName="video"/>
  <DateTime name="when" toName="text"/>
  <Ellipse name="ell" toName="image"/>
</View>"""


def test_config_translates_common_tags_and_lists_the_rest() -> None:
    schema_dict, untranslated = translate_config(CONFIG)
    schema = parse_schema(schema_dict)
    kinds = {lab.name: lab.kind for lab in schema.labels}
    assert kinds == {"ner": "spans", "Relations": "relations", "sentiment": "choice", "topics": "multi_choice",
                     "tax": "taxonomy", "note": "text", "stars": "rating", "n": "number", "pw": "pairwise",
                     "rank": "ranking", "boxes": "bbox", "polys": "polygon", "kps": "keypoints", "brush": "mask",
                     "speech": "audio_ranges", "events": "time_ranges", "track": "video_boxes"}
    assert untranslated == ["DateTime when", "Ellipse ell"]
    assert schema.label("kps").keypoints == ["head", "hand"]
    assert schema.label("track").option_values() == ["car"]


def test_config_refuses_dtd() -> None:
    with pytest.raises(FormatError) as err:
        translate_config('<!DOCTYPE x [<!ENTITY a "b">]><View/>', "config.xml")
    assert err.value.file == "config.xml" and "DOCTYPE" in err.value.reason


SCHEMA = parse_schema(translate_config(CONFIG)[0])
TEXT = "Ann works at Acme"
RESULT = {
    "ner": [{"start": 0, "end": 3, "label": "PER"}, {"start": 13, "end": 17, "label": "ORG"}],
    "Relations": [{"from": 0, "to": 1, "label": "works_at"}],
    "sentiment": "pos", "topics": ["a", "b"], "tax": [["Animal", "Dog"]], "note": "ok", "stars": 3, "n": 2.5,
    "pw": {"choice": "b"}, "rank": [1, 0],
    "boxes": [{"x": 1, "y": 2, "width": 5, "height": 4, "label": "cat"}],
    "polys": [{"points": [[0, 0], [5, 0], [5, 5]], "closed": True, "label": "road"}],
    "kps": [{"points": {"head": [1, 1], "hand": None}, "label": "kps"}],
    "speech": [{"start": 0.5, "end": 1.5, "label": "A", "text": "hi"}],
    "events": [{"start": 3, "end": 7, "label": "peak"}],
    "track": [{"track_id": "t1", "label": "car", "frames": [{"frame": 0, "x": 1, "y": 1, "width": 2, "height": 2,
                                                            "outside": False}]}],
}
DATA = {"text": TEXT, "left": "x", "right": "y", "items": ["p", "q"], "image": "i.jpg", "audio": "a.wav",
        "ts": "t.csv", "video": "v.mp4"}
MEDIA = {"media": {"image": {"width": 10, "height": 10}, "video": {"width": 10, "height": 10}}}


def test_labelstudio_export_import_round_trip() -> None:
    r = rec("k1", DATA, RESULT, {"sentiment": "neg", "pw": {"choice": "tie"}}, meta=MEDIA)
    r["predictions"] = [{"model": "m", "score": 0.5, "result": {"sentiment": "neg"}}]
    SCHEMA.validate_result(RESULT, DATA, MEDIA["media"])
    report = ExportReport()
    first = joined(write_labelstudio(pages([r]), SCHEMA, report))
    assert any("tie" in m for m in report.messages())
    tasks = orjson.loads(first)
    types = {it["type"] for it in tasks[0]["annotations"][0]["result"]}
    assert {"labels", "relation", "choices", "rectanglelabels", "videorectangle", "keypointlabels"} <= types
    back = list(read_labelstudio(stream(first, "ls.json"), SCHEMA))
    assert back[0]["key"] == "k1" and back[0]["annotations"][0]["annotator"] == "a1"
    got = back[0]["annotations"][0]["result"]
    assert SCHEMA.validate_result(got, DATA, MEDIA["media"]) == SCHEMA.validate_result(RESULT, DATA, MEDIA["media"])
    assert back[0]["predictions"] == [{"model": "m", "score": 0.5, "result": {"sentiment": "neg"}}]
    back[0]["meta"] = MEDIA
    back[0]["id"] = r["id"]
    for a, orig in zip(back[0]["annotations"], r["annotations"], strict=True):
        a.update({k: orig[k] for k in ("id", "lead_time", "submitted_at")})
    assert joined(write_labelstudio(as_pages(back), SCHEMA, ExportReport())) == first


@pytest.mark.parametrize(("doc", "where", "reason"), [
    (b'[{"data": {}}, 3]', "task 1", "expected a task object"),
    (b'[{"data": {}, "annotations": [{"result": [{"from_name": "zzz"}]}]}]', "task 0, annotation 0, result 0",
     "'zzz' is not a label"),
    (b'[{"data": {}, "annotations": [{"result": [{"from_name": "sentiment", "type": "choices", "value": {}}]}]}]',
     "task 0, annotation 0, result 0", "value.choices must be a list"),
    (b'[{"data": {}}, {', "task 1", "not valid JSON"),
])
def test_labelstudio_malformed(doc: bytes, where: str, reason: str) -> None:
    with pytest.raises(FormatError) as err:
        list(read_labelstudio(stream(doc, "ls.json"), SCHEMA))
    assert err.value.file == "ls.json" and err.value.where == where and reason in err.value.reason
