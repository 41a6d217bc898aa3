"""Per-object attributes <-> Label Studio per-region control tags and results."""

from __future__ import annotations

from typing import Any

import orjson
import pytest

from labelwise.domain.schema import parse_schema
from labelwise.formats.base import ExportReport, FormatError
from labelwise.formats.labelstudio import write_labelstudio
from labelwise.formats.labelstudio_config import translate_config
from labelwise.formats.labelstudio_read import read_labelstudio

from .conftest import as_pages, joined, pages, rec, stream

# a labelwise schema, and the Label Studio config a user writes for it (one control per attribute)
SCHEMA = parse_schema({
    "fields": {"image": "image", "audio": "audio", "video": "video"},
    "labels": [
        {"name": "color", "kind": "choice", "options": ["day", "night"]},
        {"name": "objects", "kind": "bbox", "field": "image", "options": ["car", "person"], "attributes": [
            {"name": "occluded", "type": "boolean"},
            {"name": "color", "type": "choice", "options": ["red", "blue"]},
            {"name": "plate", "type": "text", "only_for": ["car"]},
            {"name": "passengers", "type": "number", "min": 0, "max": 10, "integer": True},
            {"name": "tags", "type": "multi_choice", "options": ["parked", "moving"]}]},
        {"name": "pose", "kind": "keypoints", "field": "image", "options": ["pose"], "keypoints": ["head", "hand"],
         "attributes": [{"name": "side", "type": "choice", "options": ["left", "right"]}]},
        {"name": "speech", "kind": "audio_ranges", "field": "audio", "options": ["A"],
         "attributes": [{"name": "noisy", "type": "boolean"}, {"name": "note", "type": "text"}]},
        {"name": "track", "kind": "video_boxes", "field": "video", "options": ["car"],
         "attributes": [{"name": "speed", "type": "number"}]},
    ]})
CONFIG = """<View>
  <Image name="image" value="$image"/>
  <Choices name="color" toName="image"><Choice value="day"/><Choice value="night"/></Choices>
  <RectangleLabels name="objects" toName="image"><Label value="car"/><Label value="person"/></RectangleLabels>
  <KeyPointLabels name="pose" toName="image"><Label value="head"/><Label value="hand"/></KeyPointLabels>
  <View visibleWhen="region-selected" whenTagName="objects">
    <Choices name="occluded" toName="image" perRegion="true"><Choice value="occluded"/></Choices>
    <Choices name="objects.color" toName="image" perRegion="true"><Choice value="red"/><Choice value="blue"/></Choices>
    <TextArea name="plate" toName="image" perRegion="true" whenLabelValue="car"/>
    <Number name="passengers" toName="image" perRegion="true" min="0" max="10" step="1"/>
    <Choices name="tags" toName="image" perRegion="true" choice="multiple">
      <Choice value="parked"/><Choice value="moving"/></Choices>
  </View>
  <Choices name="side" toName="image" perRegion="true" whenTagName="pose">
    <Choice value="left"/><Choice value="right"/></Choices>
  <Audio name="audio" value="$audio"/>
  <Labels name="speech" toName="audio"><Label value="A"/></Labels>
  <Choices name="noisy" toName="audio" perRegion="true"><Choice value="noisy"/></Choices>
  <TextArea name="note" toName="audio" perRegion="true"/>
  <Video name="video" value="$video"/>
  <Labels name="vlabels" toName="video"><Label value="car"/></Labels>
  <VideoRectangle name="track" toName="video"/>
  <Number name="speed" toName="video" perRegion="true"/>
</View>"""
DATA = {"image": "street.jpg", "audio": "a.wav", "video": "v.mp4"}
MEDIA = {"image": {"width": 200, "height": 100}, "video": {"width": 200, "height": 100}}
RESULT = {
    "color": "night",
    "objects": [
        {"x": 10, "y": 20, "width": 50, "height": 40, "label": "car",
         "attributes": {"occluded": True, "color": "red", "plate": "LW-1\nB", "passengers": 2, "tags": ["parked"]}},
        {"x": 100, "y": 10, "width": 20, "height": 60, "label": "person", "attributes": {"color": "blue"}},
        {"x": 0, "y": 0, "width": 5, "height": 5, "label": "person"},
    ],
    "pose": [{"points": {"head": None, "hand": [4, 6]}, "label": "pose", "attributes": {"side": "left"}}],
    "speech": [{"start": 0.5, "end": 1.5, "label": "A", "attributes": {"noisy": True, "note": "hum"}}],
    "track": [{"track_id": "t1", "label": "car", "attributes": {"speed": 12.5},
               "frames": [{"frame": 0, "x": 1, "y": 1, "width": 2, "height": 2, "outside": False}]}],
}


