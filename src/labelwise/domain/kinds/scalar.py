"""Value kinds without a region: ``rating`` (1..max stars), ``number`` and free ``text``."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any, Literal

from pydantic import Field, PrivateAttr, field_validator, model_validator

from labelwise.domain.kinds.base import Errs, LabelBase, as_int, as_num, type_name


class RatingLabel(LabelBase):
    """An integer from 1 to ``max`` (default 5). Its "options" are the strings "1".."max"."""

    kind: Literal["rating"] = "rating"
    field: str | None = None
    max: int = Field(default=5, ge=2, le=100)

    @model_validator(mode="after")
    def _shortcut_keys(self) -> RatingLabel:
        allowed = set(self.option_values())
        for k in self.shortcuts:
            if k not in allowed:
                raise ValueError(f"shortcut for '{k}', which is not a rating between 1 and {self.max}")
        return self

    def option_values(self) -> list[str]:
        return [str(i) for i in range(1, self.max + 1)]

    def is_loosening(self, setting: str, old: Any, new: Any) -> bool:
        # a lower max is reported as the ratings it removes ("4", "5"), so only those results count
        return setting == "max" or super().is_loosening(setting, old, new)

    def check(
        self,
        value: Any,
        data: dict[str, Any],
        media: dict[str, dict[str, Any]],
        result: dict[str, Any],
        errs: Errs,
    ) -> Any:
        n = as_int(value) if not isinstance(value, bool) else None
        if n is None:
            self.err(errs, [], f"rating must be a whole number, got {type_name(value)} {value!r}", value)
            return value
        if not 1 <= n <= self.max:
            self.err(errs, [], f"rating {n} is outside 1..{self.max}", value)
        return n

    def used(self, value: Any) -> Iterable[str | None]:
        yield str(value)


class NumberLabel(LabelBase):
    """A number between ``min`` and ``max`` (inclusive); ``integer: true`` asks for a whole number."""

    kind: Literal["number"] = "number"
    field: str | None = None
    min: float | None = None
    max: float | None = None
    integer: bool = False

    @model_validator(mode="after")
    def _bounds(self) -> NumberLabel:
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"min ({self.min}) is greater than max ({self.max})")
        return self

    def is_loosening(self, setting: str, old: Any, new: Any) -> bool:
        if setting == "integer":
            return not new
        return super().is_loosening(setting, old, new)

    def check(
        self,
        value: Any,
        data: dict[str, Any],
        media: dict[str, dict[str, Any]],
        result: dict[str, Any],
        errs: Errs,
    ) -> Any:
        x = as_num(value)
        if x is None:
            self.err(errs, [], f"expected a finite number, got {type_name(value)} {value!r}", value)
            return value
        if self.integer:
            if not x.is_integer():
                self.err(errs, [], f"expected a whole number, got {value!r}", value)
                return value
            out: float | int = int(x)
        else:
            out = x
        if self.min is not None and x < self.min:
            self.err(errs, [], f"{value!r} is below the minimum {self.min:g}", value)
        if self.max is not None and x > self.max:
            self.err(errs, [], f"{value!r} is above the maximum {self.max:g}", value)
        return out


class TextLabel(LabelBase):
    """Free text, optionally bounded by ``min_length``/``max_length`` and matched (whole) by ``regex``.

    A required text label must not be blank.
    """

    kind: Literal["text"] = "text"
    field: str | None = None
    min_length: int | None = Field(default=None, ge=0)
    max_length: int | None = Field(default=None, ge=1)
    regex: str | None = None
    _pattern: re.Pattern[str] | None = PrivateAttr(default=None)

    @field_validator("regex")
    @classmethod
    def _compiles(cls, v: str | None) -> str | None:
        if v is not None:
            try:
                re.compile(v)
            except re.error as exc:
                raise ValueError(f"regex does not compile: {exc}") from None
        return v

    def model_post_init(self, __context: Any) -> None:
        self._pattern = re.compile(self.regex) if self.regex else None

    def is_loosening(self, setting: str, old: Any, new: Any) -> bool:
        if setting == "regex":
            return new is None
        return super().is_loosening(setting, old, new)

    def check(
        self,
        value: Any,
        data: dict[str, Any],
        media: dict[str, dict[str, Any]],
        result: dict[str, Any],
        errs: Errs,
    ) -> Any:
        if not isinstance(value, str):
            self.err(errs, [], f"expected text, got {type_name(value)}", value)
            return value
        n = len(value)
        if self.required and not value.strip():
            self.err(errs, [], "is required and must not be blank", value)
        if self.min_length is not None and n < self.min_length:
            self.err(errs, [], f"text is {n} characters, shorter than the minimum {self.min_length}", value)
        if self.max_length is not None and n > self.max_length:
            self.err(
                errs, [], f"text is {n} characters, longer than the maximum {self.max_length}", value[:80]
            )
        if self._pattern is not None and self._pattern.fullmatch(value) is None:
            self.err(errs, [], f"text {value[:80]!r} does not match the pattern {self.regex!r}", value[:80])
        return value
