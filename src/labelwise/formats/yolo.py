"""YOLO (Ultralytics) datasets: ``data.yaml``, ``labels/<stem>.txt`` per image, ``manifest.jsonl``.

``task="detect"`` writes bbox labels as ``class cx cy w h``; ``task="segment"`` polygon labels as
``class x1 y1 x2 y2 ...`` and mask labels as their outlines (:mod:`labelwise.formats.contours`: one
line per 4-connected part, along pixel edges, so reading fills back the same pixels; holes are left out
and reported; a mask of several parts is read back as one mask per part); ``task="pose"`` one keypoints
label as ``class cx cy w h x1 y1 v1 ...`` (box = bounds of the visible points, ``v`` 2 = visible,
``0 0 0`` = absent) with ``kpt_shape: [K, 3]`` in ``data.yaml``. Coordinates are normalised by the
displayed image size (see :mod:`labelwise.formats.images`), with 6 decimals. Classes are numbered from
0 in schema order.

Label files are named after the image file; when two items share an image file name the later one is
``<stem>__<item key>.txt`` and reported: nothing is merged. ``manifest.jsonl`` says which image goes where
(images are not included: save each under its ``image`` path). Items without an image size are reported
and get no label file. Rotated boxes are written as their axis-aligned bounds (reported); open
polylines are left out (reported).

Read: ``data.yaml`` (``names``), every ``labels/**.txt``, sizes and keys from ``manifest.jsonl`` or
else from the image file with the same stem under ``images/`` (Pillow, EXIF-rotated). A sixth column
on a detection line is read as a confidence score.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from typing import IO, Any

import yaml

from labelwise.formats.base import ExportReport, FormatError, Pages, Record, item_key, pick_labels, records
from labelwise.formats.final import final_results
from labelwise.formats.folder import Entry, Folder
from labelwise.formats.images import (
    Categories,
    UniqueNames,
    bounds,
    box_corners,
    displayed_size,
    image_field,
    image_size,
    suffix_of,
)
from labelwise.formats.manifest import NAME, ManifestWriter, read_manifest

TASKS = {"detect": ("bbox",), "segment": ("polygon", "mask"), "pose": ("keypoints",)}


def _f(v: float) -> str:
    return f"{v:.6f}"


def write_yolo(pages: Pages, schema: Any, report: ExportReport, *, task: str = "detect",
               labels: list[str] | None = None, field: str | None = None) -> Iterator[Entry]:
    if task not in TASKS:
        raise ValueError(f"task must be one of {', '.join(TASKS)}, not {task!r}")
    field = image_field(schema, field if field or not labels else schema.label(labels[0]).field)
    labs = pick_labels(schema, TASKS[task], labels, field=field)
    if task == "pose" and len(labs) > 1:
        raise ValueError("task 'pose' writes one keypoints label; name it with labels=[...]")
    cats = Categories(labs, report)
    config: dict[str, Any] = {"path": ".", "train": "images", "val": "images",
                              "names": dict(enumerate(cats.names))}
    if task == "pose":
        config["kpt_shape"] = [len(labs[0].keypoints), 3]
        config["kpt_names"] = {0: list(labs[0].keypoints)}
    yield "data.yaml", yaml.safe_dump(config, sort_keys=False, allow_unicode=True).encode()
    names, manifest = UniqueNames(), ManifestWriter()
    for record in records(pages, report):
        key = item_key(record)
        value = (record.get("data") or {}).get(field)
        stem = names.stem(record, field)
        own = PurePosixPath(str(value or "")).stem
        if own and stem != own:
            report.warn(key, None, f"another item has an image named '{own}'; this one is written as '{stem}'")
        row = {"key": key, "source": value, "image": f"images/{stem}{suffix_of(record, field)}",
               "labels": None, "width": None, "height": None}
        size = image_size(record, field)
        if size is None:
            report.warn(key, None, f"no image size for '{field}' (meta.media.{field}.width/height); "
                                   "no label file written")
            manifest.add(row)
            continue
        w, h = size
        lines = []
        result = final_results(record, [lab.name for lab in labs])
        for lab in labs:
            if any(it.get("attributes") for it in result.get(lab.name) or []):
                report.warn(key, lab.name, "per-object attributes left out: YOLO has no place for them")
            for item in result.get(lab.name) or []:
                cls = cats.ids[(lab.name, item["label"])]
                if lab.kind == "mask":
                    lines += [f"{cls} {line}\n" for line in _mask_lines(lab, item, report, key)]
                    continue
                line = _line(task, lab, item, w, h, report, key)
                if line is not None:
                    lines.append(f"{cls} {line}\n")
        row.update(labels=f"labels/{stem}.txt", width=w, height=h)
        manifest.add(row)
        yield f"labels/{stem}.txt", "".join(lines).encode()
    yield NAME, manifest.chunks()


def _line(task: str, lab: Any, item: dict[str, Any], w: float, h: float, report: ExportReport,
          key: str) -> str | None:
    if task == "detect":
        if item.get("rotation"):
            report.warn(key, lab.name, f"box rotated {item['rotation']:g}° written as its axis-aligned bounds")
            x, y, bw, bh = bounds(box_corners(item))
        else:
            x, y, bw, bh = item["x"], item["y"], item["width"], item["height"]
        return " ".join(map(_f, ((x + bw / 2) / w, (y + bh / 2) / h, bw / w, bh / h)))
    if task == "segment":
        if not item.get("closed", True):
            report.warn(key, lab.name, "open polyline left out: YOLO segments are closed polygons")
            return None
        return " ".join(f"{_f(px / w)} {_f(py / h)}" for px, py in item["points"])
    pts = [item["points"].get(n) for n in lab.keypoints]
    x, y, bw, bh = bounds(p for p in pts if p is not None)
    kps = " ".join("0 0 0" if p is None else f"{_f(p[0] / w)} {_f(p[1] / h)} 2" for p in pts)
    return f"{_f((x + bw / 2) / w)} {_f((y + bh / 2) / h)} {_f(bw / w)} {_f(bh / h)} {kps}"


def _mask_lines(lab: Any, item: dict[str, Any], report: ExportReport, key: str) -> list[str]:
    """A mask as its outline polygons, one line per 4-connected part (normalised by the mask's size)."""
    from labelwise.formats import contours  # numpy, loaded when a mask comes

    mask = contours.to_mask(item["rle"])
    h, w = mask.shape
    outer, holes = contours.outlines(mask)
    if holes:
        report.warn(key, lab.name, f"mask '{item['label']}' has {len(holes)} hole(s), left out: a YOLO segment is "
                                   "a polygon without holes")
    if not outer:
        report.warn(key, lab.name, f"empty mask '{item['label']}' left out")
    if len(outer) > 1:
        report.warn(key, lab.name, f"mask '{item['label']}' has {len(outer)} separate parts: one line each, "
                                   "read back as one mask each")
    return [" ".join(f"{_f(x / w)} {_f(y / h)}" for x, y in loop) for loop in outer]


# ---- reading -----------------------------------------------------------------------------------


def read_yolo(source: str | Path | IO[bytes], schema: Any, *, labels: list[str] | None = None,
              field: str | None = None, annotator: str = "yolo", model: str | None = None,
              ) -> Iterator[Record]:
    folder = Folder(source)
    files = folder.names()
    config_name = next((n for n in ("data.yaml", "data.yml", "dataset.yaml") if n in files), None)
    if config_name is None:
        raise FormatError(folder.name, "", "no data.yaml with the class names")
    try:
        config = yaml.safe_load(folder.read(config_name))
    except yaml.YAMLError as exc:
        raise FormatError(folder.where(config_name), "", f"not valid YAML ({exc})") from None
    raw_names = config.get("names") if isinstance(config, dict) else None
    if isinstance(raw_names, list):
        raw_names = dict(enumerate(raw_names))
    if not isinstance(raw_names, dict) or not raw_names:
        raise FormatError(folder.where(config_name), "names", "expected a list or mapping of class names")
    pose = "kpt_shape" in config
    kinds = ("keypoints",) if pose else ("bbox", "polygon", "mask")
    field = image_field(schema, field if field or not labels else schema.label(labels[0]).field)
    labs = pick_labels(schema, kinds, labels, field=field)
    classes = {int(i): _class(str(n), labs, folder.where(config_name), i) for i, n in raw_names.items()}
    manifest = read_manifest(folder)
    images = {PurePosixPath(n).stem: n for n in files if n.startswith("images/")}
    for path in (n for n in files if n.startswith("labels/") and n.endswith(".txt")):
        where = folder.where(path)
        row = manifest.get(path) or {}
        stem = PurePosixPath(path).stem
        size = (row.get("width"), row.get("height")) if row.get("width") and row.get("height") else None
        if size is None and stem in images:
            size = displayed_size(_as_stream(folder.read(images[stem])))
        if size is None:
            raise FormatError(where, "", f"no image size: not in {NAME} and no images/{stem}.* to measure")
        w, h = size
        result: dict[str, list[Any]] = {}
        for n, line in enumerate(folder.read(path).decode("utf-8", "replace").splitlines(), start=1):
            if line.strip():
                lab, item = _parse(line, classes, pose, w, h, where, f"line {n}")
                result.setdefault(lab.name, []).append(item)
        key = str(row.get("key") or stem)
        data = {field: row.get("source") or images.get(stem) or f"images/{stem}"}
        meta = {"media": {field: {"width": w, "height": h}}}
        record: Record = {"key": key, "data": data, "meta": meta, "annotations": [], "predictions": []}
        if model is not None:
            record["predictions"].append({"model": model, "score": None, "result": result})
        else:
            record["annotations"].append({"annotator": annotator, "result": result})
        yield record


def _as_stream(blob: bytes) -> IO[bytes]:
    import io

    return io.BytesIO(blob)


def _class(name: str, labs: list[Any], where: str, i: Any) -> list[tuple[Any, str]]:
    """Every (label, option) a class name can stand for; the line's shape picks one."""
    hits = []
    for lab in labs:
        if name.startswith(f"{lab.name}/") and name.removeprefix(f"{lab.name}/") in lab.option_values():
            hits.append((lab, name.removeprefix(f"{lab.name}/")))
        elif name in lab.option_values():
            hits.append((lab, name))
    if not hits:
        raise FormatError(where, f"names[{i}]", f"class '{name}' is not an option of "
                                                f"{', '.join(lab.name for lab in labs)}")
    return hits


def _parse(line: str, classes: dict[int, list[tuple[Any, str]]], pose: bool, w: float, h: float, where: str,
           at: str) -> tuple[Any, dict[str, Any]]:
    parts = line.split()
    try:
        cls, nums = int(parts[0]), [float(p) for p in parts[1:]]
    except ValueError:
        raise FormatError(where, at, f"expected a class index and numbers, got {line.strip()!r}") from None
    if cls not in classes:
        raise FormatError(where, at, f"class {cls} is not in data.yaml names")
    kind = "keypoints" if pose else "bbox" if len(nums) in (4, 5) else "polygon"
    lab, opt = next((c for c in classes[cls] if c[0].kind == kind), classes[cls][0])
    if any(not -0.01 <= v <= 1.01 for v in nums[:4]):
        raise FormatError(where, at, "coordinates must be normalised to 0..1")
    item: dict[str, Any]
    if pose:
        k = len(lab.keypoints)
        if len(nums) != 4 + 3 * k:
            raise FormatError(where, at, f"a pose line needs 4 + 3 x {k} numbers, got {len(nums)}")
        pts = {name: ([nums[4 + 3 * j] * w, nums[5 + 3 * j] * h] if nums[6 + 3 * j] else None)
               for j, name in enumerate(lab.keypoints)}
        item = {"points": pts}
    elif lab.kind == "bbox":
        if len(nums) not in (4, 5):
            raise FormatError(where, at, f"a detection line needs 4 numbers (and a score), got {len(nums)}")
        cx, cy, bw, bh = nums[:4]
        item = {"x": (cx - bw / 2) * w, "y": (cy - bh / 2) * h, "width": bw * w, "height": bh * h}
        if len(nums) == 5:
            item["score"] = nums[4]
    else:
        if len(nums) < 6 or len(nums) % 2:
            raise FormatError(where, at, f"a segment line needs an even number (>= 6) of coordinates, "
                                         f"got {len(nums)}")
        points = [[nums[j] * w, nums[j + 1] * h] for j in range(0, len(nums), 2)]
        if lab.kind == "mask":  # pixel corners, as the writer traced them: the pixels inside, exactly
            from labelwise.formats import contours  # numpy, loaded when a mask comes

            size = [round(h), round(w)]
            corners = [(round(x, 3), round(y, 3)) for x, y in points]
            item = {"rle": {"counts": contours.to_runs(contours.fill([corners], *size)), "size": size}}
        else:
            item = {"points": points, "closed": True}
    item["label"] = opt
    return lab, item