def _export(schema: Any, records: list[dict[str, Any]]) -> tuple[bytes, ExportReport]:
    report = ExportReport()
    return joined(write_labelstudio(pages(records), schema, report)), report


def test_config_per_region_tags_become_attributes() -> None:
    schema_dict, untranslated = translate_config(CONFIG)
    schema = parse_schema(schema_dict)
    assert untranslated == []
    assert [lab.name for lab in schema.labels] == ["color", "objects", "pose", "speech", "track"]
    for lab in ("objects", "pose", "speech", "track"):
        assert schema.label(lab).model_dump(mode="json")["attributes"] == \
            SCHEMA.label(lab).model_dump(mode="json")["attributes"], lab


def test_config_when_label_value_picks_labels_and_rating_is_a_whole_number() -> None:
    schema_dict, untranslated = translate_config("""<View>
      <Image name="img" value="$img"/>
      <RectangleLabels name="boxes" toName="img"><Label value="car"/><Label value="tree"/></RectangleLabels>
      <PolygonLabels name="areas" toName="img"><Label value="road"/><Label value="car"/></PolygonLabels>
      <Rating name="quality" toName="img" perRegion="true" maxRating="4" required="true" whenLabelValue="car"/>
      <TextArea name="species" toName="img" perRegion="true" whenLabelValue="tree"/>
      <Choices name="lanes" toName="img" perRegion="true" whenLabelValue="bridge"><Choice value="1"/></Choices>
      <Text name="txt" value="$txt"/>
      <TextArea name="comment" toName="txt" perRegion="true"/>
    </View>""")
    schema = parse_schema(schema_dict)
    quality = {"name": "quality", "type": "number", "min": 1.0, "max": 4.0, "integer": True, "required": True,
               "only_for": ["car"]}
    assert [a.model_dump(mode="json") for a in schema.label("boxes").attributes] == [
        quality, {"name": "species", "type": "text", "only_for": ["tree"]}]
    assert [a.model_dump(mode="json") for a in schema.label("areas").attributes] == [quality]
    assert untranslated == ["Choices lanes", "TextArea comment"]  # no label has "bridge"; spans take none


def test_export_writes_per_region_results_with_the_region_id() -> None:
    SCHEMA.validate_result(RESULT, DATA, MEDIA)
    doc, report = _export(SCHEMA, [rec("k1", DATA, RESULT, meta={"media": MEDIA})])
    assert report.messages() == []
    items = orjson.loads(doc)[0]["annotations"][0]["result"]
    car = [it for it in items if it.get("id") == "objects-0"]
    assert [(it["from_name"], it["type"]) for it in car] == [
        ("objects", "rectanglelabels"), ("occluded", "choices"), ("objects.color", "choices"),
        ("plate", "textarea"), ("passengers", "number"), ("tags", "choices")]
    geometry = {"x": 5.0, "y": 20.0, "width": 25.0, "height": 40.0, "rotation": 0}
    assert car[1] == {"to_name": "image", "original_width": 200, "original_height": 100, "image_rotation": 0,
                      "id": "objects-0", "from_name": "occluded", "type": "choices",
                      "value": {**geometry, "choices": ["occluded"]}}
    assert [it["value"] for it in car[2:]] == [{**geometry, "choices": ["red"]}, {**geometry, "text": ["LW-1\nB"]},
                                               {**geometry, "number": 2}, {**geometry, "choices": ["parked"]}]
    # a keypoints instance: its attributes go with its first visible point
    side = next(it for it in items if it["from_name"] == "side")
    assert side["id"] == "pose-0-hand" and side["value"] == {"x": 2.0, "y": 6.0, "width": 1, "choices": ["left"]}
    speech = [(it["from_name"], it["value"]) for it in items if it.get("id") == "speech-0"]
    assert speech == [("speech", {"start": 0.5, "end": 1.5, "labels": ["A"]}),
                      ("noisy", {"start": 0.5, "end": 1.5, "choices": ["noisy"]}),
                      ("note", {"start": 0.5, "end": 1.5, "text": ["hum"]})]
    speed = next(it for it in items if it["from_name"] == "speed")
    assert speed["id"] == "t1" and speed["value"]["number"] == 12.5 and "labels" not in speed["value"]


