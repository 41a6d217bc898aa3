"""Per-object attributes: typed values an object label's regions, instances, ranges or tracks carry.

A label declares them in ``attributes``::

    - {name: objects, kind: bbox, field: image, options: [car, person],
       attributes: [{name: occluded, type: boolean},
                    {name: color, type: choice, options: [red, blue], required: true},
                    {name: plate, type: text, only_for: [car]}]}

and each object of a result carries ``"attributes": {"occluded": true, "color": "red"}``. Types are
``boolean``, ``choice``, ``multi_choice`` (options listed), ``number`` (``min``, ``max``, ``integer``) and
``text`` (``max_length``). ``default`` is what the editor fills in when an object is created; ``required``
makes a missing value an error (not in drafts); ``only_for`` limits an attribute to some of the label's
options. A ``null`` value counts as absent; an empty ``attributes`` object is dropped when normalising.
"""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_serializer, model_validator

from labelwise.domain.kinds.base import Errs, LabelBase, Loc, as_int, as_num, type_name

#: marks a "required attribute is missing" error, which drafts (``partial=True``) do not report.
DRAFT_OK = "draft_ok"
#: the option marker ``used()`` yields for an attribute an object sets: ``"attribute:<name>"``.
MARK = "attribute:"

AttrType = Literal["boolean", "choice", "multi_choice", "number", "text"]


