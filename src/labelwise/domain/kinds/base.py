"""What every label kind shares: options, the common settings, and the small checks kinds reuse.

A kind is a Pydantic model (the stored definition, validated once when a schema is parsed) with a
plain-Python ``check`` method (run on every submit, so it walks the result dict by hand instead of
building models). ``check`` appends ``labelwise.errors.error_at`` records to ``errs`` and returns the
normalised value; the caller raises ``Invalid`` once every label was checked.
"""

from __future__ import annotations

import math
from abc import abstractmethod
from collections.abc import Iterable, Iterator
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator, model_serializer

from labelwise.errors import error_at

Errs = list[dict[str, Any]]
Loc = list[Any]

#: Data field kinds a schema may declare in ``fields``.
DATA_KINDS = frozenset(
    {
        "text",
        "markdown",
        "html",
        "image",
        "audio",
        "video",
        "timeseries",
        "chat",
        "url",
        "number",
        "list",
        "json",
        "pdf",
        "table",
    }
)


class Option(BaseModel):
    """One allowed value of a label: a plain string or ``{value, description, shortcut, color}``."""

    model_config = ConfigDict(extra="forbid")

    value: str = Field(min_length=1)
    description: str | None = None
    shortcut: str | None = Field(default=None, min_length=1)
    color: str | None = None

    @field_validator("value", mode="before")
    @classmethod
    def _scalar_to_str(cls, v: Any) -> Any:
        if isinstance(v, int | float) and not isinstance(v, bool):
            return str(v)
        return v

    @model_serializer(mode="wrap")
    def _drop_unset(self, handler: Any) -> Any:
        return {k: v for k, v in handler(self).items() if v is not None}


def coerce_options(raw: Any) -> Any:
    """``["a", {"value": "b"}]`` -> a list of option dicts; scalars become ``{"value": str(x)}``."""
    if not isinstance(raw, list):
        return raw
    out = []
    for item in raw:
        if isinstance(item, str | int | float) and not isinstance(item, bool):
            out.append({"value": str(item)})
        else:
            out.append(item)
    return out


