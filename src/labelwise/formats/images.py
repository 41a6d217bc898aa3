"""What the image formats (COCO, YOLO, VOC) share: image sizes, categories, unique file names, geometry.

**Coordinates** are labelwise's: pixels, origin at the top-left corner, in the image as it is
*displayed*, i.e. after applying its EXIF orientation tag (browsers and the labelwise UI show photos
rotated upright). The image size written (COCO ``width``/``height``, VOC ``size``, YOLO's normalisation)
is the displayed size too; :func:`displayed_size` reads it from an image file with Pillow's
``ImageOps.exif_transpose``. A tool that reads the raw, unrotated pixels must rotate the image first.

**Image size** of an item comes from, in order: ``meta.media[<field>].width/height``; the data value when
it is an object with ``width``/``height``; ``data.width``/``data.height``. Without one, formats that need
it (YOLO, VOC, COCO masks) report the item.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import PurePosixPath
from typing import IO, Any

from labelwise.domain.kinds.base import as_num
from labelwise.formats.base import ExportReport, Record, safe_name, source_name

IMAGE_KINDS = ("bbox", "polygon", "keypoints", "mask")


def image_field(schema: Any, field: str | None = None) -> str:
    """``field``, else the image field of the schema's first image label."""
    if field:
        return field
    for lab in schema.labels:
        if lab.kind in IMAGE_KINDS:
            return str(lab.field)
    raise ValueError("the schema has no image label (bbox, polygon, keypoints or mask)")


def image_size(record: Record, field: str) -> tuple[float, float] | None:
    """The displayed ``(width, height)`` of an item's image, or ``None`` when unknown."""
    return media_size(record.get("data"), record.get("meta"), field)


def media_size(data: Any, meta: Any, field: str) -> tuple[float, float] | None:
    """:func:`image_size` from an item's ``data`` and ``meta`` values (for writers that hold no record)."""
    media = (meta or {}).get("media")
    if type(media) is dict and type(size := media.get(field)) is dict:  # the common case, checked in one go
        w, h = size.get("width"), size.get("height")
        if type(w) is int and type(h) is int and w and h:
            return float(w), float(h)
    data = data or {}
    media = ((meta or {}).get("media") or {}).get(field) or {}
    value = data.get(field)
    for src in (media, value if isinstance(value, dict) else {}, data):
        w, h = as_num(src.get("width")), as_num(src.get("height"))
        if w and h:
            return w, h
    return None


def displayed_size(fp: str | IO[bytes]) -> tuple[int, int]:
    """``(width, height)`` of an image file as displayed: after its EXIF orientation (needs Pillow)."""
    from PIL import Image, ImageOps

    with Image.open(fp) as img:
        shown = ImageOps.exif_transpose(img)
        return shown.size


class Categories:
    """One class per (label, option) of the chosen labels, numbered from ``start`` in schema order.

    The class name is the option; when two labels share an option, both classes are named
    ``<label>/<option>`` and the clash is reported once.
    """

    def __init__(self, labels: Iterable[Any], report: ExportReport, start: int = 0) -> None:
        self.labels = list(labels)
        pairs = [(lab.name, opt) for lab in self.labels for opt in lab.option_values()]
        counts: dict[str, int] = {}
        for _, opt in pairs:
            counts[opt] = counts.get(opt, 0) + 1
        self.ids: dict[tuple[str, str], int] = {}
        self.names: list[str] = []
        self.label_of: list[str] = []
        for i, (lab, opt) in enumerate(pairs):
            self.ids[(lab, opt)] = start + i
            clash = counts[opt] > 1
            self.names.append(f"{lab}/{opt}" if clash else opt)
            self.label_of.append(lab)
        for opt in sorted(o for o, n in counts.items() if n > 1):
            report.warn(None, None, f"option '{opt}' belongs to several labels; its classes are named "
                                    f"'<label>/{opt}'")


class UniqueNames:
    """File stems unique within an export: an image's own stem, or ``<stem>__<item key>`` when an earlier
    item used that stem (two items sharing an image file name are never merged). Keeps one set of names."""

    def __init__(self) -> None:
        self._used: set[str] = set()

    def stem(self, record: Record, field: str) -> str:
        from labelwise.formats.base import item_key

        key = item_key(record)
        base = safe_name(PurePosixPath(source_name((record.get("data") or {}).get(field))).stem, "")
        name = base or safe_name(key)
        if name.casefold() in self._used:
            name = f"{base}__{safe_name(key)}" if base else f"{name}__{len(self._used)}"
            n = 1
            while name.casefold() in self._used:
                n += 1
                name = f"{base}__{safe_name(key)}_{n}"
        self._used.add(name.casefold())
        return name


def suffix_of(record: Record, field: str, default: str = ".jpg") -> str:
    return PurePosixPath(source_name((record.get("data") or {}).get(field))).suffix or default


# ---- geometry ----------------------------------------------------------------------------------


def polygon_area(points: list[list[float]]) -> float:
    n = len(points)
    return abs(sum(points[i][0] * points[(i + 1) % n][1] - points[(i + 1) % n][0] * points[i][1]
                   for i in range(n))) / 2


def bounds(points: Iterable[Iterable[float]]) -> list[float]:
    """``[x, y, width, height]`` of the points' bounding box."""
    pts = list(points)
    xs, ys = [p[0] for p in pts], [p[1] for p in pts]
    return [min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys)]


def box_corners(box: dict[str, Any]) -> list[list[float]]:
    import math

    x, y, w, h = box["x"], box["y"], box["width"], box["height"]
    r = math.radians(box.get("rotation") or 0.0)
    c, s = math.cos(r), math.sin(r)
    return [[x, y], [x + w * c, y + w * s], [x + w * c - h * s, y + w * s + h * c], [x - h * s, y + h * c]]


def rle_stats(runs: list[int], height: int) -> tuple[int, list[float]]:
    """Area and ``[x, y, w, h]`` bounding box of a column-major RLE (runs alternate 0s and 1s).

    Long run lists (real masks) are done with numpy, short ones with a plain loop; both give the same."""
    if len(runs) > 64:
        return _rle_stats_np(runs, height)
    area, pos = 0, 0
    x0 = y0 = 1 << 60
    x1 = y1 = -1
    for i, n in enumerate(runs):
        if i % 2 and n:
            area += n
            first, last = pos, pos + n - 1
            c0, c1 = first // height, last // height
            r0, r1 = (first % height, last % height) if c0 == c1 else (0, height - 1)
            x0, x1, y0, y1 = min(x0, c0), max(x1, c1), min(y0, r0), max(y1, r1)
        pos += n
    if not area:
        return 0, [0.0, 0.0, 0.0, 0.0]
    return area, [float(x0), float(y0), float(x1 - x0 + 1), float(y1 - y0 + 1)]


def _rle_stats_np(runs: list[int], height: int) -> tuple[int, list[float]]:
    import numpy as np

    r = np.asarray(runs, dtype=np.int64)
    first = (np.cumsum(r) - r)[1::2]
    n = r[1::2]
    keep = n > 0
    if not keep.any():
        return 0, [0.0, 0.0, 0.0, 0.0]
    first, n = first[keep], n[keep]
    last = first + n - 1
    c0, c1 = first // height, last // height
    same = c0 == c1
    r0 = np.where(same, first % height, 0)
    r1 = np.where(same, last % height, height - 1)
    x0, x1, y0, y1 = int(c0.min()), int(c1.max()), int(r0.min()), int(r1.max())
    return int(n.sum()), [float(x0), float(y0), float(x1 - x0 + 1), float(y1 - y0 + 1)]
