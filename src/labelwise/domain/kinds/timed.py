"""Kinds over time: ``audio_ranges`` / ``time_ranges`` (segments) and ``video_boxes`` (tracks of boxes)."""

from __future__ import annotations

from collections.abc import Iterable
from itertools import chain, pairwise
from typing import Any, ClassVar, Literal

from labelwise.domain.kinds.attributes import AttributesMixin
from labelwise.domain.kinds.base import (
    Errs,
    LabelBase,
    Loc,
    OptionsMixin,
    check_keys,
    check_list,
    check_option,
    common_extras,
    is_int,
    media_of,
    num_at,
    region_labels,
    type_name,
    unique_ids,
)
from labelwise.domain.kinds.image import check_box

_RANGE_KEYS = frozenset({"start", "end", "label", "text", "id", "score", "attributes"})


class _RangesBase(AttributesMixin, OptionsMixin, LabelBase):
    """Segments ``{start, end, label, text?}`` with ``start < end``.

    ``unit: seconds`` (default): numbers, bounded by ``media[field]["duration"]`` when known.
    ``unit: samples``: whole sample indices, bounded by ``media[field]["samples"]`` when known.
    ``text`` carries a transcript. Overlaps are allowed unless ``allow_overlap: false``. Each range may
    carry ``attributes`` (see :mod:`labelwise.domain.kinds.attributes`)."""

    field: str
    unit: Literal["seconds", "samples"] = "seconds"
    allow_overlap: bool = True

    def is_loosening(self, setting: str, old: Any, new: Any) -> bool:
        return bool(setting == "allow_overlap" and new) or super().is_loosening(setting, old, new)

    def check(
        self,
        value: Any,
        data: dict[str, Any],
        media: dict[str, dict[str, Any]],
        result: dict[str, Any],
        errs: Errs,
    ) -> Any:
        if not check_list(self, value, errs, "ranges"):
            return value
        samples = self.unit == "samples"
        (limit,) = media_of(media, self.field, "samples" if samples else "duration")
        out = []
        for i, item in enumerate(value):
            if not isinstance(item, dict):
                self.err(errs, [i], f"each range must be an object, got {type_name(item)}", item)
                continue
            check_keys(self, item, [i], _RANGE_KEYS, ("start", "end", "label"), errs)
            if "label" in item:
                check_option(self, self._values, item["label"], [i, "label"], errs)
            start, end = (self._time(item, k, [i], samples, errs) for k in ("start", "end"))
            if start is not None and end is not None:
                self._check_bounds(start, end, limit, [i], errs)
            rng: dict[str, Any] = {"start": start, "end": end, "label": item.get("label")}
            if "text" in item:
                if not isinstance(item["text"], str):
                    self.err(
                        errs,
                        [i, "text"],
                        f"text must be a string, got {type_name(item['text'])}",
                        item["text"],
                    )
                rng["text"] = item["text"]
            common_extras(self, item, [i], rng, errs)
            self.check_attributes(item, [i], rng, errs)
            out.append(rng)
        unique_ids(self, value, errs)
        if not self.allow_overlap:
            good = sorted(
                (r["start"], r["end"], i)
                for i, r in enumerate(out)
                if r["start"] is not None and r["end"] is not None
            )
            for (_, a_end, a), (b_start, _, b) in pairwise(good):
                if b_start < a_end:
                    self.err(
                        errs, [b], f"range {b} overlaps range {a}, and this label does not allow overlaps"
                    )
        return out

    def _time(
        self, item: dict[str, Any], key: str, loc: Loc, samples: bool, errs: Errs
    ) -> float | int | None:
        if key not in item:
            return None
        v = item[key]
        if samples:
            if not is_int(v):
                self.err(errs, [*loc, key], f"{key} must be a whole sample index, got {v!r}", v)
                return None
            return int(v)
        return num_at(self, item, key, loc, errs)

    def _check_bounds(self, start: float, end: float, limit: float | None, loc: Loc, errs: Errs) -> None:
        unit = "samples" if self.unit == "samples" else "s"
        if start < 0:
            self.err(errs, [*loc, "start"], f"range start {start:g} is negative", start)
        if end <= start:
            self.err(errs, [*loc, "end"], f"range end {end:g} is not after its start {start:g}", end)
        if limit is not None and end > limit:
            what = "sample count" if self.unit == "samples" else "duration"
            self.err(errs, [*loc, "end"], f"range end {end:g}{unit} is past the {what} {limit:g}{unit}", end)

    def used(self, value: Any) -> Iterable[str | None]:
        return chain(region_labels(value), self.attributes_used(value))


class AudioRangesLabel(_RangesBase):
    __doc__ = _RangesBase.__doc__
    kind: Literal["audio_ranges"] = "audio_ranges"
    field_kinds: ClassVar[frozenset[str] | None] = frozenset({"audio", "video"})