class AttributeDef(BaseModel):
    """One attribute of an object label."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, pattern=r"^\S(.*\S)?$")
    type: AttrType
    description: str | None = None
    options: list[str] = Field(default_factory=list)
    min: float | None = None
    max: float | None = None
    integer: bool = False
    max_length: int | None = Field(default=None, ge=1)
    required: bool = False
    default: Any = None
    only_for: list[str] | None = Field(default=None, min_length=1)

    @field_validator("options", mode="before")
    @classmethod
    def _options_as_str(cls, v: Any) -> Any:
        """Options are strings; numbers are written as such (``[1, 2]``), ``{value: x}`` is ``x``."""
        if not isinstance(v, list):
            return v
        out = []
        for o in v:
            if isinstance(o, dict) and set(o) == {"value"}:
                o = o["value"]
            out.append(str(o) if isinstance(o, int | float) and not isinstance(o, bool) else o)
        return out

    @model_validator(mode="after")
    def _consistent(self) -> AttributeDef:
        t = self.type
        if t in ("choice", "multi_choice"):
            if not self.options:
                raise ValueError(f"attribute '{self.name}' of type {t} needs options")
            if len(set(self.options)) != len(self.options):
                raise ValueError(f"attribute '{self.name}' lists an option twice")
        elif self.options:
            raise ValueError(f"attribute '{self.name}' of type {t} takes no options")
        if t != "number" and (self.min is not None or self.max is not None or self.integer):
            raise ValueError(f"attribute '{self.name}': min, max and integer are for number attributes")
        if t != "text" and self.max_length is not None:
            raise ValueError(f"attribute '{self.name}': max_length is for text attributes")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"attribute '{self.name}': min {self.min:g} is above max {self.max:g}")
        if self.default is not None:
            problem = self.problem(self.default)
            if problem:
                raise ValueError(f"attribute '{self.name}': default {problem}")
            self.default = self.normal(self.default)
        return self

    @model_serializer(mode="wrap")
    def _drop_unset(self, handler: Any) -> Any:
        out = handler(self)
        flags = ("integer", "required")
        return {k: v for k, v in out.items() if v is not None and v != [] and not (k in flags and v is False)}

    # ---- values --------------------------------------------------------------------------------
    def problem(self, v: Any) -> str | None:
        """Why ``v`` is not a value of this attribute, or None."""
        t = self.type
        if t == "boolean":
            return None if isinstance(v, bool) else f"must be true or false, got {type_name(v)}"
        if t == "text":
            if not isinstance(v, str):
                return f"must be a string, got {type_name(v)}"
            if self.max_length is not None and len(v) > self.max_length:
                return f"is {len(v)} characters long, more than max_length {self.max_length}"
            return None
        if t == "number":
            x = as_num(v)
            if x is None:
                return f"must be a finite number, got {type_name(v)}"
            if self.integer and as_int(v) is None:
                return f"must be a whole number, got {x:g}"
            if (self.min is not None and x < self.min) or (self.max is not None and x > self.max):
                return f"{x:g} is out of range ({_range(self.min, self.max)})"
            return None
        opts = ", ".join(self.options)
        if t == "choice":
            if not isinstance(v, str):
                return f"must be one of the options ({opts}), got {type_name(v)}"
            return None if v in self.options else f"'{v}' is not one of the options ({opts})"
        if not isinstance(v, list) or not all(isinstance(o, str) for o in v):
            return f"must be a list of options ({opts}), got {type_name(v)}"
        bad = [o for o in v if o not in self.options]
        if bad:
            return f"'{bad[0]}' is not one of the options ({opts})"
        if len(set(v)) != len(v):
            return "lists an option twice"
        return None

    def normal(self, v: Any) -> Any:
        if self.type == "number":
            return int(v) if self.integer else float(v)
        if self.type == "multi_choice":
            return [o for o in self.options if o in v]  # schema order
        return v

    def applies_to(self, option: Any) -> bool:
        return self.only_for is None or option in self.only_for


def _range(lo: float | None, hi: float | None) -> str:
    if lo is not None and hi is not None:
        return f"{lo:g} to {hi:g}"
    return f"at least {lo:g}" if lo is not None else f"at most {hi:g}"


class AttributesMixin(BaseModel):
    """``attributes`` for object labels; mixed in after ``OptionsMixin`` (``only_for`` names options)."""

    attributes: list[AttributeDef] = Field(default_factory=list)

    #: keys an object may carry besides its kind's own.
    attribute_keys: ClassVar[frozenset[str]] = frozenset({"attributes"})

    @field_validator("attributes")
    @classmethod
    def _unique_names(cls, v: list[AttributeDef]) -> list[AttributeDef]:
        names = [a.name for a in v]
        dup = {n for n in names if names.count(n) > 1}
        if dup:
            raise ValueError(f"attribute '{sorted(dup)[0]}' is declared twice")
        return v

    @model_validator(mode="after")
    def _only_for_options(self) -> AttributesMixin:
        values = set(self.option_values())  # type: ignore[attr-defined]
        for a in self.attributes:
            for o in a.only_for or []:
                if o not in values:
                    raise ValueError(f"attribute '{a.name}' is only_for '{o}', which is not an option")
        return self

    def check_attributes(self, item: dict[str, Any], loc: Loc, out: dict[str, Any], errs: Errs) -> None:
        """Check ``item["attributes"]`` against the declared attributes; set ``out["attributes"]``."""
        given = item.get("attributes")
        if given is None and not self.attributes:
            return  # the common case: nothing declared, nothing given
        label: LabelBase = self  # type: ignore[assignment]
        at = [*loc, "attributes"]
        obj = f"object {loc[-1]}: " if loc else ""
        if given is None:
            given = {}
        elif not isinstance(given, dict):
            label.err(errs, at, f"{obj}attributes must be an object, got {type_name(given)}", given)
            return
        option = item.get("label")
        defs = {a.name: a for a in self.attributes}
        norm: dict[str, Any] = {}
        for key, v in given.items():
            a = defs.get(key)
            if a is None:
                known = ", ".join(defs) or "none declared"
                label.err(errs, [*at, key], f"{obj}unknown attribute '{key}' (attributes: {known})", key)
                continue
            if v is None:
                continue
            if not a.applies_to(option):
                label.err(
                    errs,
                    [*at, key],
                    f"{obj}attribute '{key}' is not allowed for '{option}' (only for {', '.join(a.only_for or [])})",
                    v,
                )
                continue
            problem = a.problem(v)
            if problem:
                label.err(errs, [*at, key], f"{obj}attribute '{key}' {problem}", v)
                continue
            norm[key] = a.normal(v)
        for a in self.attributes:
            if a.required and a.applies_to(option) and given.get(a.name) is None:
                before = len(errs)
                label.err(errs, [*at, a.name], f"{obj}attribute '{a.name}' is required")
                errs[before][DRAFT_OK] = True
        if norm:
            out["attributes"] = norm

    def attributes_used(self, value: Any) -> list[str]:
        """``attribute:<name>`` for each attribute set on some object of a normalised value."""
        seen: dict[str, None] = {}
        if isinstance(value, list):
            for it in value:
                if isinstance(it, dict) and isinstance(it.get("attributes"), dict):
                    seen.update(dict.fromkeys(MARK + k for k in it["attributes"]))
        return list(seen)


def drop_draft_ok(errs: Errs, partial: bool) -> Errs:
    """Errors left once drafts (``partial``) forgive missing required attributes; the marker removed."""
    out = []
    for e in errs:
        if e.pop(DRAFT_OK, False) and partial:
            continue
        out.append(e)
    return out


def diff_attributes(old: Any, new: Any) -> tuple[list[str], list[str], list[str], list[tuple[str | None, str]]]:
    """(added, removed, changed, breaking) between two labels' attributes; ``breaking`` holds
    ``(option marker or None, reason)``: None when any stored object of the label may be invalid."""
    before = {a.name: a for a in getattr(old, "attributes", [])}
    after = {a.name: a for a in getattr(new, "attributes", [])}
    added = [n for n in after if n not in before]
    removed = [n for n in before if n not in after]
    changed: list[str] = []
    breaking: list[tuple[str | None, str]] = []
    for n in added:
        if after[n].required:
            breaking.append((None, f"new required attribute '{n}': stored objects do not have it"))
    for n in removed:
        breaking.append((MARK + n, f"attribute '{n}' removed"))
    for n, b in after.items():
        a = before.get(n)
        if a is None:
            continue
        da = a.model_dump(mode="json", exclude={"description", "default"})
        db = b.model_dump(mode="json", exclude={"description", "default"})
        if da == db:
            continue
        changed.append(n)
        for reason, scope in _tightened(a, b):
            breaking.append((None if scope else MARK + n, f"attribute '{n}': {reason}"))
    return added, removed, changed, breaking


def _tightened(a: AttributeDef, b: AttributeDef) -> list[tuple[str, bool]]:
    """Why ``b`` may reject a value ``a`` accepted; the flag is True when objects without the attribute
    are affected too (it became required)."""
    out: list[tuple[str, bool]] = []
    if a.type != b.type:
        return [(f"type changed from {a.type} to {b.type}", False)]
    if b.required and not a.required:
        out.append(("became required", True))
    if b.only_for is not None and (a.only_for is None or not set(b.only_for) >= set(a.only_for)):
        out.append(("only_for narrowed", False))
    gone = [o for o in a.options if o not in b.options]
    if gone:
        out.append((f"option(s) {', '.join(gone)} removed", False))
    if (b.min is not None and (a.min is None or b.min > a.min)) or (
        b.max is not None and (a.max is None or b.max < a.max)
    ):
        out.append((f"range narrowed to {_range(b.min, b.max)}", False))
    if b.integer and not a.integer:
        out.append(("became integer", False))
    if b.max_length is not None and (a.max_length is None or b.max_length < a.max_length):
        out.append((f"max_length lowered to {b.max_length}", False))
    return out


__all__ = ["DRAFT_OK", "MARK", "AttributeDef", "AttributesMixin", "diff_attributes", "drop_draft_ok"]
