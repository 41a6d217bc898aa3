"""Per-object attributes as Label Studio per-region results (both ways).

Label Studio attaches values to a region with control tags marked ``perRegion="true"``; each such value is
a result item with the region's ``id`` (``value`` repeats the region's geometry). An attribute of a
labelwise object becomes one item after the object's region result:

=============  =====================================================================================
attribute      Label Studio result (``from_name``: the attribute's name)
=============  =====================================================================================
boolean        ``choices`` ``{"choices": [<name>]}`` when true (a one-option Choices, a checkbox);
               false is written as nothing, so it reads back as absent
choice         ``choices`` ``{"choices": [value]}``;  multi_choice: ``{"choices": [...]}``
number         ``number`` ``{"number": value}`` (a per-region ``rating`` is read as a number too)
text           ``textarea`` ``{"text": [value]}`` (lines joined with ``\\n`` when read)
=============  =====================================================================================

When an attribute's name is also the name of a label of the schema, ``from_name`` is
``<label>.<attribute>`` (Label Studio names are unique per config); reading strips that prefix again.
"""

from __future__ import annotations

from typing import Any

from labelwise.formats.base import ExportReport, FormatError

#: labelwise kinds whose objects may carry attributes.
OBJECT_KINDS = frozenset({"bbox", "polygon", "keypoints", "mask", "audio_ranges", "time_ranges", "video_boxes"})


def control_name(schema: Any, label: str, attribute: str) -> str:
    """The ``from_name`` of an attribute's per-region results."""
    return f"{label}.{attribute}" if any(lab.name == attribute for lab in schema.labels) else attribute


def attribute_results(schema: Any, lab: Any, region: dict[str, Any], attrs: Any, report: ExportReport,
                      key: str) -> list[dict[str, Any]]:
    """Per-region result items for an object's ``attrs``; ``region`` is the object's region result."""
    if not isinstance(attrs, dict) or not attrs:
        return []
    defs = {a.name: a for a in getattr(lab, "attributes", [])}
    geometry = {k: v for k, v in region["value"].items() if k not in (region["type"], "labels")}
    base = {k: v for k, v in region.items() if k not in ("from_name", "type", "value", "parentID")}
    out = []
    for name, v in attrs.items():
        a = defs.get(name)
        if a is None:
            report.warn(key, lab.name, f"attribute '{name}' is not declared by the label; left out")
            continue
        if v is None or (a.type == "boolean" and v is False):
            continue
        if a.type == "boolean":
            typ, value = "choices", {"choices": [name]}
        elif a.type in ("choice", "multi_choice"):
            typ, value = "choices", {"choices": list(v) if a.type == "multi_choice" else [v]}
        elif a.type == "number":
            typ, value = "number", {"number": v}
        else:
            typ, value = "textarea", {"text": [v]}
        out.append({**base, "from_name": control_name(schema, lab.name, name), "type": typ,
                    "value": {**geometry, **value}})
    return out


def read_attribute(lab: Any, obj: dict[str, Any], index: int, it: dict[str, Any], name: str, at: str) -> None:
    """Set the attribute a per-region result item ``it`` gives on ``obj`` (object ``index`` of ``lab``)."""
    rid = it.get("id")
    control = str(it.get("from_name"))
    defs = {a.name: a for a in getattr(lab, "attributes", [])}
    attr = control if control in defs else control.removeprefix(f"{lab.name}.")
    where = f"{at} (region {rid!r}: object {index} of '{lab.name}')"
    a = defs.get(attr)
    if a is None:
        known = ", ".join(defs) or "none declared"
        raise FormatError(name, where, f"{control!r} is not an attribute of label '{lab.name}' (attributes: {known})")
    v = it.get("value")
    if not isinstance(v, dict):
        raise FormatError(name, where, f"the per-region result for attribute '{attr}' has no value object")
    try:
        if a.type in ("boolean", "choice", "multi_choice"):
            got = v["choices"]
            if not isinstance(got, list):
                raise TypeError("choices")
            if a.type == "boolean":
                value: Any = True if got else None
            elif a.type == "choice":
                if len(got) != 1:
                    raise FormatError(name, where, f"attribute '{attr}': value.choices must be a list of one option")
                value = got[0]
            else:
                value = got
        elif a.type == "number":
            value = v["number"] if "number" in v else v["rating"]
        else:
            lines = v["text"]
            if not isinstance(lines, list) or not all(isinstance(x, str) for x in lines):
                raise TypeError("text")
            value = "\n".join(lines)
    except (KeyError, TypeError) as exc:
        raise FormatError(name, where, f"a {it.get('type')} result for {a.type} attribute '{attr}' lacks "
                                       f"a valid value.{str(exc).strip(chr(39))}") from None
    if value is None:
        return
    problem = a.problem(value)
    if problem:
        raise FormatError(name, where, f"attribute '{attr}' {problem}")
    attrs = obj.setdefault("attributes", {})
    if attr in attrs:
        raise FormatError(name, where, f"attribute '{attr}' is given twice for this region")
    attrs[attr] = value