class LabelBase(BaseModel):
    """Settings every label has. Subclasses set ``kind`` to a Literal and implement ``check``."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, pattern=r"^\S(.*\S)?$")
    kind: str
    description: str | None = None
    required: bool = False
    shortcuts: dict[str, str] = Field(default_factory=dict)

    #: data field kinds ``field`` may bind to; ``None`` means any declared field.
    field_kinds: ClassVar[frozenset[str] | None] = None
    #: settings whose change never invalidates a stored result (diff ignores them).
    cosmetic: ClassVar[frozenset[str]] = frozenset({"description", "shortcuts", "options"})

    # ---- binding -------------------------------------------------------------------------------
    def bound_fields(self) -> list[str]:
        field = getattr(self, "field", None)
        return [field] if isinstance(field, str) else []

    def binding_errors(
        self, fields: dict[str, str], labels: dict[str, LabelBase]
    ) -> Iterator[tuple[Loc, str]]:
        """Problems with what this label refers to: (loc below the label, message)."""
        field = getattr(self, "field", None)
        if field is None:
            if (
                self.field_kinds is not None
                and "field" in type(self).model_fields
                and type(self).model_fields["field"].is_required()
            ):
                yield ["field"], "needs a data field"
            return
        if field not in fields:
            yield ["field"], f"binds to data field '{field}', which is not declared in `fields`"
        elif self.field_kinds is not None and fields[field] not in self.field_kinds:
            kinds = ", ".join(sorted(self.field_kinds))
            yield ["field"], f"needs a field of kind {kinds}; '{field}' is {fields[field]}"

    # ---- options -------------------------------------------------------------------------------
    def option_values(self) -> list[str]:
        """Every value results may use, as strings (drives ``SchemaDiff`` and ``options_used``)."""
        opts = getattr(self, "options", None)
        return [o.value for o in opts] if opts else []

    def used(self, value: Any) -> Iterable[str | None]:
        """Options a normalised value uses; ``None`` for kinds without options."""
        yield None

    # ---- results -------------------------------------------------------------------------------
    @abstractmethod
    def check(
        self,
        value: Any,
        data: dict[str, Any],
        media: dict[str, dict[str, Any]],
        result: dict[str, Any],
        errs: Errs,
    ) -> Any:
        """Check ``value`` (appending problems to ``errs``) and return it normalised."""

    def is_loosening(self, setting: str, old: Any, new: Any) -> bool:
        """True when changing ``setting`` from ``old`` to ``new`` cannot invalidate a stored result."""
        if setting == "required":
            return not new
        if setting in ("min", "min_length", "min_items"):
            return new is None or (old is not None and new <= old)
        if setting in ("max", "max_length", "max_items"):
            return new is None or (old is not None and new >= old)
        return False

    def err(self, errs: Errs, loc: Loc, msg: str, value: Any = None) -> None:
        errs.append(error_at([self.name, *loc], f"{self.name}: {msg}", value))


class OptionsMixin(BaseModel):
    """``options`` as a list of :class:`Option`, with ``shortcuts`` folded into them."""

    options: list[Option] = Field(default_factory=list)
    _values: frozenset[str] = PrivateAttr(default=frozenset())

    #: whether the schema must list at least one option.
    options_required: ClassVar[bool] = True

    @field_validator("options", mode="before")
    @classmethod
    def _coerce(cls, v: Any) -> Any:
        return coerce_options(v)

    @field_validator("options")
    @classmethod
    def _unique(cls, v: list[Option]) -> list[Option]:
        seen: set[str] = set()
        for o in v:
            if o.value in seen:
                raise ValueError(f"option '{o.value}' is listed twice")
            seen.add(o.value)
        if cls.options_required and not v:
            raise ValueError("needs at least one option")
        return v

    def model_post_init(self, __context: Any) -> None:
        fold_shortcuts(self)
        self._values = frozenset(o.value for o in self.options)


def fold_shortcuts(label: Any) -> None:
    """Move ``shortcuts: {option: key}`` into the options and check keys are unique within the label."""
    by_value = {o.value: i for i, o in enumerate(label.options)}
    for value, key in label.shortcuts.items():
        if value not in by_value:
            raise ValueError(f"shortcut for '{value}', which is not an option")
        i = by_value[value]
        label.options[i] = label.options[i].model_copy(update={"shortcut": key})
    label.shortcuts = {}
    keys = [o.shortcut for o in label.options if o.shortcut]
    dup = {k for k in keys if keys.count(k) > 1}
    if dup:
        raise ValueError(f"shortcut {sorted(dup)[0]!r} is used by more than one option")


# ---- small checks shared by kinds ---------------------------------------------------------------


def is_int(v: Any) -> bool:
    return type(v) is int or (isinstance(v, int) and not isinstance(v, bool))


def as_int(v: Any) -> int | None:
    """An int, or an integral float (JSON may send 3.0); else None."""
    if is_int(v):
        return int(v)
    if type(v) is float and v.is_integer():
        return int(v)
    return None


def as_num(v: Any) -> float | None:
    """A finite number as float; bools and NaN/inf are not numbers here."""
    if (type(v) is float or is_int(v) or isinstance(v, float)) and not isinstance(v, bool):
        f = float(v)
        return f if math.isfinite(f) else None
    return None


def type_name(v: Any) -> str:
    return {dict: "an object", list: "a list", str: "a string", bool: "a boolean", type(None): "null"}.get(
        type(v), "a number" if isinstance(v, int | float) else type(v).__name__
    )


def check_keys(
    label: LabelBase,
    item: dict[str, Any],
    loc: Loc,
    allowed: frozenset[str],
    required: tuple[str, ...],
    errs: Errs,
) -> bool:
    """Unknown and missing keys of one result item; True when all required keys are there."""
    ok = True
    for k in item:
        if k not in allowed:
            label.err(errs, [*loc, k], f"unknown key '{k}' (allowed: {', '.join(sorted(allowed))})")
    for k in required:
        if k not in item:
            label.err(errs, [*loc, k], f"'{k}' is required")
            ok = False
    return ok


def check_list(label: LabelBase, value: Any, errs: Errs, what: str) -> bool:
    if isinstance(value, list):
        return True
    label.err(errs, [], f"expected a list of {what}, got {type_name(value)}", value)
    return False


def check_option(
    label: LabelBase, values: frozenset[str], v: Any, loc: Loc, errs: Errs, what: str = "label"
) -> bool:
    if isinstance(v, str) and v in values:
        return True
    if not isinstance(v, str):
        label.err(errs, loc, f"{what} must be a string, got {type_name(v)}", v)
    else:
        label.err(errs, loc, f"{what} '{v}' is not one of the options ({', '.join(sorted(values))})", v)
    return False


def common_extras(label: LabelBase, item: dict[str, Any], loc: Loc, out: dict[str, Any], errs: Errs) -> None:
    """Optional ``id`` (non-empty string) and ``score`` (0..1) any region item may carry."""
    if "id" in item:
        rid = item["id"]
        if isinstance(rid, str) and rid:
            out["id"] = rid
        else:
            label.err(errs, [*loc, "id"], "id must be a non-empty string", rid)
    if "score" in item:
        s = as_num(item["score"])
        if s is None or not 0 <= s <= 1:
            label.err(errs, [*loc, "score"], "score must be a number between 0 and 1", item["score"])
        else:
            out["score"] = s


def unique_ids(label: LabelBase, items: list[Any], errs: Errs) -> None:
    seen: set[str] = set()
    for i, it in enumerate(items):
        if isinstance(it, dict) and isinstance(it.get("id"), str):
            if it["id"] in seen:
                label.err(errs, [i, "id"], f"id '{it['id']}' is used twice", it["id"])
            seen.add(it["id"])


def region_labels(value: Any) -> Iterator[str]:
    if isinstance(value, list):
        for it in value:
            if isinstance(it, dict) and isinstance(it.get("label"), str):
                yield it["label"]


def num_at(label: LabelBase, item: dict[str, Any], key: str, loc: Loc, errs: Errs) -> float | None:
    """``item[key]`` as a finite float, reporting a missing or non-numeric value."""
    if key not in item:
        return None  # check_keys reports missing keys
    x = as_num(item[key])
    if x is None:
        label.err(errs, [*loc, key], f"{key} must be a finite number, got {type_name(item[key])}", item[key])
    return x


def media_of(media: dict[str, dict[str, Any]], field: str, *keys: str) -> tuple[float | None, ...]:
    """Known facts about a media field (``width``, ``duration``...), ``None`` where unknown."""
    facts = media.get(field) or {}
    return tuple(as_num(facts.get(k)) for k in keys)
