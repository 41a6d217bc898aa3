"""Image kinds with structure: ``keypoints`` (named points of an instance) and ``mask`` (brush, as RLE)."""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from pydantic import Field, model_validator

from labelwise.domain.kinds.base import Errs, Loc, as_int, is_int, type_name
from labelwise.domain.kinds.image import RegionLabel, check_point


class KeypointsLabel(RegionLabel):
    """Instances ``{label, points: {name: [x, y] | null}}``; ``keypoints`` names the points, ``skeleton``
    the lines drawn between them (display only). A missing or ``null`` point is not visible; an instance
    needs at least one point. The normalised value lists every keypoint name, in schema order."""

    kind: Literal["keypoints"] = "keypoints"
    keypoints: list[str] = Field(min_length=1)
    skeleton: list[tuple[str, str]] = Field(default_factory=list)
    item_keys: ClassVar[frozenset[str]] = frozenset({"points"})
    required_keys: ClassVar[tuple[str, ...]] = ("points", "label")
    what: ClassVar[str] = "instances"
    cosmetic: ClassVar[frozenset[str]] = frozenset({"description", "shortcuts", "options", "skeleton"})

    @model_validator(mode="after")
    def _names(self) -> KeypointsLabel:
        if len(set(self.keypoints)) != len(self.keypoints):
            raise ValueError("keypoint names must be unique")
        for a, b in self.skeleton:
            for end in (a, b):
                if end not in self.keypoints:
                    raise ValueError(f"skeleton joins '{end}', which is not a keypoint")
        return self

    def is_loosening(self, setting: str, old: Any, new: Any) -> bool:
        if setting == "keypoints":
            return set(old) <= set(new)
        return super().is_loosening(setting, old, new)

    def check_item(
        self, item: dict[str, Any], loc: Loc, w: float | None, h: float | None, errs: Errs
    ) -> dict:
        pts = item.get("points")
        if "points" not in item:
            return {"points": None}
        if not isinstance(pts, dict):
            self.err(
                errs, [*loc, "points"], f"points must map keypoint names to [x, y], got {type_name(pts)}", pts
            )
            return {"points": pts}
        for name in pts:
            if name not in self.keypoints:
                self.err(
                    errs,
                    [*loc, "points", name],
                    f"'{name}' is not a keypoint ({', '.join(self.keypoints)})",
                    name,
                )
        out = {}
        for name in self.keypoints:
            p = pts.get(name)
            out[name] = None if p is None else check_point(self, p, [*loc, "points", name], w, h, errs)
        if all(v is None for v in out.values()):
            self.err(errs, [*loc, "points"], "an instance needs at least one visible keypoint")
        return {"points": out}


#: the most pixels a mask may cover (16,384 x 16,384): exports and imports decode masks to one byte a
#: pixel, so a mask claiming a far larger image would take gigabytes to write out
MAX_MASK_PIXELS = 2**28


class MaskLabel(RegionLabel):
    """Brush masks ``{label, rle: {counts, size: [height, width]}}`` in COCO run-length encoding: ``counts``
    is a list of run lengths (column-major, starting with a background run that may be 0) or the compressed
    COCO string. The runs must add up to height*width, and ``size`` must match the image when it is known."""

    kind: Literal["mask"] = "mask"
    item_keys: ClassVar[frozenset[str]] = frozenset({"rle"})
    required_keys: ClassVar[tuple[str, ...]] = ("rle", "label")
    what: ClassVar[str] = "masks"

    def check_item(
        self, item: dict[str, Any], loc: Loc, w: float | None, h: float | None, errs: Errs
    ) -> dict:
        rle = item.get("rle")
        at = [*loc, "rle"]
        if "rle" not in item:
            return {"rle": None}
        if not isinstance(rle, dict) or set(rle) != {"counts", "size"}:
            self.err(errs, at, "rle must be an object {counts, size: [height, width]}", rle)
            return {"rle": rle}
        size, counts = rle["size"], rle["counts"]
        dims = [as_int(v) for v in size] if isinstance(size, list) and len(size) == 2 else None
        if dims is None or None in dims or min(dims) <= 0:  # type: ignore[type-var]
            self.err(
                errs,
                [*at, "size"],
                f"size must be [height, width], two positive whole numbers; got {size!r}",
                size,
            )
            return {"rle": rle}
        mh, mw = dims
        assert mh is not None and mw is not None
        if mh * mw > MAX_MASK_PIXELS:
            self.err(errs, [*at, "size"],
                     f"a {mh}x{mw} mask has {mh * mw:,} pixels, more than the {MAX_MASK_PIXELS:,} a mask may have",
                     size)
            return {"rle": rle}
        if w is not None and h is not None and (mh, mw) != (h, w):
            self.err(
                errs,
                [*at, "size"],
                f"mask size {mh}x{mw} (height x width) does not match the image {h:g}x{w:g}",
                size,
            )
        runs = decode_counts(counts) if isinstance(counts, str) else counts
        if not isinstance(runs, list) or not all(is_int(c) and c >= 0 for c in runs):
            self.err(
                errs,
                [*at, "counts"],
                "counts must be a list of non-negative whole numbers or a COCO compressed string",
                counts if not isinstance(counts, list) else None,
            )
            return {"rle": {"counts": counts, "size": [mh, mw]}}
        total = sum(runs)
        if total != mh * mw:
            self.err(
                errs,
                [*at, "counts"],
                f"run lengths add up to {total}, but a {mh}x{mw} mask has {mh * mw} pixels",
                total,
            )
        return {"rle": {"counts": counts, "size": [mh, mw]}}


def decode_counts(s: str) -> list[int] | None:
    """Run lengths from a COCO compressed RLE string (pycocotools' ``rleFrString``); None if malformed."""
    counts: list[int] = []
    p, n = 0, len(s)
    while p < n:
        x, k, more = 0, 0, True
        while more:
            if p >= n:
                return None
            c = ord(s[p]) - 48
            if not 0 <= c < 64:
                return None
            x |= (c & 0x1F) << (5 * k)
            more = bool(c & 0x20)
            p += 1
            k += 1
            if not more and c & 0x10:
                x |= -1 << (5 * k)
        if len(counts) > 2:
            x += counts[-2]
        counts.append(x)
    return counts


def encode_counts(counts: list[int]) -> str:
    """The inverse of :func:`decode_counts` (pycocotools' ``rleToString``); used by tests and exporters."""
    out = []
    for i, c in enumerate(counts):
        x = c - counts[i - 2] if i > 2 else c
        more = True
        while more:
            ch = x & 0x1F
            x >>= 5
            more = not (x == 0 and not ch & 0x10) and not (x == -1 and ch & 0x10)
            if more:
                ch |= 0x20
            out.append(chr(ch + 48))
    return "".join(out)
