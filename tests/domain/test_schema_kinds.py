"""validate_result for taxonomy, pairwise, ranking, image, mask, time-range and video kinds."""

from __future__ import annotations

from typing import Any

import pytest

from labelwise.domain.kinds.pose import decode_counts, encode_counts
from labelwise.domain.schema import parse_schema
from labelwise.errors import Invalid

SCHEMA = parse_schema("""
fields: {image: image, audio: audio, video: video, a: text, b: text, items: list, ts: timeseries}
labels:
  - name: tax
    kind: taxonomy
    options: [{value: Animal, children: [Dog, {value: Cat, children: [Lion]}]}, Plant/Tree]
  - {name: taxm, kind: taxonomy, multiple: true, leaf_only: true, options: [A/B, A/C]}
  - {name: pref, kind: pairwise, fields: [a, b], allow_tie: false}
  - {name: pref2, kind: pairwise, options: [model_x, model_y]}
  - {name: rank, kind: ranking, field: items}
  - {name: rank2, kind: ranking, options: [x, y, z]}
  - {name: rank3, kind: ranking, fields: [a, b]}
  - {name: boxes, kind: bbox, field: image, options: [car, person]}
  - {name: poly, kind: polygon, field: image, options: [road]}
  - name: pose
    kind: keypoints
    field: image
    options: [person]
    keypoints: [head, left_hand, right_hand]
    skeleton: [[head, left_hand], [head, right_hand]]
  - {name: brush, kind: mask, field: image, options: [sky]}
  - {name: speech, kind: audio_ranges, field: audio, options: [alice, bob], allow_overlap: false}
  - {name: events, kind: time_ranges, field: ts, unit: samples, options: [spike]}
  - {name: tracks, kind: video_boxes, field: video, options: [car]}
""")
MEDIA = {
    "image": {"width": 100, "height": 50},
    "audio": {"duration": 10},
    "video": {"frames": 10, "width": 100, "height": 50},
    "ts": {"samples": 1000},
}
DATA = {"items": [{"id": "q", "text": "first"}, "second", "third"], "a": "A", "b": "B"}


def check(label: str, value: Any, media: dict | None = None) -> Any:
    return SCHEMA.validate_result({label: value}, DATA, MEDIA if media is None else media)[label]


def errors(label: str, value: Any, media: dict | None = None) -> list[dict]:
    with pytest.raises(Invalid) as exc:
        check(label, value, media)
    assert exc.value.status == 422
    for e in exc.value.errors:
        assert e["loc"][0] == label and e["msg"].startswith(f"{label}: ")
    return exc.value.errors


def has(errs: list[dict], loc: list, fragment: str) -> bool:
    return any(e["loc"] == loc and fragment in e["msg"] for e in errs)


# ---- taxonomy ------------------------------------------------------------------------------------


def test_taxonomy_tree_and_paths_mix_into_one_tree() -> None:
    label = SCHEMA.label("tax")
    assert label.option_values() == [
        "Animal",
        "Animal/Dog",
        "Animal/Cat",
        "Animal/Cat/Lion",
        "Plant",
        "Plant/Tree",
    ]
    assert check("tax", ["Animal", "Cat"]) == ["Animal", "Cat"]
    assert check("tax", "Animal/Cat/Lion") == ["Animal", "Cat", "Lion"]
    assert check("taxm", ["A/B", ["A", "C"]]) == [["A", "B"], ["A", "C"]]


@pytest.mark.parametrize(
    ("label", "value", "loc", "fragment"),
    [
        ("tax", ["Animal", "Cow"], ["tax"], "not in the taxonomy"),
        ("tax", ["Cat"], ["tax"], "not in the taxonomy"),
        ("tax", [], ["tax"], "expected a path"),
        ("tax", 3, ["tax"], "expected a path"),
        ("taxm", [["A"]], ["taxm", 0], "inner node"),
        ("taxm", [["A", "B"], "A/B"], ["taxm", 1], "chosen twice"),
        ("taxm", "A/B", ["taxm"], "expected a list of paths"),
    ],
)
def test_taxonomy_errors(label: str, value: Any, loc: list, fragment: str) -> None:
    assert has(errors(label, value), loc, fragment)


def test_taxonomy_shortcuts_by_path_and_separator_checks() -> None:
    schema = parse_schema(
        {"labels": [{"name": "t", "kind": "taxonomy", "options": ["A/B"], "shortcuts": {"A/B": "b"}}]}
    )
    assert schema.model_dump(mode="json")["labels"][0]["options"] == [
        {"value": "A", "children": [{"value": "B", "shortcut": "b"}]}
    ]
    with pytest.raises(Invalid):
        parse_schema({"labels": [{"name": "t", "kind": "taxonomy", "options": [{"value": "a/b"}]}]})
    with pytest.raises(Invalid):
        parse_schema(
            {"labels": [{"name": "t", "kind": "taxonomy", "options": ["A"], "shortcuts": {"B": "b"}}]}
        )


