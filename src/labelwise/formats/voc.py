"""Pascal VOC XML: ``Annotations/<stem>.xml`` per image, ``ImageSets/Main/default.txt``, ``manifest.jsonl``.

Boxes of bbox labels only, as ``<object><name>label</name><bndbox>xmin ymin xmax ymax</bndbox>``, in
pixels of the displayed image (see :mod:`labelwise.formats.images`) without VOC's historical 1-based
shift: ``xmin = x``, ``xmax = x + width``. Numbers are written as given (integers without a decimal point).
``<size>`` is the displayed size (depth 3). Rotated boxes are written as their axis-aligned bounds
(reported). File names are unique as in YOLO (``<stem>__<key>`` on a clash, reported; nothing merged);
items without an image size are reported and get no XML file. VOC has only boxes: the objects of the
field's polygon, mask and keypoints labels are not written, and each item's are reported (with their count).

Read with ``xml.etree.ElementTree``; a DOCTYPE or ENTITY declaration is refused before parsing (no entity
expansion). ``<difficult>1</difficult>`` objects are kept.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from typing import IO, Any

from labelwise.domain.kinds.base import as_num
from labelwise.formats.base import ExportReport, FormatError, Pages, Record, item_key, pick_labels, records
from labelwise.formats.final import final_results
from labelwise.formats.folder import Entry, Folder
from labelwise.formats.images import (
    IMAGE_KINDS,
    Categories,
    UniqueNames,
    bounds,
    box_corners,
    image_field,
    image_size,
    suffix_of,
)
from labelwise.formats.manifest import NAME, ManifestWriter, read_manifest
from labelwise.formats.xmlsafe import parse_xml


def _num(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else repr(float(v))


def write_voc(pages: Pages, schema: Any, report: ExportReport, *, labels: list[str] | None = None,
              field: str | None = None) -> Iterator[Entry]:
    field = image_field(schema, field if field or not labels else schema.label(labels[0]).field)
    labs = pick_labels(schema, ("bbox",), labels, field=field)
    cats = Categories(labs, report)
    names, manifest = UniqueNames(), ManifestWriter()
    stems: list[str] = []
    kinds = {lab.name: lab.kind for lab in schema.labels if lab.kind in IMAGE_KINDS and lab.kind != "bbox"
             and getattr(lab, "field", None) == field and not labels}
    others = list(kinds)  # image labels of the field that VOC cannot write: their objects are reported
    for record in records(pages, report):
        key = item_key(record)
        value = (record.get("data") or {}).get(field)
        stem = names.stem(record, field)
        own = PurePosixPath(str(value or "")).stem
        if own and stem != own:
            report.warn(key, None, f"another item has an image named '{own}'; this one is written as '{stem}'")
        image = f"{stem}{suffix_of(record, field)}"
        row = {"key": key, "source": value, "image": f"JPEGImages/{image}", "labels": None,
               "width": None, "height": None}
        size = image_size(record, field)
        if size is None:
            report.warn(key, None, f"no image size for '{field}'; no VOC file written")
            manifest.add(row)
            continue
        root = ET.Element("annotation")
        ET.SubElement(root, "folder").text = "JPEGImages"
        ET.SubElement(root, "filename").text = image
        src = ET.SubElement(root, "source")
        ET.SubElement(src, "database").text = "labelwise"
        sz = ET.SubElement(root, "size")
        for tag, v in (("width", size[0]), ("height", size[1]), ("depth", 3)):
            ET.SubElement(sz, tag).text = _num(v)
        ET.SubElement(root, "segmented").text = "0"
        result = final_results(record, [lab.name for lab in labs])
        for other, values in final_results(record, others).items():
            report.warn(key, other, f"{len(values)} {kinds[other]} object(s) left out: VOC has only boxes")
        for lab in labs:
            if any(it.get("attributes") for it in result.get(lab.name) or []):
                report.warn(key, lab.name, "per-object attributes left out: VOC has no place for them")
            for item in result.get(lab.name) or []:
                if item.get("rotation"):
                    report.warn(key, lab.name, f"box rotated {item['rotation']:g}° written as its bounds")
                    x, y, w, h = bounds(box_corners(item))
                else:
                    x, y, w, h = item["x"], item["y"], item["width"], item["height"]
                obj = ET.SubElement(root, "object")
                ET.SubElement(obj, "name").text = cats.names[cats.ids[(lab.name, item["label"])]]
                for tag, v in (("pose", "Unspecified"), ("truncated", "0"), ("difficult", "0")):
                    ET.SubElement(obj, tag).text = v
                box = ET.SubElement(obj, "bndbox")
                for tag, v in (("xmin", x), ("ymin", y), ("xmax", x + w), ("ymax", y + h)):
                    ET.SubElement(box, tag).text = _num(v)
        ET.indent(root)
        path = f"Annotations/{stem}.xml"
        row.update(labels=path, width=size[0], height=size[1])
        manifest.add(row)
        stems.append(stem)
        yield path, ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"
    yield "ImageSets/Main/default.txt", "".join(f"{s}\n" for s in stems).encode()
    yield NAME, manifest.chunks()


def read_voc(source: str | Path | IO[bytes], schema: Any, *, labels: list[str] | None = None,
             field: str | None = None, annotator: str = "voc", model: str | None = None,
             ) -> Iterator[Record]:
    folder = Folder(source)
    field = image_field(schema, field if field or not labels else schema.label(labels[0]).field)
    labs = pick_labels(schema, ("bbox",), labels, field=field)
    manifest = read_manifest(folder)
    for path in (n for n in folder.names() if n.endswith(".xml")):
        where = folder.where(path)
        root = parse_xml(folder.read(path), where)
        if root.tag != "annotation":
            raise FormatError(where, f"<{root.tag}>", "the root element must be <annotation>")
        w, h = (_number(_text(root, f"size/{t}")) for t in ("width", "height"))
        result: dict[str, list[Any]] = {}
        for i, obj in enumerate(root.iter("object"), start=1):
            at = f"object {i}"
            name = _text(obj, "name")
            lab, opt = _label(name, labs, where, at)
            coords = [as_num(_number(_text(obj, f"bndbox/{t}"))) for t in ("xmin", "ymin", "xmax", "ymax")]
            if None in coords:
                raise FormatError(where, at, "bndbox needs numeric xmin, ymin, xmax and ymax")
            x0, y0, x1, y1 = (c for c in coords if c is not None)
            if x1 <= x0 or y1 <= y0:
                raise FormatError(where, at, f"empty box: xmin {x0:g} >= xmax {x1:g} or ymin {y0:g} >= ymax {y1:g}")
            item = {"x": _int(x0), "y": _int(y0), "width": _int(x1 - x0), "height": _int(y1 - y0), "label": opt}
            result.setdefault(lab.name, []).append(item)
        row = manifest.get(path) or {}
        filename = _text(root, "filename") or PurePosixPath(path).stem
        meta = {"media": {field: {"width": _int(w), "height": _int(h)}}} if w and h else {}
        record: Record = {"key": str(row.get("key") or PurePosixPath(path).stem),
                          "data": {field: row.get("source") or filename}, "meta": meta,
                          "annotations": [], "predictions": []}
        if model is not None:
            record["predictions"].append({"model": model, "score": None, "result": result})
        else:
            record["annotations"].append({"annotator": annotator, "result": result})
        yield record


def _text(el: ET.Element, path: str) -> str | None:
    found = el.find(path)
    return found.text.strip() if found is not None and found.text else None


def _number(text: str | None) -> float | None:
    try:
        return float(text) if text is not None else None
    except ValueError:
        return None


def _int(v: float | None) -> float | int | None:
    return int(v) if v is not None and float(v).is_integer() else v


def _label(name: str | None, labs: list[Any], where: str, at: str) -> tuple[Any, str]:
    for lab in labs:
        opt = (name or "").removeprefix(f"{lab.name}/")
        if opt in lab.option_values():
            return lab, opt
    raise FormatError(where, at, f"object name {name!r} is not an option of "
                                 f"{', '.join(lab.name for lab in labs)}")
