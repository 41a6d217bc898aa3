"""COCO instances JSON (boxes, polygons, RLE masks, keypoints), as ``pycocotools.coco.COCO`` loads it.

Written: ``{"info", "licenses", "categories", "images", "annotations"}``. Categories come from the schema
up front: one per option of every image label bound to the image field, ``supercategory`` = the label
name (see :class:`labelwise.formats.images.Categories` for name clashes), keypoints labels with their
``keypoints`` names and 1-based ``skeleton``. Images and annotations are streamed: images go straight to
the output, annotations to a spooled temporary file (memory, then disk past 16 MB) appended at the end,
so memory stays flat. Image entries carry ``key`` and ``source`` (the item's data value) besides
``file_name``/``width``/``height``.

Per kind: ``bbox`` -> ``bbox`` with empty ``segmentation`` (a rotated box becomes its corner polygon with
its bounding box, reported); ``polygon`` -> one polygon in ``segmentation`` (open polylines are reported
and left out); ``mask`` -> compressed RLE ``{size, counts}``; ``keypoints`` -> ``[x, y, v]`` triplets
(``v=2`` visible, ``0, 0, 0`` absent). ``iscrowd`` is 0, ``area`` the box, polygon or mask area.
``which="all"`` writes every annotation with an ``annotator`` field instead of the final result.
Per-object attributes go in each annotation's ``attributes`` object, as CVAT writes them.

Read: the same layout, parsed incrementally (categories and images held, annotations
streamed). Category -> label by ``supercategory`` when it names an
image label, else by option name. ``attributes`` are read back for the attributes the label declares
(others, such as CVAT's ``occluded`` on a label without it, are left out).
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

import ijson
import orjson

from labelwise.domain.kinds.base import as_num
from labelwise.domain.kinds.pose import decode_counts, encode_counts
from labelwise.formats.base import (
    ExportReport,
    FormatError,
    Record,
    dumps,
    item_key,
    pick_labels,
    source_name,
)
from labelwise.formats.coco_fast import stored_page
from labelwise.formats.final import chosen_results, final_results
from labelwise.formats.images import (
    IMAGE_KINDS,
    Categories,
    bounds,
    box_corners,
    image_field,
    media_size,
    polygon_area,
    rle_stats,
)
from labelwise.formats.stored import StoredPage

#: the key counts of boxes that are all ``{x, y, width, height, label}`` (see ``_Writer._plain_boxes``)
_FIVE = {5}


def _categories(cats: Categories) -> list[dict[str, Any]]:
    out = []
    by_name = {lab.name: lab for lab in cats.labels}
    for (label, _), cid in cats.ids.items():
        cat: dict[str, Any] = {"id": cid, "name": cats.names[cid - 1], "supercategory": label}
        lab = by_name[label]
        if lab.kind == "keypoints":
            index = {n: i + 1 for i, n in enumerate(lab.keypoints)}
            cat["keypoints"] = list(lab.keypoints)
            cat["skeleton"] = [[index[a], index[b]] for a, b in lab.skeleton]
        out.append(cat)
    return out


def write_coco(pages: Iterable[list[Record] | StoredPage], schema: Any, report: ExportReport, *,
               labels: list[str] | None = None, field: str | None = None, which: str = "final") -> Iterator[bytes]:
    """The COCO file of ``pages``: lists of records, or :class:`~labelwise.formats.stored.StoredPage`
    (items as stored, ``which="final"`` only), which give the same bytes faster."""
    field = image_field(schema, field if field or not labels else schema.label(labels[0]).field)
    labs = pick_labels(schema, IMAGE_KINDS, labels, field=field)
    cats = Categories(labs, report, start=1)
    writer = _Writer(labs, cats, field, which, report)
    yield (b'{"info":{"description":"labelwise export","version":"1.0"},"licenses":[],"categories":'
           + dumps(_categories(cats)) + b',"images":[')
    with tempfile.SpooledTemporaryFile(max_size=16 << 20) as spool:
        written = False
        for page in pages:  # one write of images and one of annotations per page
            if isinstance(page, StoredPage):
                if not writer.final:
                    raise ValueError("stored pages give final results only, not which='all'")
                images, chunks = stored_page(writer, page)
            else:
                images, chunks = writer.records(page)
            if images:
                yield (b"," if writer.image_id > len(images) else b"") + dumps(images)[1:-1]
            if chunks:
                if written:
                    spool.write(b",")
                spool.write(b",".join(chunks))
                written = True
        yield b'],"annotations":['
        spool.seek(0)
        while chunk := spool.read(1 << 16):
            yield chunk
    yield b"]}"


class _Writer:
    """Numbers images and annotations as the pages come and builds their entries; both kinds of page
    go through :meth:`image` and :meth:`add_annotations`, so they give the same bytes."""

    def __init__(self, labs: list[Any], cats: Categories, field: str, which: str, report: ExportReport) -> None:
        self.field, self.which, self.report = field, which, report
        self.names = [lab.name for lab in labs]
        self.final = which != "all"
        #: per label: the label, its name, its category ids by option, whether it is a box label
        self.labs = [(lab, lab.name, {opt: cid for (name, opt), cid in cats.ids.items() if name == lab.name},
                      lab.kind == "bbox") for lab in labs]
        #: per box label and option, ``<category id>,"iscrowd":0``: JSON spliced in after ``"category_id":``
        #: (one key fewer to build and write for every plain box: 8% of their time)
        self.category_then_crowd = {name: {opt: orjson.Fragment(b'%d,"iscrowd":0' % cid) for opt, cid in ids.items()}
                                    for _, name, ids, bbox in self.labs if bbox}
        self.image_id = self.ann_id = 0
        self.parsed_meta: dict[str | bytes, Any] = {}  # meta JSON text -> its value (see coco_fast), bounded

    def records(self, page: list[Record]) -> tuple[list[dict[str, Any]], list[bytes]]:
        """The image entries of a page of records, and each image's annotations serialised together
        (few live objects)."""
        images: list[dict[str, Any]] = []
        chunks: list[bytes] = []
        for record in page:
            key = item_key(record)
            images.append(self.image(key, record.get("data"), record.get("meta")))
            anns: list[dict[str, Any]] = []
            for who, result in ([("final", final_results(record, self.names))] if self.final
                                else chosen_results(record, self.names, self.which)):
                self.add_annotations(who, result, key, anns)
            if anns:
                chunks.append(dumps(anns)[1:-1])
        return images, chunks

    def image(self, key: str, data: Any, meta: Any) -> dict[str, Any]:
        """The next image's entry (``data`` and ``meta``: the item's values)."""
        self.report.items += 1
        self.image_id += 1
        value = (data or {}).get(self.field)
        size = media_size(data, meta, self.field)
        if size is None:
            self.report.warn(key, None, f"no image size for '{self.field}' (meta.media.{self.field}.width/height); "
                                        "width and height written as null")
        return {"id": self.image_id, "file_name": source_name(value) or key, "width": size and size[0],
                "height": size and size[1], "key": key,
                "source": value.get("url") if isinstance(value, dict) else value}

    def add_annotations(self, who: str, result: Any, key: str, anns: list[dict[str, Any]]) -> None:
        """Append the current image's annotations from one ``result`` (``who`` is written with
        ``which="all"``)."""
        final = self.final
        for lab, name, ids, bbox in self.labs:
            boxes = result.get(name)
            if not boxes or (bbox and final and self._plain_boxes(boxes, self.category_then_crowd[name], anns)):
                continue
            for item in boxes:
                if bbox and not item.get("rotation"):
                    w, h = item["width"], item["height"]
                    self.ann_id += 1
                    ann = {"id": self.ann_id, "image_id": self.image_id, "category_id": ids[item["label"]],
                           "iscrowd": 0, "bbox": [item["x"], item["y"], w, h], "area": w * h, "segmentation": []}
                else:
                    shape = _annotation(lab, item, self.report, key)
                    if shape is None:
                        continue
                    self.ann_id += 1
                    ann = {"id": self.ann_id, "image_id": self.image_id, "category_id": ids[item["label"]],
                           "iscrowd": 0, **shape}
                if not final:
                    ann["annotator"] = who
                if "score" in item:
                    ann["score"] = item["score"]
                if item.get("attributes"):
                    ann["attributes"] = item["attributes"]
                anns.append(ann)

    def _plain_boxes(self, boxes: Any, categories: dict[str, orjson.Fragment], anns: list[dict[str, Any]]) -> bool:
        """Append the annotations of ``boxes`` when every box is exactly ``{x, y, width, height, label}``
        (the common case: one check of the key counts, no per-box key test), as the box-by-box path
        would; ``False``, leaving ``anns`` as it was, for anything else, which then goes box by box (and
        fails there if it must)."""
        ann_id, image_id, start = self.ann_id, self.image_id, len(anns)
        append = anns.append
        try:
            if set(map(len, boxes)) != _FIVE:
                return False
            for item in boxes:  # five keys, and these five found: nothing else is there
                w, h = item["width"], item["height"]
                ann_id += 1
                append({"id": ann_id, "image_id": image_id, "category_id": categories[item["label"]],
                        "bbox": (item["x"], item["y"], w, h), "area": w * h, "segmentation": ()})  # tuples: the
                # same JSON arrays, made faster
        except Exception:  # not plain after all: the box-by-box path decides (and fails if it must)
            del anns[start:]
            return False
        self.ann_id = ann_id
        return True


def _annotation(lab: Any, item: dict[str, Any], report: ExportReport, key: str) -> dict[str, Any] | None:
    if lab.kind == "bbox":
        box = [item["x"], item["y"], item["width"], item["height"]]
        if not item.get("rotation"):
            return {"bbox": box, "area": box[2] * box[3], "segmentation": []}
        corners = box_corners(item)
        report.warn(key, lab.name, f"box rotated {item['rotation']:g}° written as its corner polygon and "
                                   "axis-aligned bounding box (COCO boxes cannot rotate)")
        return {"bbox": bounds(corners), "area": box[2] * box[3],
                "segmentation": [[c for p in corners for c in p]]}
    if lab.kind == "polygon":
        if not item.get("closed", True):
            report.warn(key, lab.name, "open polyline left out: COCO has no polylines")
            return None
        pts = item["points"]
        return {"bbox": bounds(pts), "area": polygon_area(pts), "segmentation": [[c for p in pts for c in p]]}
    if lab.kind == "mask":
        rle = item["rle"]
        runs = decode_counts(rle["counts"]) if isinstance(rle["counts"], str) else rle["counts"]
        area, box = rle_stats(runs or [], rle["size"][0])
        counts = rle["counts"] if isinstance(rle["counts"], str) else encode_counts(rle["counts"])
        return {"bbox": box, "area": area, "segmentation": {"size": list(rle["size"]), "counts": counts}}
    # keypoints
    flat: list[float] = []
    visible = []
    for name in lab.keypoints:
        p = item["points"].get(name)
        flat += [0, 0, 0] if p is None else [p[0], p[1], 2]
        if p is not None:
            visible.append(p)
    box = bounds(visible)
    return {"bbox": box, "area": box[2] * box[3], "segmentation": [], "keypoints": flat,
            "num_keypoints": len(visible)}


# ---- reading -----------------------------------------------------------------------------------


def read_coco(source: str | Path | IO[bytes], schema: Any, *, labels: list[str] | None = None,
              field: str | None = None, annotator: str = "coco", model: str | None = None,
              ) -> Iterator[Record]:
    """Items from a COCO instances file, parsed incrementally (ijson): only ``categories`` and ``images``
    are held; ``annotations`` are read twice, once to check them all (so that a bad one rejects the file
    before any item is yielded) and once to yield each image's record. When the annotations are not in
    the order of their images (this module writes them in order) they are grouped in memory instead."""
    name = str(source) if isinstance(source, str | Path) else getattr(source, "name", "<coco>")
    if isinstance(source, str | Path):
        with open(source, "rb") as fh:
            yield from _read(fh, name, schema, labels, field, annotator, model)
        return
    if source.seekable():
        yield from _read(source, name, schema, labels, field, annotator, model)
        return
    with tempfile.TemporaryFile() as copy:  # a pipe: read it once into a file that can be read again
        shutil.copyfileobj(source, copy)
        yield from _read(copy, name, schema, labels, field, annotator, model)


def _read(fh: IO[bytes], name: str, schema: Any, labels: list[str] | None, field: str | None, annotator: str,
          model: str | None) -> Iterator[Record]:
    def items(prefix: str) -> Iterator[Any]:
        fh.seek(0)
        try:
            yield from ijson.items(fh, prefix, use_float=True)
        except ijson.JSONError as exc:
            raise FormatError(name, "", f"not valid JSON ({exc})") from None

    categories, images = next(items("categories"), None), next(items("images"), None)
    if not isinstance(images, list) or not isinstance(categories, list):
        raise FormatError(name, "", 'expected an object with "images" and "categories" lists')
    field = image_field(schema, field if field or not labels else schema.label(labels[0]).field)
    labs = {lab.name: lab for lab in pick_labels(schema, IMAGE_KINDS, labels, field=field)}
    cats = {c.get("id"): _category(c, i, labs, name) for i, c in enumerate(categories)}
    position: dict[Any, int] = {}
    for i, img in enumerate(images):
        if not isinstance(img, dict) or "id" not in img:
            raise FormatError(name, f"images[{i}]", "an image needs an id")
        position.setdefault(img["id"], i)
    in_order, last = len(position) == len(images), 0

    def objects() -> Iterator[tuple[int, tuple[str, str, dict[str, Any]]]]:
        for i, ann in enumerate(items("annotations.item")):
            where = f"annotations[{i}] (id {ann.get('id')})" if isinstance(ann, dict) else f"annotations[{i}]"
            if not isinstance(ann, dict) or ann.get("image_id") not in position:
                raise FormatError(name, where, "image_id names no image")
            if ann.get("category_id") not in cats:
                raise FormatError(name, where, f"category_id {ann.get('category_id')!r} names no category")
            lab, opt = cats[ann["category_id"]]
            yield position[ann["image_id"]], (ann.get("annotator") or annotator, lab.name,
                                              _item(lab, opt, ann, name, where))

    for pos, _ in objects():  # every annotation checked before the first item goes out
        in_order, last = in_order and pos >= last, pos
    if in_order:
        stream, seen = objects(), set()
        pending = next(stream, None)
        for pos, img in enumerate(images):
            mine = []
            while pending is not None and pending[0] == pos:
                mine.append(pending[1])
                pending = next(stream, None)
            yield _image_record(img, mine, field, annotator, model, seen)
        return
    grouped: dict[Any, list[tuple[str, str, dict[str, Any]]]] = {}
    for pos, obj in objects():
        grouped.setdefault(images[pos]["id"], []).append(obj)
    seen = set()
    for img in images:
        yield _image_record(img, grouped.get(img["id"], []), field, annotator, model, seen)


def _image_record(img: dict[str, Any], objs: list[tuple[str, str, dict[str, Any]]], field: str, annotator: str,
                  model: str | None, seen: set[str]) -> Record:
    key = str(img.get("key") or img.get("file_name") or img["id"])
    if key in seen:
        key = f"{key}#{img['id']}"
    seen.add(key)
    value = img.get("source") or img.get("coco_url") or img.get("file_name")
    meta = {}
    if as_num(img.get("width")) and as_num(img.get("height")):
        meta = {"media": {field: {"width": img["width"], "height": img["height"]}}}
    grouped: dict[str, dict[str, list[Any]]] = {}
    for who, label, item in objs:
        grouped.setdefault(who, {}).setdefault(label, []).append(item)
    record: Record = {"key": key, "data": {field: value}, "meta": meta, "annotations": [], "predictions": []}
    for who, result in grouped.items() if grouped else [(annotator, {})]:
        if model is not None:
            record["predictions"].append({"model": model, "score": None, "result": result})
        else:
            record["annotations"].append({"annotator": who, "result": result})
    return record


def _category(cat: Any, i: int, labs: dict[str, Any], name: str) -> tuple[Any, str]:
    where = f"categories[{i}]"
    if not isinstance(cat, dict) or "id" not in cat or not isinstance(cat.get("name"), str):
        raise FormatError(name, where, "a category needs an id and a name")
    sup, cname = cat.get("supercategory"), cat["name"]
    if sup in labs:
        opt = cname.removeprefix(f"{sup}/")
        if opt in labs[sup].option_values():
            return labs[sup], opt
    hits = [lab for lab in labs.values() if cname in lab.option_values()]
    if not hits:
        raise FormatError(name, where, f"category '{cname}' is not an option of any image label "
                                       f"({', '.join(labs)})")
    return hits[0], cname


def _nums(v: Any, n: int | None, name: str, where: str, what: str) -> list[float]:
    if not isinstance(v, list) or (n is not None and len(v) != n) or any(as_num(x) is None for x in v):
        raise FormatError(name, where, f"{what} must be a list of {n or 'some'} numbers, got {v!r}"[:300])
    return list(v)


def _item(lab: Any, opt: str, ann: dict[str, Any], name: str, where: str) -> dict[str, Any]:
    out: dict[str, Any]
    seg = ann.get("segmentation")
    if lab.kind == "bbox":
        x, y, w, h = _nums(ann.get("bbox"), 4, name, where, "bbox")
        out = {"x": x, "y": y, "width": w, "height": h}
    elif lab.kind == "polygon":
        if not isinstance(seg, list) or len(seg) != 1:
            raise FormatError(name, where, "a polygon label needs exactly one polygon in segmentation")
        flat = _nums(seg[0], None, name, where, "segmentation")
        if len(flat) % 2 or len(flat) < 6:
            raise FormatError(name, where, f"a polygon needs an even number (>= 6) of coordinates, got {len(flat)}")
        out = {"points": [[flat[j], flat[j + 1]] for j in range(0, len(flat), 2)], "closed": True}
    elif lab.kind == "mask":
        if not isinstance(seg, dict) or set(seg) != {"size", "counts"}:
            raise FormatError(name, where, "a mask label needs an RLE segmentation {size, counts}")
        out = {"rle": {"counts": seg["counts"], "size": seg["size"]}}
    else:
        flat = _nums(ann.get("keypoints"), 3 * len(lab.keypoints), name, where, "keypoints")
        pts = {}
        for j, kp in enumerate(lab.keypoints):
            x, y, v = flat[3 * j:3 * j + 3]
            pts[kp] = [x, y] if v else None
        out = {"points": pts}
    out["label"] = opt
    if "score" in ann:
        out["score"] = ann["score"]
    attrs = ann.get("attributes")
    if isinstance(attrs, dict):
        declared = {a.name for a in lab.attributes}
        kept = {k: v for k, v in attrs.items() if k in declared}
        if kept:
            out["attributes"] = kept
    return out