def test_labelwise_to_labelstudio_to_new_project_and_back_is_identical() -> None:
    stored = SCHEMA.validate_result(RESULT, DATA, MEDIA)
    first, _ = _export(SCHEMA, [rec("k1", DATA, stored, meta={"media": MEDIA})])
    imported = parse_schema(translate_config(CONFIG)[0])  # the new project's schema
    back = list(read_labelstudio(stream(first, "ls.json"), imported))
    assert back[0]["meta"] == {"media": MEDIA}  # the regions' original_width/height
    got = imported.validate_result(back[0]["annotations"][0]["result"], DATA, MEDIA)
    assert got == stored
    again = rec("k1", DATA, got, meta=back[0]["meta"])
    again["id"] = orjson.loads(first)[0]["id"]
    assert _export(imported, [again])[0] == first


def test_false_booleans_are_not_written_and_read_back_absent() -> None:
    result = {"objects": [{"x": 1, "y": 1, "width": 1, "height": 1, "label": "car",
                           "attributes": {"occluded": False, "plate": "X"}}]}
    doc, _ = _export(SCHEMA, [rec("k", DATA, result, meta={"media": MEDIA})])
    back = list(read_labelstudio(stream(doc, "ls.json"), SCHEMA))
    assert back[0]["annotations"][0]["result"]["objects"][0]["attributes"] == {"plate": "X"}


# a hand-written Label Studio export (the documented shape: per-region results share the region's id)
HAND_CONFIG = """<View>
  <Image name="img" value="$image"/>
  <RectangleLabels name="product" toName="img"><Label value="Tea"/><Label value="Coffee"/></RectangleLabels>
  <View visibleWhen="region-selected">
    <TextArea name="name" toName="img" perRegion="true"/>
    <Number name="price" toName="img" perRegion="true" required="true"/>
    <Choices name="origin" toName="img" perRegion="true" whenLabelValue="Coffee">
      <Choice value="Brazil"/><Choice value="Sri-Lanka"/></Choices>
    <Rating name="taste" toName="img" perRegion="true"/>
  </View>
</View>"""
BOX = {"x": 10, "y": 20, "width": 30, "height": 40, "rotation": 0}
HAND = [{"id": 7, "data": {"image": "/data/upload/shelf.jpg"}, "annotations": [{
    "id": 11, "completed_by": 1, "was_cancelled": False, "lead_time": 3.5, "result": [
        {"id": "X_12fGk", "from_name": "name", "to_name": "img", "type": "textarea", "origin": "manual",
         "original_width": 400, "original_height": 300, "image_rotation": 0,
         "value": {**BOX, "text": ["Roasted", "beans"]}},
        {"id": "X_12fGk", "from_name": "product", "to_name": "img", "type": "rectanglelabels", "origin": "manual",
         "original_width": 400, "original_height": 300, "image_rotation": 0,
         "value": {**BOX, "rectanglelabels": ["Coffee"]}},
        {"id": "X_12fGk", "from_name": "price", "to_name": "img", "type": "number",
         "original_width": 400, "original_height": 300, "value": {**BOX, "number": 12.5}},
        {"id": "X_12fGk", "from_name": "origin", "to_name": "img", "type": "choices",
         "original_width": 400, "original_height": 300, "value": {**BOX, "choices": ["Brazil"]}},
        {"id": "Q2", "from_name": "product", "to_name": "img", "type": "rectanglelabels",
         "original_width": 400, "original_height": 300, "value": {**BOX, "x": 50, "rectanglelabels": ["Tea"]}},
        {"id": "Q2", "from_name": "price", "to_name": "img", "type": "number", "value": {"number": 3}},
        {"id": "Q2", "from_name": "taste", "to_name": "img", "type": "rating", "value": {"rating": 4}},
    ]}]}]