class TimeRangesLabel(_RangesBase):
    __doc__ = _RangesBase.__doc__
    kind: Literal["time_ranges"] = "time_ranges"
    field_kinds: ClassVar[frozenset[str] | None] = frozenset({"timeseries", "audio", "video"})


_TRACK_KEYS = frozenset({"track_id", "label", "frames", "score", "attributes"})
_FRAME_KEYS = frozenset({"frame", "x", "y", "width", "height", "rotation", "keyframe", "outside"})


class VideoBoxesLabel(AttributesMixin, OptionsMixin, LabelBase):
    """Tracks ``{track_id, label, frames: [{frame, x, y, width, height, keyframe, outside?}]}``.

    ``frame`` is a 0-based index, unique within a track and below ``media[field]["frames"]`` when known;
    boxes are checked against ``width``/``height`` when known. ``keyframe`` defaults to true (a frame the
    annotator set; others are interpolated), ``outside: true`` marks where the object leaves the view.
    Normalised frames are sorted by frame index. A track may carry ``attributes`` (per track, not per
    frame; see :mod:`labelwise.domain.kinds.attributes`)."""

    kind: Literal["video_boxes"] = "video_boxes"
    field: str
    field_kinds: ClassVar[frozenset[str] | None] = frozenset({"video"})

    def check(
        self,
        value: Any,
        data: dict[str, Any],
        media: dict[str, dict[str, Any]],
        result: dict[str, Any],
        errs: Errs,
    ) -> Any:
        if not check_list(self, value, errs, "tracks"):
            return value
        n_frames, w, h = media_of(media, self.field, "frames", "width", "height")
        out, track_ids = [], set()
        for i, track in enumerate(value):
            if not isinstance(track, dict):
                self.err(errs, [i], f"each track must be an object, got {type_name(track)}", track)
                continue
            check_keys(self, track, [i], _TRACK_KEYS, ("track_id", "label", "frames"), errs)
            tid = track.get("track_id")
            if "track_id" in track:
                if not (isinstance(tid, str) and tid) and not is_int(tid):
                    self.err(
                        errs,
                        [i, "track_id"],
                        f"track_id must be a string or a whole number, got {tid!r}",
                        tid,
                    )
                elif tid in track_ids:
                    self.err(errs, [i, "track_id"], f"track_id {tid!r} is used twice", tid)
                else:
                    track_ids.add(tid)
            if "label" in track:
                check_option(self, self._values, track["label"], [i, "label"], errs)
            frames = track.get("frames")
            norm: dict[str, Any] = {"track_id": tid, "label": track.get("label"), "frames": frames}
            if isinstance(frames, list):
                norm["frames"] = self._frames(frames, [i, "frames"], n_frames, w, h, errs)
            elif "frames" in track:
                self.err(errs, [i, "frames"], f"frames must be a list, got {type_name(frames)}", frames)
            common_extras(self, {k: v for k, v in track.items() if k == "score"}, [i], norm, errs)
            self.check_attributes(track, [i], norm, errs)
            out.append(norm)
        return out

    def _frames(
        self,
        frames: list[Any],
        loc: Loc,
        n_frames: float | None,
        w: float | None,
        h: float | None,
        errs: Errs,
    ) -> list[Any]:
        if not frames:
            self.err(errs, loc, "a track needs at least one frame")
        out, seen = [], set()
        for j, fr in enumerate(frames):
            at = [*loc, j]
            if not isinstance(fr, dict):
                self.err(errs, at, f"each frame must be an object, got {type_name(fr)}", fr)
                continue
            check_keys(self, fr, at, _FRAME_KEYS, ("frame", "x", "y", "width", "height"), errs)
            idx = fr.get("frame")
            if "frame" in fr:
                if not is_int(idx) or idx < 0:
                    self.err(
                        errs, [*at, "frame"], f"frame must be a non-negative whole number, got {idx!r}", idx
                    )
                elif idx in seen:
                    self.err(errs, [*at, "frame"], f"frame {idx} appears twice in this track", idx)
                elif n_frames is not None and idx >= n_frames:
                    self.err(
                        errs,
                        [*at, "frame"],
                        f"frame {idx} is past the last frame (the video has {n_frames:g} frames)",
                        idx,
                    )
                else:
                    seen.add(idx)
            norm: dict[str, Any] = {"frame": idx, **check_box(self, fr, at, w, h, errs)}
            for flag, default in (("keyframe", True), ("outside", False)):
                v = fr.get(flag, default)
                if not isinstance(v, bool):
                    self.err(errs, [*at, flag], f"{flag} must be true or false, got {type_name(v)}", v)
                norm[flag] = v
            out.append(norm)
        out.sort(key=lambda f: f["frame"] if is_int(f["frame"]) else -1)
        return out

    def used(self, value: Any) -> Iterable[str | None]:
        return chain(region_labels(value), self.attributes_used(value))