# ---- pairwise and ranking -----------------------------------------------------------------------


def test_pairwise_accepts_sides_by_letter_or_name() -> None:
    assert check("pref", {"choice": "b", "reason": "clearer"}) == {"choice": "b", "reason": "clearer"}
    assert check("pref", {"choice": "a"}) == {"choice": "a"}
    assert check("pref2", {"choice": "model_y"}) == {"choice": "b"}
    assert check("pref2", {"choice": "tie"}) == {"choice": "tie"}


@pytest.mark.parametrize(
    ("value", "loc", "fragment"),
    [
        ({"choice": "tie"}, ["pref", "choice"], "not one of"),
        ({"choice": "c"}, ["pref", "choice"], "not one of"),
        ({"reason": "x"}, ["pref", "choice"], "required"),
        ({"choice": "a", "reason": 3}, ["pref", "reason"], "must be text"),
        ({"choice": "a", "why": "x"}, ["pref", "why"], "unknown key"),
        ("a", ["pref"], "expected"),
    ],
)
def test_pairwise_errors(value: Any, loc: list, fragment: str) -> None:
    assert has(errors("pref", value), loc, fragment)


def test_pairwise_schema_needs_two_sides() -> None:
    for label in (
        {"name": "p", "kind": "pairwise"},
        {"name": "p", "kind": "pairwise", "options": ["x", "y", "z"]},
        {"name": "p", "kind": "pairwise", "fields": ["a"]},
    ):
        with pytest.raises(Invalid):
            parse_schema({"fields": {"a": "text"}, "labels": [label]})


def test_ranking_sources() -> None:
    assert check("rank", [2, "q", 1]) == [2, "q", 1]
    assert check("rank2", ["z", "x", "y"]) == ["z", "x", "y"]
    assert check("rank3", ["b", "a"]) == ["b", "a"]
    assert SCHEMA.bound_fields() >= {"items", "a", "b"}


@pytest.mark.parametrize(
    ("label", "value", "loc", "fragment"),
    [
        ("rank2", ["x", "y"], ["rank2"], "missing z"),
        ("rank2", ["x", "y", "z", "x"], ["rank2", 3], "ranked twice"),
        ("rank2", ["x", "y", "w"], ["rank2", 2], "not an item"),
        ("rank", ["q", 1, 2, 3], ["rank", 3], "not an item"),
        ("rank", "q", ["rank"], "expected a list"),
    ],
)
def test_ranking_errors(label: str, value: Any, loc: list, fragment: str) -> None:
    assert has(errors(label, value), loc, fragment)


def test_ranking_needs_its_data_list() -> None:
    with pytest.raises(Invalid) as exc:
        SCHEMA.validate_result({"rank": [0]}, {"items": "nope"})
    assert "no list of items" in exc.value.errors[0]["msg"]


# ---- image kinds --------------------------------------------------------------------------------


def test_boxes_are_normalised_to_floats() -> None:
    out = check(
        "boxes", [{"x": 0, "y": 0, "width": 100, "height": 50, "label": "car", "rotation": 0, "id": "b1"}]
    )
    assert out == [{"x": 0.0, "y": 0.0, "width": 100.0, "height": 50.0, "label": "car", "id": "b1"}]


@pytest.mark.parametrize(
    ("box", "loc", "fragment"),
    [
        (
            {"x": 90, "y": 10, "width": 20, "height": 20, "label": "car"},
            ["boxes", 0],
            "outside the image (100x50)",
        ),
        ({"x": -1, "y": 10, "width": 2, "height": 2, "label": "car"}, ["boxes", 0], "outside"),
        ({"x": 0, "y": 0, "width": 0, "height": 2, "label": "car"}, ["boxes", 0, "width"], "positive"),
        ({"x": 0, "y": 0, "width": 2, "height": -2, "label": "car"}, ["boxes", 0, "height"], "positive"),
        ({"x": 0, "y": 0, "width": 2, "height": 2, "label": "bus"}, ["boxes", 0, "label"], "not one of"),
        ({"x": 0, "y": 0, "width": 2, "label": "car"}, ["boxes", 0, "height"], "required"),
        ({"x": "0", "y": 0, "width": 2, "height": 2, "label": "car"}, ["boxes", 0, "x"], "finite number"),
        (
            {"x": 10, "y": 10, "width": 20, "height": 5, "label": "car", "rotation": -90},
            ["boxes", 0],
            "rotated",
        ),
    ],
)
def test_box_errors(box: dict, loc: list, fragment: str) -> None:
    assert has(errors("boxes", [box]), loc, fragment)