def test_hand_written_labelstudio_export_imports_with_attributes() -> None:
    schema = parse_schema(translate_config(HAND_CONFIG)[0])
    back = list(read_labelstudio(stream(orjson.dumps(HAND), "ls.json"), schema))
    result = back[0]["annotations"][0]["result"]
    media = {"image": {"width": 400, "height": 300}}
    assert schema.validate_result(result, back[0]["data"], media) == {"product": [
        {"x": 40.0, "y": 60.0, "width": 120.0, "height": 120.0, "label": "Coffee",
         "attributes": {"name": "Roasted\nbeans", "price": 12.5, "origin": "Brazil"}},
        {"x": 200.0, "y": 60.0, "width": 120.0, "height": 120.0, "label": "Tea",
         "attributes": {"price": 3.0, "taste": 4}}]}


def _bad(item: dict[str, Any]) -> dict[str, Any]:
    task = orjson.loads(orjson.dumps(HAND[0]))
    task["annotations"][0]["result"].append(item)
    return task


HAND_SCHEMA = parse_schema(translate_config(HAND_CONFIG)[0])
AT = "task 0, annotation 0, result 7 (region 'Q2': object 1 of 'product')"


@pytest.mark.parametrize(("item", "where", "reason"), [
    ({"id": "Q2", "from_name": "colour", "type": "choices", "value": {"choices": ["x"]}}, AT,
     "'colour' is not an attribute of label 'product' (attributes: name, price, origin, taste)"),
    ({"id": "Q2", "from_name": "origin", "type": "choices", "value": {"choices": ["Peru"]}}, AT,
     "attribute 'origin' 'Peru' is not one of the options (Brazil, Sri-Lanka)"),
    ({"id": "Q2", "from_name": "origin", "type": "choices", "value": {"choices": ["Brazil", "Sri-Lanka"]}}, AT,
     "value.choices must be a list of one option"),
    ({"id": "Q2", "from_name": "name", "type": "textarea", "value": {"x": 1}}, AT,
     "a textarea result for text attribute 'name' lacks a valid value.text"),
    ({"id": "Q2", "from_name": "name", "type": "textarea", "value": {"text": "flat"}}, AT,
     "a textarea result for text attribute 'name' lacks a valid value.text"),
    ({"id": "Q2", "from_name": "price", "type": "number", "value": {"number": "cheap"}}, AT,
     "attribute 'price' must be a finite number, got a string"),
    ({"id": "Q2", "from_name": "price", "type": "number", "value": {"number": 4}}, AT,
     "attribute 'price' is given twice for this region"),
    ({"id": "Q2", "from_name": "name", "type": "textarea", "value": None}, AT, "has no value object"),
    ({"id": "nope", "from_name": "price", "type": "number", "value": {"number": 1}}, "task 0, annotation 0, result 7",
     "from_name 'price' is not a label of the schema, and id 'nope' names no region of this result"),
])
def test_malformed_per_region_results_name_the_object_and_reason(item: dict[str, Any], where: str,
                                                                  reason: str) -> None:
    with pytest.raises(FormatError) as err:
        list(read_labelstudio(stream(orjson.dumps([_bad(item)]), "ls.json"), HAND_SCHEMA))
    assert (err.value.file, err.value.where) == ("ls.json", where)
    assert reason in err.value.reason, err.value.reason


def test_attributes_through_labelstudio_keep_reader_output_writable() -> None:
    back = list(read_labelstudio(stream(orjson.dumps(HAND), "ls.json"), HAND_SCHEMA))
    assert back[0]["meta"] == {"media": {"image": {"width": 400, "height": 300}}}
    doc = joined(write_labelstudio(as_pages(back), HAND_SCHEMA, ExportReport()))
    again = list(read_labelstudio(stream(doc, "again.json"), HAND_SCHEMA))
    assert again[0]["annotations"][0]["result"] == back[0]["annotations"][0]["result"]


def test_a_keypoints_instance_without_a_visible_point_reports_its_attributes() -> None:
    result = {"pose": [{"points": {"head": None, "hand": None}, "label": "pose", "attributes": {"side": "left"}}]}
    doc, report = _export(SCHEMA, [rec("k", DATA, result, meta={"media": MEDIA})])
    assert orjson.loads(doc)[0]["annotations"][0]["result"] == []
    assert report.messages() == ["k: pose: object 0: a keypoints instance without a visible point has no Label "
                                 "Studio region; its attributes are left out"]
