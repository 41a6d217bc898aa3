"""Text kinds: ``spans`` (named-entity style character ranges) and ``relations`` between spans.

Offsets are Python ``str`` indices, i.e. Unicode code points, not bytes and not UTF-16 units.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import pairwise
from typing import Any, ClassVar, Literal

from pydantic import Field

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
    region_labels,
    type_name,
    unique_ids,
)

_SPAN_KEYS = frozenset({"start", "end", "label", "id", "text", "score"})
_REL_KEYS = frozenset({"from", "to", "label", "score"})


class SpansLabel(OptionsMixin, LabelBase):
    """Character ranges ``{start, end, label}`` over a text field; overlapping and nested spans are allowed
    unless ``allow_overlap: false``. Item order is kept (relations may refer to spans by index).

    ``snap`` tells the editor how a selection becomes a span: ``token`` (the default) widens it to whole
    words and punctuation marks, ``char`` keeps it as selected. Results are not checked against it, so
    changing it never invalidates stored spans."""

    kind: Literal["spans"] = "spans"
    field: str
    allow_overlap: bool = True
    snap: Literal["token", "char"] = "token"
    field_kinds: ClassVar[frozenset[str] | None] = frozenset({"text"})
    cosmetic: ClassVar[frozenset[str]] = frozenset({"description", "shortcuts", "options", "snap"})

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
        if not check_list(self, value, errs, "spans"):
            return value
        text = data.get(self.field)
        if not isinstance(text, str):
            self.err(errs, [], f"the task has no text in data field '{self.field}' to put spans on")
            text = None
        n = len(text) if text is not None else 0
        out: list[dict[str, Any]] = []
        for i, item in enumerate(value):
            if not isinstance(item, dict):
                self.err(errs, [i], f"each span must be an object, got {type_name(item)}", item)
                continue
            check_keys(self, item, [i], _SPAN_KEYS, ("start", "end", "label"), errs)
            start, end, lab = item.get("start"), item.get("end"), item.get("label")
            if "label" in item:
                check_option(self, self._values, lab, [i, "label"], errs)
            ok = True
            for key, v in (("start", start), ("end", end)):
                if key in item and not is_int(v):
                    self.err(errs, [i, key], f"span {key} must be a whole number, got {type_name(v)}", v)
                    ok = False
            if ok and start is not None and end is not None:
                ok = self._check_range(start, end, n if text is not None else None, [i], errs)
            span: dict[str, Any] = {"start": start, "end": end, "label": lab}
            if "text" in item:
                quoted = item["text"]
                if not isinstance(quoted, str):
                    self.err(
                        errs, [i, "text"], f"span text must be a string, got {type_name(quoted)}", quoted
                    )
                elif ok and text is not None and text[start:end] != quoted:
                    self.err(
                        errs,
                        [i, "text"],
                        f"span text {quoted!r} does not match the text at "
                        f"{start}:{end}, which is {text[start:end]!r}",
                        quoted,
                    )
                span["text"] = quoted
            common_extras(self, item, [i], span, errs)
            out.append(span)
        unique_ids(self, value, errs)
        if not self.allow_overlap:
            self._check_no_overlap(out, errs)
        return out

    def _check_range(self, start: int, end: int, n: int | None, loc: Loc, errs: Errs) -> bool:
        ok = True
        if start < 0:
            self.err(errs, [*loc, "start"], f"span start {start} is negative", start)
            ok = False
        if end <= start:
            self.err(errs, [*loc, "end"], f"span end {end} is not after its start {start}", end)
            ok = False
        if n is not None and end > n:
            self.err(errs, [*loc, "end"], f"span end {end} is past the end of the text (length {n})", end)
            ok = False
        return ok

    def _check_no_overlap(self, spans: list[dict[str, Any]], errs: Errs) -> None:
        good = [
            (s["start"], s["end"], i) for i, s in enumerate(spans) if is_int(s["start"]) and is_int(s["end"])
        ]
        good.sort()
        for (_, a_end, a), (b_start, _, b) in pairwise(good):
            if b_start < a_end:
                self.err(errs, [b], f"span {b} overlaps span {a}, and this label does not allow overlaps")

    def used(self, value: Any) -> Iterable[str | None]:
        return region_labels(value)


class RelationsLabel(OptionsMixin, LabelBase):
    """Directed links ``{from, to, label}`` between spans of the spans label named by ``spans_label``.

    ``from``/``to`` are span ``id`` strings or indices into that label's span list. ``options`` are the
    relation labels; when there are none, ``label`` may be left out."""

    kind: Literal["relations"] = "relations"
    spans_label: str = Field(min_length=1)
    options_required: ClassVar[bool] = False

    def binding_errors(
        self, fields: dict[str, str], labels: dict[str, LabelBase]
    ) -> Iterator[tuple[Loc, str]]:
        target = labels.get(self.spans_label)
        if target is None:
            yield ["spans_label"], f"refers to label '{self.spans_label}', which does not exist"
        elif not isinstance(target, SpansLabel):
            yield ["spans_label"], f"must name a spans label; '{self.spans_label}' is {target.kind}"

    def check(
        self,
        value: Any,
        data: dict[str, Any],
        media: dict[str, dict[str, Any]],
        result: dict[str, Any],
        errs: Errs,
    ) -> Any:
        if not check_list(self, value, errs, "relations"):
            return value
        spans = result.get(self.spans_label)
        spans = spans if isinstance(spans, list) else []
        ids = {s["id"] for s in spans if isinstance(s, dict) and isinstance(s.get("id"), str)}
        out: list[dict[str, Any]] = []
        seen: set[tuple[Any, Any, Any]] = set()
        for i, item in enumerate(value):
            if not isinstance(item, dict):
                self.err(errs, [i], f"each relation must be an object, got {type_name(item)}", item)
                continue
            required = ("from", "to", "label") if self.options else ("from", "to")
            check_keys(self, item, [i], _REL_KEYS, required, errs)
            ends = []
            for key in ("from", "to"):
                if key in item:
                    ends.append(self._resolve(item[key], spans, ids, [i, key], errs))
            rel: dict[str, Any] = {"from": item.get("from"), "to": item.get("to")}
            if "label" in item:
                if self.options:
                    check_option(self, self._values, item["label"], [i, "label"], errs)
                else:
                    self._free_label(item["label"], [i, "label"], errs)
                rel["label"] = item["label"]
            if "score" in item:
                common_extras(self, {"score": item["score"]}, [i], rel, errs)
            if len(ends) == 2 and None not in ends:
                if ends[0] == ends[1]:
                    self.err(errs, [i], f"relation {i} links span {ends[0]} to itself")
                key3 = (ends[0], ends[1], item.get("label"))
                if key3 in seen:
                    self.err(errs, [i], f"relation {i} repeats an earlier relation")
                seen.add(key3)
            out.append(rel)
        return out

    def _free_label(self, v: Any, loc: Loc, errs: Errs) -> None:
        if not isinstance(v, str) or not v:
            self.err(errs, loc, "relation label must be a non-empty string", v)

    def _resolve(self, ref: Any, spans: list[Any], ids: set[str], loc: Loc, errs: Errs) -> int | str | None:
        if is_int(ref):
            if 0 <= ref < len(spans):
                return spans[ref].get("id", ref) if isinstance(spans[ref], dict) else ref
            self.err(
                errs,
                loc,
                f"span index {ref} is out of range: '{self.spans_label}' has {len(spans)} spans",
                ref,
            )
            return None
        if isinstance(ref, str):
            if ref in ids:
                return ref
            self.err(errs, loc, f"no span of '{self.spans_label}' has id '{ref}'", ref)
            return None
        self.err(errs, loc, f"must be a span id or index, got {type_name(ref)}", ref)
        return None

    def used(self, value: Any) -> Iterable[str | None]:
        return region_labels(value)
