"""Comparing responses: ``pairwise`` preference and ``ranking`` (a permutation of items)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any, ClassVar, Literal

from pydantic import Field, PrivateAttr, model_validator

from labelwise.domain.kinds.base import Errs, LabelBase, Loc, OptionsMixin, check_keys, is_int, type_name


def _missing_fields(names: list[str], fields: dict[str, str], key: str) -> Iterator[tuple[Loc, str]]:
    for i, name in enumerate(names):
        if name not in fields:
            yield [key, i], f"compares data field '{name}', which is not declared in `fields`"


_PAIR_KEYS = frozenset({"choice", "reason"})


class PairwiseLabel(OptionsMixin, LabelBase):
    """Which of two responses is better. The two are data ``fields: [a, b]`` or two ``options``.

    Result: ``{"choice": "a" | "b" | "tie", "reason": str?}``; the field or option name is accepted in
    place of ``"a"``/``"b"`` and normalised. ``allow_tie: false`` forbids ``"tie"``."""

    kind: Literal["pairwise"] = "pairwise"
    fields: list[str] | None = Field(default=None, min_length=2, max_length=2)
    allow_tie: bool = True
    options_required: ClassVar[bool] = False
    _sides: dict[str, str] = PrivateAttr(default_factory=dict)

    def model_post_init(self, __context: Any) -> None:
        super().model_post_init(__context)
        if (self.fields is None) == (not self.options):
            raise ValueError("give either `fields: [a, b]` or two `options`, not both")
        if self.options and len(self.options) != 2:
            raise ValueError(f"needs exactly two options, got {len(self.options)}")
        sides = self.fields or [o.value for o in self.options]
        self._sides = {"a": "a", "b": "b", sides[0]: "a", sides[1]: "b"}
        if self.allow_tie:
            self._sides["tie"] = "tie"

    def bound_fields(self) -> list[str]:
        return list(self.fields or [])

    def binding_errors(
        self, fields: dict[str, str], labels: dict[str, LabelBase]
    ) -> Iterator[tuple[Loc, str]]:
        return _missing_fields(self.fields or [], fields, "fields")

    def option_values(self) -> list[str]:
        return ["a", "b", "tie"] if self.allow_tie else ["a", "b"]

    def is_loosening(self, setting: str, old: Any, new: Any) -> bool:
        return setting == "allow_tie" or super().is_loosening(setting, old, new)  # "tie" is an option

    def check(
        self,
        value: Any,
        data: dict[str, Any],
        media: dict[str, dict[str, Any]],
        result: dict[str, Any],
        errs: Errs,
    ) -> Any:
        if not isinstance(value, dict):
            self.err(errs, [], f"expected {{choice, reason?}}, got {type_name(value)}", value)
            return value
        check_keys(self, value, [], _PAIR_KEYS, ("choice",), errs)
        out: dict[str, Any] = {}
        if "choice" in value:
            choice = value["choice"]
            side = self._sides.get(choice) if isinstance(choice, str) else None
            if side is None:
                allowed = ", ".join(f"'{k}'" for k in self._sides)
                self.err(errs, ["choice"], f"choice {choice!r} is not one of {allowed}", choice)
            out["choice"] = side or choice
        if "reason" in value:
            if not isinstance(value["reason"], str):
                self.err(
                    errs,
                    ["reason"],
                    f"reason must be text, got {type_name(value['reason'])}",
                    value["reason"],
                )
            out["reason"] = value["reason"]
        return out

    def used(self, value: Any) -> Iterable[str | None]:
        yield value.get("choice")


class RankingLabel(OptionsMixin, LabelBase):
    """Order every item, best first. Items come from exactly one of:

    - ``options``: fixed item ids;
    - ``fields: [f1, f2, ...]``: data fields (the ids are the field names);
    - ``field``: a data ``list`` field; an item that is an object with ``id`` is named by it, any other
      item by its 0-based index.

    Result: a list holding each item id exactly once."""

    kind: Literal["ranking"] = "ranking"
    field: str | None = None
    fields: list[str] | None = Field(default=None, min_length=2)
    options_required: ClassVar[bool] = False
    options_closed: ClassVar[bool] = True
    field_kinds: ClassVar[frozenset[str] | None] = frozenset({"list"})

    @model_validator(mode="after")
    def _one_source(self) -> RankingLabel:
        sources = [s for s in ("field", "fields", "options") if getattr(self, s)]
        if len(sources) != 1:
            raise ValueError("give exactly one of `field`, `fields` or `options` as the items to rank")
        if self.options and len(self.options) < 2:
            raise ValueError("needs at least two options to rank")
        return self

    def bound_fields(self) -> list[str]:
        return list(self.fields or []) + ([self.field] if self.field else [])

    def binding_errors(
        self, fields: dict[str, str], labels: dict[str, LabelBase]
    ) -> Iterator[tuple[Loc, str]]:
        yield from super().binding_errors(fields, labels)
        yield from _missing_fields(self.fields or [], fields, "fields")

    def _items(self, data: dict[str, Any], errs: Errs) -> list[Any] | None:
        if self.options:
            return [o.value for o in self.options]
        if self.fields:
            return list(self.fields)
        items = data.get(self.field) if self.field else None
        if not isinstance(items, list):
            self.err(errs, [], f"the task has no list of items in data field '{self.field}' to rank")
            return None
        return [it["id"] if isinstance(it, dict) and "id" in it else i for i, it in enumerate(items)]

    def check(
        self,
        value: Any,
        data: dict[str, Any],
        media: dict[str, dict[str, Any]],
        result: dict[str, Any],
        errs: Errs,
    ) -> Any:
        if not isinstance(value, list):
            self.err(errs, [], f"expected a list of item ids, got {type_name(value)}", value)
            return value
        items = self._items(data, errs)
        if items is None:
            return value
        known, seen = set(items), set()
        for i, v in enumerate(value):
            hashable = isinstance(v, str) or is_int(v)
            if not hashable or v not in known:
                self.err(errs, [i], f"{v!r} is not an item to rank (items: {', '.join(map(str, items))})", v)
            elif v in seen:
                self.err(errs, [i], f"{v!r} is ranked twice", v)
            else:
                seen.add(v)
        missing = [x for x in items if x not in seen]
        if missing:
            self.err(errs, [], f"every item must be ranked; missing {', '.join(map(str, missing))}", missing)
        return list(value)

    def used(self, value: Any) -> Iterable[str | None]:
        if self.options:
            yield from value
        else:
            yield None
