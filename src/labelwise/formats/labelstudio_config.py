"""Translate a Label Studio labeling config (XML) into a labelwise schema dict.

Object tags become ``fields`` (named after the ``$variable`` of their ``value``): Text -> text,
HyperText -> html, Paragraphs -> chat, Image -> image, Audio/AudioPlus -> audio, Video -> video,
TimeSeries -> timeseries, Table -> table, List -> list. Control tags become labels named after their
``name``:

=====================  ===========================================================================
Label Studio           labelwise
=====================  ===========================================================================
Choices                choice (``choice="multiple"``: multi_choice)
Taxonomy               taxonomy (nested ``Choice`` tags)
Labels                 spans on a Text; audio_ranges on Audio; on a Video, the options of VideoRectangle
TextArea               text
Rating                 rating (``maxRating``, default 5)
Number                 number (``min``, ``max``)
Pairwise               pairwise (the two objects of ``toName="a,b"``)
Ranker                 ranking over a List object
Relations              relations between the spans of the config's first Labels-on-Text
RectangleLabels        bbox;  PolygonLabels -> polygon;  BrushLabels -> mask
KeyPointLabels         keypoints: the ``Label`` values are the keypoint names, one option (the tag name)
TimeSeriesLabels       time_ranges
VideoRectangle         video_boxes (options from the Labels tag on the same video)
=====================  ===========================================================================

Control tags with ``perRegion="true"`` (Choices, TextArea, Number, Rating) become ``attributes`` of the object
labels (bbox, polygon, keypoints, mask, audio_ranges, time_ranges, video_boxes) on their object: a Choices
whose only ``Choice`` is its own name -> boolean (a checkbox), other Choices -> choice / multi_choice,
TextArea -> text, Number -> number (``min``, ``max``; ``step="1"``: integer), Rating -> whole number from 1
to ``maxRating``; ``required="true"`` is kept. ``whenLabelValue`` (on the tag or on an enclosing ``View``)
gives ``only_for`` and attaches the attribute only to labels having that option; ``whenTagName`` names the
label. A name ``<label>.<attribute>`` is the attribute ``<attribute>`` of ``<label>`` (as the export writes
it when the attribute's name is also a label's). A per-region tag no object label takes is untranslated.

Any other tag with a ``toName`` (and any listed tag bound to an object it cannot label) is returned by
name in ``untranslated`` instead. The XML is parsed by :func:`labelwise.formats.xmlsafe.parse_xml`.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

from labelwise.formats.xmlsafe import parse_xml

OBJECTS = {"Text": "text", "HyperText": "html", "Paragraphs": "chat", "Image": "image", "Audio": "audio",
           "AudioPlus": "audio", "Video": "video", "TimeSeries": "timeseries", "Table": "table", "List": "list"}
ATTRIBUTE_TAGS = ("Choices", "TextArea", "Number", "Rating")
OBJECT_KINDS = ("bbox", "polygon", "keypoints", "mask", "audio_ranges", "time_ranges", "video_boxes")
REGION_TAGS = {"RectangleLabels": "bbox", "PolygonLabels": "polygon", "BrushLabels": "mask",
               "TimeSeriesLabels": "time_ranges"}


def _options(el: ET.Element, child: str = "Label") -> list[str]:
    return [c.get("value") or "" for c in el.iter(child) if c.get("value")]


def _tree(el: ET.Element) -> list[dict[str, Any]]:
    return [{"value": c.get("value"), "children": _tree(c)} for c in el.findall("Choice") if c.get("value")]


def translate_config(xml: str | bytes, where: str = "label config") -> tuple[dict[str, Any], list[str]]:
    """``(schema dict, untranslated tags as "Tag name")``. The dict passes ``parse_schema`` when every
    translated tag is consistent; the caller should still parse it."""
    root = parse_xml(xml, where)
    objects: dict[str, tuple[str, str]] = {}  # object tag name -> (field, kind)
    for el in root.iter():
        if el.tag in OBJECTS and el.get("name"):
            value = el.get("value") or el.get("valueList") or f"${el.get('name')}"
            objects[el.get("name") or ""] = (value.lstrip("$"), OBJECTS[el.tag])
    fields = {f: k for f, k in objects.values()}
    labels: list[dict[str, Any]] = []
    untranslated: list[str] = []
    video_labels: dict[str, list[str]] = {}
    first_spans: str | None = None
    for el in root.iter():
        if el.tag == "Labels" and objects.get(el.get("toName") or "", ("", ""))[1] == "video":
            video_labels[el.get("toName") or ""] = _options(el)
    for el in root.iter():
        to = el.get("toName")
        if (to is None and el.tag != "Relations") or el.tag in OBJECTS or el.get("perRegion") == "true":
            continue
        name = el.get("name") or el.tag
        targets = [objects.get(t.strip()) for t in (to or "").split(",")]
        target = targets[0]
        label = _label(el, name, target, targets, video_labels)
        if label is None:
            untranslated.append(f"{el.tag} {name}")
            continue
        if label["kind"] == "spans" and first_spans is None:
            first_spans = name
        labels.append(label)
    for label in labels:
        if label["kind"] == "relations":
            if first_spans is None:
                untranslated.append(f"Relations {label['name']}")
                label["kind"] = None
            else:
                label["spans_label"] = first_spans
    labels = [lab for lab in labels if lab["kind"]]
    _per_region(root, objects, labels, untranslated)
    return {"fields": fields, "labels": labels}, untranslated


def _label(el: ET.Element, name: str, target: tuple[str, str] | None, targets: list[Any],
           video_labels: dict[str, list[str]]) -> dict[str, Any] | None:
    field, kind = target or (None, None)
    tag = el.tag
    if tag == "Choices":
        multiple = el.get("choice") in ("multiple", "multiple-single")
        return {"name": name, "kind": "multi_choice" if multiple else "choice", "options": _options(el, "Choice")}
    if tag == "Taxonomy":
        return {"name": name, "kind": "taxonomy", "options": _tree(el),
                "multiple": el.get("maxUsages") != "1"} if _tree(el) else None
    if tag == "TextArea":
        return {"name": name, "kind": "text"}
    if tag == "Rating":
        return {"name": name, "kind": "rating", "max": int(el.get("maxRating") or 5)}
    if tag == "Number":
        out: dict[str, Any] = {"name": name, "kind": "number"}
        for key in ("min", "max"):
            if el.get(key) is not None:
                out[key] = float(el.get(key) or 0)
        return out
    if tag == "Pairwise" and len(targets) == 2 and None not in targets:
        return {"name": name, "kind": "pairwise", "fields": [t[0] for t in targets]}
    if tag == "Ranker" and kind == "list":
        return {"name": name, "kind": "ranking", "field": field}
    if tag == "Relations":
        return {"name": name, "kind": "relations", "options": _options(el, "Relation")}
    if tag == "Labels" and kind == "text":
        return {"name": name, "kind": "spans", "field": field, "options": _options(el)}
    if tag == "Labels" and kind == "audio":
        return {"name": name, "kind": "audio_ranges", "field": field, "options": _options(el)}
    if tag == "Labels" and kind == "video":
        return {"name": name, "kind": None}  # consumed by VideoRectangle
    if tag in REGION_TAGS and kind == ("timeseries" if tag == "TimeSeriesLabels" else "image"):
        return {"name": name, "kind": REGION_TAGS[tag], "field": field, "options": _options(el)}
    if tag == "KeyPointLabels" and kind == "image" and _options(el):
        return {"name": name, "kind": "keypoints", "field": field, "options": [name], "keypoints": _options(el)}
    if tag == "VideoRectangle" and kind == "video":
        opts = video_labels.get(el.get("toName") or "")
        return {"name": name, "kind": "video_boxes", "field": field, "options": opts} if opts else None
    return None


def _per_region(root: ET.Element, objects: dict[str, tuple[str, str]], labels: list[dict[str, Any]],
                untranslated: list[str]) -> None:
    """Per-region control tags as attributes of the object labels on their object (in place)."""
    parents = {c: p for p in root.iter() for c in p}
    for el in root.iter():
        if el.get("perRegion") != "true" or el.get("toName") is None or el.tag in OBJECTS:
            continue
        name = el.get("name") or el.tag
        target = objects.get((el.get("toName") or "").split(",")[0].strip())
        attr = _attribute(el, name)
        when, tag_name = _when(el, parents)
        hosts = 0
        for lab in labels:
            if attr is None or target is None or lab["kind"] not in OBJECT_KINDS or lab.get("field") != target[0]:
                continue
            if tag_name is not None and lab["name"] != tag_name:
                continue
            a = {"name": name.removeprefix(f"{lab['name']}.") or name, **attr}
            if when is not None:
                only = [w for w in when if w in (lab.get("options") or [])]
                if not only:
                    continue
                a["only_for"] = only
            lab.setdefault("attributes", []).append(a)
            hosts += 1
        if not hosts:
            untranslated.append(f"{el.tag} {name}")


def _when(el: ET.Element, parents: dict[ET.Element, ET.Element]) -> tuple[list[str] | None, str | None]:
    """``(whenLabelValue values, whenTagName)`` of the tag or its nearest enclosing tag that sets them."""
    node: ET.Element | None = el
    while node is not None:
        if node.get("whenLabelValue") or node.get("whenTagName"):
            values = node.get("whenLabelValue")
            when = [v.strip() for v in values.split(",") if v.strip()] if values else None
            return when, node.get("whenTagName")
        node = parents.get(node)
    return None, None


def _attribute(el: ET.Element, name: str) -> dict[str, Any] | None:
    out: dict[str, Any]
    if el.tag == "Choices":
        opts = _options(el, "Choice")
        if not opts:
            return None
        multiple = el.get("choice") in ("multiple", "multiple-single")
        if opts == [name] and not multiple:
            return {"type": "boolean"}
        out = {"type": "multi_choice" if multiple else "choice", "options": opts}
    elif el.tag == "TextArea":
        out = {"type": "text"}
    elif el.tag == "Number":
        out = {"type": "number"}
        for key in ("min", "max"):
            if el.get(key) is not None:
                out[key] = float(el.get(key) or 0)
        if el.get("step") == "1":
            out["integer"] = True
    elif el.tag == "Rating":
        out = {"type": "number", "integer": True, "min": 1, "max": int(el.get("maxRating") or 5)}
    else:
        return None
    if el.get("required") == "true":
        out["required"] = True
    return out
