"""Classification kinds: ``choice`` (one option) and ``multi_choice`` (a set of options)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Literal

from pydantic import Field, PrivateAttr, model_validator

from labelwise.domain.kinds.base import Errs, LabelBase, OptionsMixin, check_option, type_name


class ChoiceLabel(OptionsMixin, LabelBase):
    """One option. Result value: the option string."""

    kind: Literal["choice"] = "choice"
    field: str | None = None

    def check(
        self,
        value: Any,
        data: dict[str, Any],
        media: dict[str, dict[str, Any]],
        result: dict[str, Any],
        errs: Errs,
    ) -> Any:
        if value in self._values:
            return value
        check_option(self, self._values, value, [], errs, what="value")
        return value

    def used(self, value: Any) -> Iterable[str | None]:
        yield value


class MultiChoiceLabel(OptionsMixin, LabelBase):
    """Several distinct options, between ``min`` and ``max`` of them. Result: a list, in schema order."""

    kind: Literal["multi_choice"] = "multi_choice"
    field: str | None = None
    min: int | None = Field(default=None, ge=0)
    max: int | None = Field(default=None, ge=1)
    _order: dict[str, int] = PrivateAttr(default_factory=dict)

    @model_validator(mode="after")
    def _bounds(self) -> MultiChoiceLabel:
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"min ({self.min}) is greater than max ({self.max})")
        if self.min is not None and self.min > len(self.options):
            raise ValueError(f"min ({self.min}) is more than the {len(self.options)} options")
        return self

    def model_post_init(self, __context: Any) -> None:
        super().model_post_init(__context)
        self._order = {o.value: i for i, o in enumerate(self.options)}

    def check(
        self,
        value: Any,
        data: dict[str, Any],
        media: dict[str, dict[str, Any]],
        result: dict[str, Any],
        errs: Errs,
    ) -> Any:
        if not isinstance(value, list):
            self.err(errs, [], f"expected a list of options, got {type_name(value)}", value)
            return value
        seen: set[str] = set()
        for i, v in enumerate(value):
            if check_option(self, self._values, v, [i], errs, what="value"):
                if v in seen:
                    self.err(errs, [i], f"'{v}' is chosen twice", v)
                seen.add(v)
        n = len(value)
        if self.min is not None and n < self.min:
            self.err(errs, [], f"choose at least {self.min} options, got {n}", value)
        if self.max is not None and n > self.max:
            self.err(errs, [], f"choose at most {self.max} options, got {n}", value)
        return sorted(seen, key=self._order.__getitem__)

    def used(self, value: Any) -> Iterable[str | None]:
        yield from value
