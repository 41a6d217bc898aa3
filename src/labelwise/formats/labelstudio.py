"""Label Studio JSON export format: write it, and read it back (with a config, see
:mod:`labelwise.formats.labelstudio_config`).

Written: a JSON array (streamed) of tasks ``{"id", "data", "meta": {"key"}, "annotations",
"predictions"}``. Every annotation that is not rejected is written (``completed_by: {"email": annotator}``,
``lead_time``, ``created_at``); a reviewer's correction is written as an extra annotation by the reviewer.
Predictions keep ``model_version`` and ``score``. Results are Label Studio result items
``{"id", "from_name": <label>, "to_name": <field>, "type", "value"}``:

choice/multi_choice -> ``choices``; taxonomy -> ``taxonomy``; spans -> ``labels`` (start, end, text);
relations -> ``relation`` (``from_id``/``to_id``); rating; number; text -> ``textarea``; pairwise ->
``pairwise`` (``selected: left|right``; a tie is reported); ranking -> ``ranker`` (``{"rank": [...]}``);
bbox/polygon -> ``rectanglelabels``/``polygonlabels`` in percent of ``original_width``/``original_height``
(needs the image size; reported otherwise); keypoints -> one ``keypointlabels`` point per visible
keypoint, grouped by ``parentID``; audio_ranges -> ``labels`` with start/end seconds (a transcript as a
``textarea`` with the same id); time_ranges -> ``timeserieslabels``; video_boxes -> ``videorectangle``
(frames 1-based, percent). An object's ``attributes`` follow its region as per-region results with the
region's id (:mod:`labelwise.formats.labelstudio_attrs`). mask -> ``brushlabels``
``{"format": "rle", "rle": [...]}`` in Label Studio's brush RLE of the image's pixels
(:mod:`labelwise.formats.labelstudio_brush`; needs the image size, and a mask of another size is reported).

Read: the same JSON, ``completed_by`` as an email, an object with ``email`` or a user id.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from labelwise.formats.base import ExportReport, Pages, Record, dumps, item_key, records
from labelwise.formats.images import image_size
from labelwise.formats.labelstudio_attrs import attribute_results

TYPES = {"choice": "choices", "multi_choice": "choices", "taxonomy": "taxonomy", "spans": "labels",
         "relations": "relation", "rating": "rating", "number": "number", "text": "textarea",
         "pairwise": "pairwise", "ranking": "ranker", "bbox": "rectanglelabels", "polygon": "polygonlabels",
         "keypoints": "keypointlabels", "audio_ranges": "labels", "time_ranges": "timeserieslabels",
         "video_boxes": "videorectangle", "mask": "brushlabels"}


def write_labelstudio(pages: Pages, schema: Any, report: ExportReport) -> Iterator[bytes]:
    yield b"["
    first = True
    for record in records(pages, report):
        key = item_key(record)
        anns = []
        for ann in record.get("annotations") or []:
            review = ann.get("review") or {}
            if review.get("status") == "rejected":
                continue
            anns.append({"id": ann.get("id"), "completed_by": {"email": ann.get("annotator")},
                         "result": to_ls(schema, record, ann.get("result") or {}, report, key),
                         "lead_time": ann.get("lead_time"), "created_at": ann.get("submitted_at"),
                         "was_cancelled": False, "ground_truth": False})
            if review.get("status") == "corrected" and isinstance(review.get("result"), dict):
                anns.append({"id": None, "completed_by": {"email": review.get("reviewer")},
                             "result": to_ls(schema, record, review["result"], report, key),
                             "created_at": review.get("at"), "was_cancelled": False, "ground_truth": True})
        preds = [{"model_version": p.get("model"), "score": p.get("score"),
                  "result": to_ls(schema, record, p.get("result") or {}, report, key)}
                 for p in record.get("predictions") or []]
        task = {"id": record.get("id"), "data": record.get("data") or {}, "meta": {"key": key},
                "annotations": anns, "predictions": preds}
        yield (b"" if first else b",") + dumps(task)
        first = False
    yield b"]"


def _pct(v: float, size: float) -> float:
    return v / size * 100


def to_ls(schema: Any, record: Record, result: dict[str, Any], report: ExportReport, key: str,
          ) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    first_field = next(iter(schema.fields), "")
    for name, value in result.items():
        lab = schema.label(name)
        kind, typ = lab.kind, TYPES.get(lab.kind)
        to = getattr(lab, "field", None) or (",".join(lab.fields) if getattr(lab, "fields", None) else first_field)
        base = {"from_name": name, "to_name": to, "type": typ}
        if kind in ("choice", "multi_choice"):
            out.append({**base, "value": {"choices": value if kind == "multi_choice" else [value]}})
        elif kind == "taxonomy":
            out.append({**base, "value": {"taxonomy": value if lab.multiple else [value]}})
        elif kind == "rating":
            out.append({**base, "value": {"rating": value}})
        elif kind == "number":
            out.append({**base, "value": {"number": value}})
        elif kind == "text":
            out.append({**base, "value": {"text": [value]}})
        elif kind == "ranking":
            out.append({**base, "value": {"ranker": {"rank": value}}})
        elif kind == "pairwise":
            if value.get("choice") == "tie":
                report.warn(key, name, "a tie cannot be written: Label Studio's Pairwise has no tie; left out")
                continue
            out.append({**base, "value": {"selected": "left" if value["choice"] == "a" else "right"}})
        elif kind == "spans":
            for i, s in enumerate(value):
                out.append({**base, "id": s.get("id") or f"{name}-{i}",
                            "value": {"start": s["start"], "end": s["end"], "text": s.get("text", _quote(
                                record, lab.field, s)), "labels": [s["label"]]}})
        elif kind == "relations":
            spans = result.get(lab.spans_label) or []
            ids = [s.get("id") or f"{lab.spans_label}-{i}" for i, s in enumerate(spans)]
            for r in value:
                ends = [ids[e] if isinstance(e, int) else e for e in (r["from"], r["to"])]
                item = {"from_id": ends[0], "to_id": ends[1], "type": "relation", "direction": "right"}
                out.append({**item, "labels": [r["label"]] if r.get("label") else []})
        elif kind in ("audio_ranges", "time_ranges"):
            for i, r in enumerate(value):
                rid = r.get("id") or f"{name}-{i}"
                region = {**base, "id": rid, "value": {"start": r["start"], "end": r["end"], typ: [r["label"]]}}
                out.append(region)
                if "text" in r:
                    out.append({**base, "id": rid, "type": "textarea",
                                "value": {"start": r["start"], "end": r["end"], "text": [r["text"]]}})
                out += attribute_results(schema, lab, region, r.get("attributes"), report, key)
        elif kind in ("bbox", "polygon", "keypoints", "video_boxes", "mask"):
            size = image_size(record, lab.field)
            if size is None:
                report.warn(key, name, "no image size: Label Studio needs percentages; left out" if kind != "mask"
                            else "no image size: Label Studio needs original_width/height; left out")
                continue
            for i, it in enumerate(value):
                if kind == "mask" and list(it["rle"]["size"]) != [size[1], size[0]]:
                    report.warn(key, name, f"mask {i}: its size {it['rle']['size']} (height, width) is not the "
                                           f"image's {size[1]:g}x{size[0]:g}; left out")
                    continue
                regions = _region(lab, base, i, it, size)
                out += regions
                if it.get("attributes") and not regions:
                    report.warn(key, name, f"object {i}: a keypoints instance without a visible point has no "
                                           "Label Studio region; its attributes are left out")
                elif regions:
                    out += attribute_results(schema, lab, regions[0], it.get("attributes"), report, key)
        else:
            report.warn(key, name, f"{kind} results are not written to Label Studio; left out")
    return out


def _quote(record: Record, field: str, s: dict[str, Any]) -> str:
    text = (record.get("data") or {}).get(field)
    return text[s["start"]:s["end"]] if isinstance(text, str) else ""


def _region(lab: Any, base: dict[str, Any], i: int, it: dict[str, Any], size: tuple[float, float],
            ) -> list[dict[str, Any]]:
    """The region result(s) of object ``i``: one, or one per visible keypoint (none when all are hidden)."""
    w, h = size
    base = {**base, "original_width": w, "original_height": h, "image_rotation": 0}
    rid = it.get("id") or f"{lab.name}-{i}"
    if lab.kind == "bbox":
        v = {"x": _pct(it["x"], w), "y": _pct(it["y"], h), "width": _pct(it["width"], w),
             "height": _pct(it["height"], h), "rotation": it.get("rotation", 0), "rectanglelabels": [it["label"]]}
        return [{**base, "id": rid, "value": v}]
    if lab.kind == "polygon":
        pts = [[_pct(x, w), _pct(y, h)] for x, y in it["points"]]
        return [{**base, "id": rid, "value": {"points": pts, "closed": it.get("closed", True),
                                              "polygonlabels": [it["label"]]}}]
    if lab.kind == "mask":
        from labelwise.formats.labelstudio_brush import brush_value  # numpy, loaded when a mask comes

        return [{**base, "id": rid, "value": brush_value(it["rle"], it["label"])}]
    if lab.kind == "keypoints":
        return [{**base, "id": f"{rid}-{kp}", "parentID": rid,
                 "value": {"x": _pct(p[0], w), "y": _pct(p[1], h), "width": 1, "keypointlabels": [kp]}}
                for kp, p in it["points"].items() if p is not None]
    seq = [{"frame": f["frame"] + 1, "enabled": not f.get("outside", False), "x": _pct(f["x"], w),
            "y": _pct(f["y"], h), "width": _pct(f["width"], w), "height": _pct(f["height"], h),
            "rotation": f.get("rotation", 0)} for f in it["frames"]]
    return [{**base, "id": str(it["track_id"]), "value": {"sequence": seq, "labels": [it["label"]]}}]
