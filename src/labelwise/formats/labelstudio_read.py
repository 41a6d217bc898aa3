"""Read a Label Studio JSON export (the inverse of :mod:`labelwise.formats.labelstudio`).

Tasks are parsed one at a time (``ijson``), so a large export is never held in memory. ``schema`` is a
labelwise schema, typically ``parse_schema(translate_config(xml)[0])``; each result item's ``from_name``
must name one of its labels. Items of types the schema's label cannot hold are errors naming the task and
the result item. Keys come from ``meta.key``, else the task id. The image (or video) size of a field, given by
its regions' ``original_width``/``original_height``, becomes ``meta.media[<field>]``, so that a project made
from the export can write the regions again. Per-region results (the same ``id`` as a region, a ``from_name``
that is no label) become the object's ``attributes`` (:mod:`labelwise.formats.labelstudio_attrs`).
A ``brushlabels`` region (Label Studio's brush RLE of the image's RGBA pixels) becomes a mask with COCO run
lengths: the pixels whose alpha is not 0 (:mod:`labelwise.formats.labelstudio_brush`); an rle that cannot be
decoded, or that does not hold ``original_width`` x ``original_height`` pixels, is an error naming the task
and the result item.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import ijson

from labelwise.formats.base import FormatError, Record
from labelwise.formats.labelstudio_attrs import read_attribute


def read_labelstudio(source: str | Path | IO[bytes], schema: Any) -> Iterator[Record]:
    if isinstance(source, str | Path):
        with open(source, "rb") as fh:
            yield from _read(fh, str(source), schema)
    else:
        yield from _read(source, getattr(source, "name", "<labelstudio>"), schema)


def _who(ann: dict[str, Any]) -> str:
    by = ann.get("completed_by")
    if isinstance(by, dict):
        return str(by.get("email") or by.get("id") or "")
    return str(by) if by is not None else "labelstudio"


def _read(fh: IO[bytes], name: str, schema: Any) -> Iterator[Record]:
    i = -1
    try:
        for i, task in enumerate(ijson.items(fh, "item", use_float=True)):
            where = f"task {i}"
            if not isinstance(task, dict) or not isinstance(task.get("data"), dict):
                raise FormatError(name, where, 'expected a task object with a "data" object')
            meta = task.get("meta") if isinstance(task.get("meta"), dict) else {}
            key = str(meta.get("key") or task.get("id") or i)
            record: Record = {"key": key, "data": task["data"], "meta": {}, "annotations": [], "predictions": []}
            sizes: dict[str, dict[str, Any]] = {}
            for j, ann in enumerate(task.get("annotations") or []):
                if ann.get("was_cancelled"):
                    continue
                result = from_ls(schema, task, ann.get("result") or [], name, f"{where}, annotation {j}", sizes)
                record["annotations"].append({"annotator": _who(ann), "result": result})
            for j, pred in enumerate(task.get("predictions") or []):
                result = from_ls(schema, task, pred.get("result") or [], name, f"{where}, prediction {j}", sizes)
                record["predictions"].append({"model": pred.get("model_version"), "score": pred.get("score"),
                                              "result": result})
            if sizes:
                record["meta"]["media"] = sizes
            yield record
    except ijson.JSONError as exc:
        raise FormatError(name, f"task {i + 1}", f"not valid JSON ({exc})") from None


def _one(v: dict[str, Any], key: str, name: str, where: str) -> Any:
    got = v.get(key)
    if not isinstance(got, list) or len(got) != 1:
        raise FormatError(name, where, f'value.{key} must be a list of one label')
    return got[0]


def from_ls(schema: Any, task: dict[str, Any], items: list[Any], name: str, where: str,
            sizes: dict[str, dict[str, Any]] | None = None) -> dict[str, Any]:
    """A labelwise result from Label Studio result items; ``sizes`` gets ``{field: {width, height}}`` from the
    regions' ``original_width``/``original_height`` (the image or video size, kept as ``meta.media``)."""
    labels = {lab.name: lab for lab in schema.labels}
    out: dict[str, Any] = {}
    ids: dict[str, dict[str, Any]] = {}
    groups: dict[str, dict[str, Any]] = {}
    regions: dict[str, tuple[Any, dict[str, Any]]] = {}  # region id -> (label, object): per-region results
    per_region = []
    relations = []
    for k, it in enumerate(items):
        at = f"{where}, result {k}"
        if not isinstance(it, dict):
            raise FormatError(name, at, "a result item must be an object")
        if it.get("type") == "relation":
            relations.append((at, it))
            continue
        lab = labels.get(it.get("from_name"))
        if lab is None and isinstance(it.get("id"), str):
            per_region.append((at, it))  # an attribute of a region, once every region is read
            continue
        if lab is None:
            raise FormatError(name, at, f"from_name {it.get('from_name')!r} is not a label of the schema")
        v = it.get("value") if isinstance(it.get("value"), dict) else {}
        kind = lab.kind
        try:
            if kind == "choice":
                out[lab.name] = _one(v, "choices", name, at)
            elif kind == "multi_choice":
                out[lab.name] = list(v["choices"])
            elif kind == "taxonomy":
                out[lab.name] = v["taxonomy"] if lab.multiple else v["taxonomy"][0]
            elif kind == "rating":
                out[lab.name] = v["rating"]
            elif kind == "number":
                out[lab.name] = v["number"]
            elif kind == "text":
                out[lab.name] = "\n".join(v["text"])
            elif kind == "ranking":
                out[lab.name] = [x for bucket in v["ranker"].values() for x in bucket]
            elif kind == "pairwise":
                out[lab.name] = {"choice": {"left": "a", "right": "b"}[v["selected"]]}
            elif kind == "spans":
                span = {"start": v["start"], "end": v["end"], "label": _one(v, "labels", name, at)}
                if it.get("id"):
                    ids[it["id"]] = span
                out.setdefault(lab.name, []).append(span)
            elif kind in ("audio_ranges", "time_ranges"):
                rid = it.get("id")
                rng = groups.get(rid) if rid else None
                if rng is None:
                    rng = {"start": v["start"], "end": v["end"]}
                    out.setdefault(lab.name, []).append(rng)
                    if rid:
                        groups[rid] = rng
                        regions[rid] = (lab, rng)
                if it.get("type") == "textarea":
                    rng["text"] = "\n".join(v["text"])
                else:
                    rng["label"] = _one(v, it.get("type") or "labels", name, at)
            elif kind in ("bbox", "polygon", "keypoints", "video_boxes", "mask"):
                obj = _region(lab, it, v, out, groups, name, at)
                if sizes is not None:
                    sizes.setdefault(lab.field, {"width": it["original_width"], "height": it["original_height"]})
                for rid in (it.get("id"), it.get("parentID")):
                    if isinstance(rid, str):
                        regions.setdefault(rid, (lab, obj))
            else:
                raise FormatError(name, at, f"{kind} results cannot be read from Label Studio")
        except (KeyError, IndexError, TypeError, AttributeError) as exc:
            raise FormatError(name, at, f"a {it.get('type')} result for {kind} label '{lab.name}' "
                                        f"lacks {exc}") from None
    for at, it in per_region:
        lab, obj = regions.get(it["id"], (None, None))
        if lab is None or obj is None:
            raise FormatError(name, at, f"from_name {it.get('from_name')!r} is not a label of the schema, and "
                                        f"id {it['id']!r} names no region of this result for a per-region value")
        index = next(i for i, o in enumerate(out[lab.name]) if o is obj)
        read_attribute(lab, obj, index, it, name, at)
    for at, rel in relations:
        lab = next((lab for lab in labels.values() if lab.kind == "relations"), None)
        if lab is None:
            raise FormatError(name, at, "a relation, but the schema has no relations label")
        spans = out.get(lab.spans_label) or []
        try:
            ends = [spans.index(ids[rel[e]]) for e in ("from_id", "to_id")]
        except (KeyError, ValueError):
            raise FormatError(name, at, "from_id/to_id name no span of this result") from None
        item: dict[str, Any] = {"from": ends[0], "to": ends[1]}
        if rel.get("labels"):
            item["label"] = rel["labels"][0]
        out.setdefault(lab.name, []).append(item)
    return {n: out[n] for n in labels if n in out}  # schema order, as validate_result gives it