def test_rotated_box_inside_and_unknown_image_size() -> None:
    check("boxes", [{"x": 50, "y": 10, "width": 20, "height": 20, "label": "car", "rotation": 90}])
    big = {"x": 500, "y": 500, "width": 20, "height": 20, "label": "car"}
    assert check("boxes", [big], media={})[0]["x"] == 500.0


def test_polygons() -> None:
    assert (
        check("poly", [{"points": [[0, 0], [5, 0]], "label": "road", "closed": False}])[0]["closed"] is False
    )
    errs = errors(
        "poly",
        [
            {"points": [[0, 0], [5, 0]], "label": "road"},
            {"points": [[0, 0], [5, 0], [500, 3]], "label": "road"},
            {"points": [[0, 0], [5]], "label": "road", "closed": False},
            {"points": "0,0", "label": "road"},
        ],
    )
    assert has(errs, ["poly", 0, "points"], "at least 3 points")
    assert has(errs, ["poly", 1, "points", 2], "outside the image")
    assert has(errs, ["poly", 2, "points", 1], "must be [x, y]")
    assert has(errs, ["poly", 3, "points"], "must be a list")


def test_keypoints() -> None:
    out = check("pose", [{"label": "person", "points": {"right_hand": [3, 4], "head": [1, 2]}}])
    assert out[0]["points"] == {"head": [1.0, 2.0], "left_hand": None, "right_hand": [3.0, 4.0]}
    errs = errors(
        "pose",
        [
            {"label": "person", "points": {"head": [1, 200], "tail": [1, 1]}},
            {"label": "person", "points": {"head": None}},
        ],
    )
    assert has(errs, ["pose", 0, "points", "tail"], "not a keypoint")
    assert has(errs, ["pose", 0, "points", "head"], "outside the image")
    assert has(errs, ["pose", 1, "points"], "at least one visible keypoint")
    with pytest.raises(Invalid):
        parse_schema(
            {
                "fields": {"i": "image"},
                "labels": [
                    {
                        "name": "k",
                        "kind": "keypoints",
                        "field": "i",
                        "options": ["p"],
                        "keypoints": ["a"],
                        "skeleton": [["a", "b"]],
                    }
                ],
            }
        )


def test_rle_codec_round_trips() -> None:
    runs = [0, 3, 4, 100, 2, 0, 5000, 1, 7]
    assert decode_counts(encode_counts(runs)) == runs
    assert decode_counts("\x01") is None


def test_masks() -> None:
    ok = [
        {"label": "sky", "rle": {"counts": [1000, 4000], "size": [50, 100]}},
        {"label": "sky", "rle": {"counts": encode_counts([0, 2500, 2500]), "size": [50, 100]}},
    ]
    assert check("brush", ok) == ok
    errs = errors(
        "brush",
        [
            {"label": "sky", "rle": {"counts": [1000, 3000], "size": [50, 100]}},
            {"label": "sky", "rle": {"counts": [5000], "size": [100, 50]}},
            {"label": "sky", "rle": {"counts": "\x01", "size": [50, 100]}},
            {"label": "sky", "rle": {"counts": [-1, 5001], "size": [50, 100]}},
            {"label": "sky", "rle": {"counts": [5000], "size": [50]}},
            {"label": "sky", "rle": [5000]},
            {"label": "sky", "rle": {"counts": [20_000 * 20_000], "size": [20_000, 20_000]}},
        ],
    )
    assert has(errs, ["brush", 0, "rle", "counts"], "add up to 4000, but a 50x100 mask has 5000 pixels")
    assert has(errs, ["brush", 1, "rle", "size"], "does not match the image")
    assert has(errs, ["brush", 2, "rle", "counts"], "COCO compressed string")
    assert has(errs, ["brush", 3, "rle", "counts"], "non-negative")
    assert has(errs, ["brush", 4, "rle", "size"], "[height, width]")
    assert has(errs, ["brush", 5, "rle"], "must be an object")
    assert has(errs, ["brush", 6, "rle", "size"],
               "a 20000x20000 mask has 400,000,000 pixels, more than the 268,435,456 a mask may have")


# ---- time ---------------------------------------------------------------------------------------


def test_audio_ranges() -> None:
    out = check(
        "speech",
        [
            {"start": 0, "end": 2.5, "label": "alice", "text": "hello"},
            {"start": 2.5, "end": 4, "label": "bob"},
        ],
    )
    assert out[0] == {"start": 0.0, "end": 2.5, "label": "alice", "text": "hello"}
    errs = errors(
        "speech",
        [
            {"start": 5, "end": 2, "label": "alice"},
            {"start": 5, "end": 12, "label": "bob"},
            {"start": 6, "end": 7, "label": "carol"},
            {"start": 1, "end": 3, "label": "bob", "text": 1},
        ],
    )
    assert has(errs, ["speech", 0, "end"], "not after its start")
    assert has(errs, ["speech", 1, "end"], "past the duration 10s")
    assert has(errs, ["speech", 2, "label"], "not one of")
    assert has(errs, ["speech", 3, "text"], "must be a string")
    assert has(errs, ["speech", 2], "overlaps")


