"""Image region kinds: ``bbox`` and ``polygon``. Coordinates are pixels, origin at the top-left corner.

When ``media[field]`` gives the image ``width`` and ``height``, every point must lie inside the image
(a tolerance of ``EPS`` pixels absorbs float rounding); without them only negative coordinates are caught.
"""

from __future__ import annotations

import math
from abc import abstractmethod
from collections.abc import Iterable
from itertools import chain
from typing import Any, ClassVar, Literal

from labelwise.domain.kinds.attributes import AttributesMixin
from labelwise.domain.kinds.base import (
    Errs,
    LabelBase,
    Loc,
    OptionsMixin,
    as_num,
    check_keys,
    check_list,
    check_option,
    common_extras,
    media_of,
    num_at,
    region_labels,
    type_name,
    unique_ids,
)

EPS = 1e-6
IMAGE = frozenset({"image"})
_COMMON = frozenset({"label", "id", "score", "attributes"})


def outside(x: float, y: float, w: float | None, h: float | None) -> bool:
    return x < -EPS or y < -EPS or (w is not None and x > w + EPS) or (h is not None and y > h + EPS)


def where(w: float | None, h: float | None) -> str:
    return (
        f"the image ({w:g}x{h:g})" if w is not None and h is not None else "the image (negative coordinates)"
    )


class RegionLabel(AttributesMixin, OptionsMixin, LabelBase):
    """Shared by image kinds: a required image ``field`` and a list of labelled items, each with optional
    ``attributes`` (see :mod:`labelwise.domain.kinds.attributes`)."""

    field: str
    field_kinds: ClassVar[frozenset[str] | None] = IMAGE
    item_keys: ClassVar[frozenset[str]] = frozenset()
    required_keys: ClassVar[tuple[str, ...]] = ("label",)
    what: ClassVar[str] = "regions"

    def check(
        self,
        value: Any,
        data: dict[str, Any],
        media: dict[str, dict[str, Any]],
        result: dict[str, Any],
        errs: Errs,
    ) -> Any:
        if not check_list(self, value, errs, self.what):
            return value
        w, h = media_of(media, self.field, "width", "height")
        out = []
        for i, item in enumerate(value):
            if not isinstance(item, dict):
                self.err(errs, [i], f"each item must be an object, got {type_name(item)}", item)
                continue
            check_keys(self, item, [i], self.item_keys | _COMMON, self.required_keys, errs)
            if "label" in item:
                check_option(self, self._values, item["label"], [i, "label"], errs)
            norm = self.check_item(item, [i], w, h, errs)
            norm["label"] = item.get("label")
            common_extras(self, item, [i], norm, errs)
            self.check_attributes(item, [i], norm, errs)
            out.append(norm)
        unique_ids(self, value, errs)
        return out

    @abstractmethod
    def check_item(
        self, item: dict[str, Any], loc: Loc, w: float | None, h: float | None, errs: Errs
    ) -> dict:
        """Check one region of this kind and return it normalised."""

    def used(self, value: Any) -> Iterable[str | None]:
        return chain(region_labels(value), self.attributes_used(value))


class BBoxLabel(RegionLabel):
    """Boxes ``{x, y, width, height, label, rotation?}``: top-left corner and size in pixels, ``rotation``
    in degrees clockwise about the top-left corner. ``width`` and ``height`` must be positive."""

    kind: Literal["bbox"] = "bbox"
    item_keys: ClassVar[frozenset[str]] = frozenset({"x", "y", "width", "height", "rotation"})
    required_keys: ClassVar[tuple[str, ...]] = ("x", "y", "width", "height", "label")
    what: ClassVar[str] = "boxes"

    def check_item(
        self, item: dict[str, Any], loc: Loc, w: float | None, h: float | None, errs: Errs
    ) -> dict:
        return check_box(self, item, loc, w, h, errs)


def check_box(
    label: LabelBase, item: dict[str, Any], loc: Loc, w: float | None, h: float | None, errs: Errs
) -> dict:
    """Check one box (shared with video frames) and return its canonical numbers."""
    x, y = num_at(label, item, "x", loc, errs), num_at(label, item, "y", loc, errs)
    bw, bh = num_at(label, item, "width", loc, errs), num_at(label, item, "height", loc, errs)
    rot = num_at(label, item, "rotation", loc, errs) if "rotation" in item else 0.0
    out: dict[str, Any] = {"x": x, "y": y, "width": bw, "height": bh}
    if rot:
        out["rotation"] = rot
    for key, size in (("width", bw), ("height", bh)):
        if size is not None and size <= 0:
            label.err(errs, [*loc, key], f"box {key} must be positive, got {size:g}", size)
            return out
    if None in (x, y, bw, bh, rot):
        return out
    assert x is not None and y is not None and bw is not None and bh is not None and rot is not None
    c, s = math.cos(math.radians(rot)), math.sin(math.radians(rot))
    corners = [
        (x, y),
        (x + bw * c, y + bw * s),
        (x - bh * s, y + bh * c),
        (x + bw * c - bh * s, y + bw * s + bh * c),
    ]
    if any(outside(px, py, w, h) for px, py in corners):
        label.err(
            errs,
            loc,
            f"box at ({x:g}, {y:g}) of size {bw:g}x{bh:g}"
            f"{f' rotated {rot:g}°' if rot else ''} goes outside {where(w, h)}",
            [x, y, bw, bh],
        )
    return out


class PolygonLabel(RegionLabel):
    """Polygons ``{points: [[x, y], ...], label, closed?}``; a closed polygon (the default) needs at least
    3 points, an open polyline (``closed: false``) at least 2."""

    kind: Literal["polygon"] = "polygon"
    item_keys: ClassVar[frozenset[str]] = frozenset({"points", "closed"})
    required_keys: ClassVar[tuple[str, ...]] = ("points", "label")
    what: ClassVar[str] = "polygons"

    def check_item(
        self, item: dict[str, Any], loc: Loc, w: float | None, h: float | None, errs: Errs
    ) -> dict:
        closed = item.get("closed", True)
        if not isinstance(closed, bool):
            self.err(errs, [*loc, "closed"], f"closed must be true or false, got {type_name(closed)}", closed)
            closed = True
        pts = item.get("points")
        out: dict[str, Any] = {"points": pts, "closed": closed}
        if "points" not in item:
            return out
        if not isinstance(pts, list):
            self.err(errs, [*loc, "points"], f"points must be a list of [x, y], got {type_name(pts)}", pts)
            return out
        need = 3 if closed else 2
        if len(pts) < need:
            shape = "a closed polygon" if closed else "an open polyline"
            self.err(
                errs, [*loc, "points"], f"{shape} needs at least {need} points, got {len(pts)}", len(pts)
            )
        out["points"] = [check_point(self, p, [*loc, "points", j], w, h, errs) for j, p in enumerate(pts)]
        return out


def check_point(label: LabelBase, p: Any, loc: Loc, w: float | None, h: float | None, errs: Errs) -> Any:
    """One ``[x, y]`` pair inside the image; returns it as floats."""
    if not isinstance(p, list | tuple) or len(p) != 2:
        label.err(errs, loc, f"a point must be [x, y], got {p!r}", p)
        return p
    x, y = as_num(p[0]), as_num(p[1])
    if x is None or y is None:
        label.err(errs, loc, f"a point must be two finite numbers, got {p!r}", p)
        return p
    if outside(x, y, w, h):
        label.err(errs, loc, f"point ({x:g}, {y:g}) is outside {where(w, h)}", p)
    return [x, y]