def _region(lab: Any, it: dict[str, Any], v: dict[str, Any], out: dict[str, Any],
            groups: dict[str, Any], name: str, at: str) -> dict[str, Any]:
    """Add the object of a region result to ``out``; return it (a keypoints instance: the one it joins)."""
    w, h = it["original_width"], it["original_height"]

    def px(x: float, size: float) -> float:
        return x * size / 100

    if lab.kind == "bbox":
        box = {"x": px(v["x"], w), "y": px(v["y"], h), "width": px(v["width"], w), "height": px(v["height"], h)}
        if v.get("rotation"):
            box["rotation"] = v["rotation"]
        obj: dict[str, Any] = {**box, "label": _one(v, "rectanglelabels", name, at)}
    elif lab.kind == "polygon":
        obj = {"points": [[px(x, w), px(y, h)] for x, y in v["points"]], "closed": v.get("closed", True),
               "label": _one(v, "polygonlabels", name, at)}
    elif lab.kind == "mask":
        from labelwise.formats.labelstudio_brush import BrushRLEError, coco_rle  # numpy, loaded when a mask comes

        label = _one(v, "brushlabels", name, at)
        try:
            obj = {"rle": coco_rle(v, w, h), "label": label}
        except BrushRLEError as exc:
            raise FormatError(name, at, f"brush mask of label '{lab.name}': {exc}") from None
    elif lab.kind == "keypoints":
        parent = it.get("parentID") or it.get("id")
        inst = groups.get(f"kp:{parent}")
        if inst is None:
            inst = {"points": dict.fromkeys(lab.keypoints), "label": lab.option_values()[0]}
            groups[f"kp:{parent}"] = inst
            out.setdefault(lab.name, []).append(inst)
        inst["points"][_one(v, "keypointlabels", name, at)] = [px(v["x"], w), px(v["y"], h)]
        return inst
    else:
        frames = [{"frame": f["frame"] - 1, "x": px(f["x"], w), "y": px(f["y"], h), "width": px(f["width"], w),
                   "height": px(f["height"], h), "outside": not f.get("enabled", True)}
                  for f in v["sequence"]]
        for f, src in zip(frames, v["sequence"], strict=True):
            if src.get("rotation"):
                f["rotation"] = src["rotation"]
        obj = {"track_id": it.get("id"), "label": _one(v, "labels", name, at), "frames": frames}
    out.setdefault(lab.name, []).append(obj)
    return obj