def test_time_ranges_in_samples() -> None:
    assert check("events", [{"start": 10, "end": 20, "label": "spike"}]) == [
        {"start": 10, "end": 20, "label": "spike"}
    ]
    errs = errors(
        "events", [{"start": 1.5, "end": 20, "label": "spike"}, {"start": 1, "end": 2000, "label": "spike"}]
    )
    assert has(errs, ["events", 0, "start"], "whole sample index")
    assert has(errs, ["events", 1, "end"], "past the sample count 1000")


def test_video_tracks() -> None:
    frame = {"x": 1, "y": 1, "width": 5, "height": 5}
    out = check(
        "tracks",
        [
            {
                "track_id": "t1",
                "label": "car",
                "frames": [{"frame": 3, **frame}, {"frame": 0, **frame, "keyframe": False}],
            }
        ],
    )
    assert [f["frame"] for f in out[0]["frames"]] == [0, 3]
    assert out[0]["frames"][0] == {
        "frame": 0,
        "x": 1.0,
        "y": 1.0,
        "width": 5.0,
        "height": 5.0,
        "keyframe": False,
        "outside": False,
    }
    errs = errors(
        "tracks",
        [
            {
                "track_id": 1,
                "label": "car",
                "frames": [
                    {"frame": 3, **frame},
                    {"frame": 3, **frame},
                    {"frame": 10, **frame},
                    {"frame": 4, **frame, "x": 99},
                ],
            },
            {"track_id": 1, "label": "car", "frames": []},
            {"track_id": 2, "label": "car", "frames": [{"frame": 1, **frame, "outside": "no"}]},
        ],
    )
    assert has(errs, ["tracks", 0, "frames", 1, "frame"], "appears twice")
    assert has(errs, ["tracks", 0, "frames", 2, "frame"], "past the last frame (the video has 10 frames)")
    assert has(errs, ["tracks", 0, "frames", 3], "outside the image")
    assert has(errs, ["tracks", 1, "track_id"], "used twice")
    assert has(errs, ["tracks", 1, "frames"], "at least one frame")
    assert has(errs, ["tracks", 2, "frames", 0, "outside"], "true or false")


@pytest.mark.parametrize(
    ("kind", "field_kind"),
    [
        ("bbox", "text"),
        ("mask", "audio"),
        ("audio_ranges", "image"),
        ("video_boxes", "image"),
        ("time_ranges", "text"),
    ],
)
def test_region_kinds_check_their_field_kind(kind: str, field_kind: str) -> None:
    with pytest.raises(Invalid) as exc:
        parse_schema(
            {
                "fields": {"f": field_kind},
                "labels": [{"name": "l", "kind": kind, "field": "f", "options": ["a"]}],
            }
        )
    assert exc.value.errors[0]["loc"] == ["labels", 0, "field"]


def test_options_used() -> None:
    result = SCHEMA.validate_result(
        {
            "tax": "Animal/Dog",
            "pref2": {"choice": "a"},
            "rank3": ["a", "b"],
            "boxes": [{"x": 0, "y": 0, "width": 1, "height": 1, "label": "car"}],
        },
        DATA,
        MEDIA,
    )
    assert list(SCHEMA.options_used(result)) == [
        ("tax", "Animal/Dog"),
        ("pref2", "a"),
        ("rank3", None),
        ("boxes", "car"),
    ]


def test_rle_codec_matches_pycocotools() -> None:
    np = pytest.importorskip("numpy")
    mask_api = pytest.importorskip("pycocotools.mask")
    rng = np.random.default_rng(7)
    for h, w in [(1, 1), (7, 9), (40, 33)]:
        grid = np.asfortranarray((rng.random((h, w)) > 0.6).astype(np.uint8))
        coco = mask_api.encode(grid)
        runs = decode_counts(coco["counts"].decode())
        assert runs is not None and sum(runs) == h * w
        assert encode_counts(runs) == coco["counts"].decode()
        schema = parse_schema(
            {
                "fields": {"i": "image"},
                "labels": [{"name": "m", "kind": "mask", "field": "i", "options": ["x"]}],
            }
        )
        rle = {"counts": coco["counts"].decode(), "size": [h, w]}
        schema.validate_result({"m": [{"label": "x", "rle": rle}]}, {}, {"i": {"width": w, "height": h}})
