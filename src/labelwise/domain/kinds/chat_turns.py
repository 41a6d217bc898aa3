"""``chat_turns``: labels, a rating and a note per turn of a chat transcript (a data field of kind ``chat``).

The transcript is a list of turns ``{role, content}`` (or ``{"messages": [...]}`` around it; ``speaker``
is read as ``role``). A result is a list of entries, one per labelled turn::

    [{"turn": 1, "labels": ["helpful"], "rating": 4}, {"turn": 3, "labels": ["harmful"], "note": "unsafe"}]

``turn`` is the 0-based index into this item's transcript. Entries are checked against the transcript
(the index exists, its role is allowed) and normalised: sorted by turn, labels in schema order.

Final labels (:func:`turn_final`, called by ``domain.consensus`` on submit and recompute) are computed turn
by turn: an option is kept for a turn when a strict majority of the annotators who gave this label chose
it there, the rating is the lower median of the ratings the turn got; notes are not aggregated.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence
from typing import Any, ClassVar, Literal

from pydantic import Field, PrivateAttr, field_validator, model_validator

from labelwise.domain.kinds.base import (
    Errs,
    LabelBase,
    Loc,
    OptionsMixin,
    as_int,
    check_keys,
    check_list,
    check_option,
    type_name,
)

_KEYS = frozenset({"turn", "labels", "rating", "note"})


def transcript_turns(value: Any) -> list[Any] | None:
    """The turns of a chat field's value, or None when it is not a transcript (same reading as chat.js)."""
    if isinstance(value, list):
        return value
    if isinstance(value, dict) and isinstance(value.get("messages"), list):
        return value["messages"]
    return None


def turn_role(turn: Any) -> str:
    if isinstance(turn, dict):
        role = turn.get("role")
        role = turn.get("speaker") if role is None else role  # as chat.js reads it: role ?? speaker
        return role if isinstance(role, str) else ""
    return ""


class ChatTurnsLabel(OptionsMixin, LabelBase):
    """Per-turn labels on a ``chat`` field: ``options`` (one per turn, or several with ``multiple: true``),
    a ``rating`` from 1 to N, a free-text ``note``; at least one of the three. ``roles`` restricts which
    turns may be labelled (by their ``role``); none means every turn."""

    kind: Literal["chat_turns"] = "chat_turns"
    field: str
    roles: list[str] | None = None
    multiple: bool = False
    rating: int | None = Field(default=None, ge=2, le=10)
    note: bool = False
    field_kinds: ClassVar[frozenset[str] | None] = frozenset({"chat"})
    options_required: ClassVar[bool] = False
    _order: dict[str, int] = PrivateAttr(default_factory=dict)

    @field_validator("roles")
    @classmethod
    def _roles(cls, v: list[str] | None) -> list[str] | None:
        if v is None:
            return v
        if not v:
            raise ValueError("roles must name at least one role (leave it out to label every turn)")
        for role in v:
            if not role.strip():
                raise ValueError("a role must be a non-empty string")
            if v.count(role) > 1:
                raise ValueError(f"role '{role}' is listed twice")
        return v

    @model_validator(mode="after")
    def _something_to_give(self) -> ChatTurnsLabel:
        if not self.options and self.rating is None and not self.note:
            raise ValueError("needs options, a rating (rating: N) or note: true")
        return self

    def model_post_init(self, __context: Any) -> None:
        super().model_post_init(__context)
        self._order = {o.value: i for i, o in enumerate(self.options)}

    def is_loosening(self, setting: str, old: Any, new: Any) -> bool:
        if setting in ("multiple", "note"):
            return bool(new)
        if setting == "rating":
            return new is not None and (old is None or new >= old)
        if setting == "roles":
            return new is None or (old is not None and set(old) <= set(new))
        return super().is_loosening(setting, old, new)

    def check(
        self,
        value: Any,
        data: dict[str, Any],
        media: dict[str, dict[str, Any]],
        result: dict[str, Any],
        errs: Errs,
    ) -> Any:
        if not check_list(self, value, errs, "turn entries"):
            return value
        turns = transcript_turns(data.get(self.field))
        if turns is None:
            self.err(errs, [], f"the task has no chat transcript in data field '{self.field}' to label")
        out: list[dict[str, Any]] = []
        first_at: dict[int, int] = {}
        for i, item in enumerate(value):
            if not isinstance(item, dict):
                self.err(errs, [i], f"each entry must be an object {{turn, ...}}, got {type_name(item)}", item)
                continue
            check_keys(self, item, [i], _KEYS, ("turn",), errs)
            entry: dict[str, Any] = {"turn": item.get("turn")}
            turn = self._check_turn(item, turns, [i], errs)
            if turn is not None:
                entry["turn"] = turn
                if turn in first_at:
                    self.err(errs, [i, "turn"], f"turn {turn} is labelled twice (entries {first_at[turn]} and {i})",
                             turn)
                first_at.setdefault(turn, i)
            where = f"turn {item.get('turn')!r}" if turn is None else f"turn {turn}"
            if "labels" in item:
                entry["labels"] = self._check_labels(item["labels"], where, [i, "labels"], errs)
            if "rating" in item:
                entry["rating"] = self._check_rating(item["rating"], where, [i, "rating"], errs)
            if "note" in item:
                entry["note"] = self._check_note(item["note"], where, [i, "note"], errs)
            if not item.get("labels") and "rating" not in item and not item.get("note"):
                self.err(errs, [i], f"{where} has no labels, rating or note: leave the turn out instead", item)
            if "labels" in entry and not entry["labels"]:
                del entry["labels"]
            out.append(entry)
        out.sort(key=lambda e: e["turn"] if type(e["turn"]) is int else -1)
        return out

    def _check_turn(self, item: dict[str, Any], turns: list[Any] | None, loc: Loc, errs: Errs) -> int | None:
        if "turn" not in item:
            return None
        raw = item["turn"]
        turn = as_int(raw) if not isinstance(raw, bool) else None
        if turn is None:
            self.err(errs, [*loc, "turn"], f"turn must be a whole number (a 0-based index), got {type_name(raw)}",
                     raw)
            return None
        if turns is None:
            return turn
        if not 0 <= turn < len(turns):
            self.err(errs, [*loc, "turn"], f"turn {turn} is out of range: the transcript in '{self.field}' has "
                     f"{len(turns)} turns (0..{len(turns) - 1})", raw)
            return None
        role = turn_role(turns[turn])
        if self.roles is not None and role not in self.roles:
            self.err(errs, [*loc, "turn"], f"turn {turn} is by {role!r}, and this label only labels turns by "
                     f"{', '.join(self.roles)}", raw)
        return turn

    def _check_labels(self, labels: Any, where: str, loc: Loc, errs: Errs) -> Any:
        if not isinstance(labels, list):
            self.err(errs, loc, f"{where}: labels must be a list of options, got {type_name(labels)}", labels)
            return labels
        if labels and not self.options:
            self.err(errs, loc, f"{where}: this label has no options, so labels must be left out", labels)
            return labels
        seen: set[str] = set()
        for j, v in enumerate(labels):
            if check_option(self, self._values, v, [*loc, j], errs, what=f"{where}: label"):
                if v in seen:
                    self.err(errs, [*loc, j], f"{where}: '{v}' is chosen twice", v)
                seen.add(v)
        if not self.multiple and len(labels) > 1:
            self.err(errs, loc, f"{where} has {len(labels)} labels, and this label takes one per turn "
                     "(multiple: false)", labels)
        return sorted(seen, key=self._order.__getitem__)

    def _check_rating(self, raw: Any, where: str, loc: Loc, errs: Errs) -> Any:
        if self.rating is None:
            self.err(errs, loc, f"{where}: this label has no per-turn rating", raw)
            return raw
        n = as_int(raw) if not isinstance(raw, bool) else None
        if n is None:
            self.err(errs, loc, f"{where}: rating must be a whole number, got {type_name(raw)} {raw!r}", raw)
            return raw
        if not 1 <= n <= self.rating:
            self.err(errs, loc, f"{where}: rating {n} is outside 1..{self.rating}", raw)
        return n

    def _check_note(self, raw: Any, where: str, loc: Loc, errs: Errs) -> Any:
        if not self.note:
            self.err(errs, loc, f"{where}: this label takes no notes (note: false)", raw)
        elif not isinstance(raw, str):
            self.err(errs, loc, f"{where}: note must be text, got {type_name(raw)}", raw)
        return raw

    def used(self, value: Any) -> Iterable[str | None]:
        yield None  # results with ratings or notes only depend on the label too
        if isinstance(value, list):
            for entry in value:
                if isinstance(entry, dict) and isinstance(entry.get("labels"), list):
                    yield from entry["labels"]


def turn_final(values: Sequence[list[dict[str, Any]]], options: Sequence[str]) -> tuple[list[dict[str, Any]], float]:
    """``(value, confidence)`` of one item from its annotators' normalised values (one list each).

    Per turn any annotator labelled: each option is kept when more than half of ``values`` chose it there;
    the rating is the lower median of the turn's ratings. Confidence is the lowest share of annotators
    agreeing on an option's choice (chosen or not) or on the turn's final rating; 1 when nothing was given.
    """
    n = len(values)
    by_turn: dict[int, list[dict[str, Any]]] = {}
    for value in values:
        for entry in value:
            by_turn.setdefault(entry["turn"], []).append(entry)
    out: list[dict[str, Any]] = []
    shares: list[float] = []
    for turn in sorted(by_turn):
        entries = by_turn[turn]
        final: dict[str, Any] = {"turn": turn}
        chosen = [o for o in options if 2 * sum(o in e.get("labels", ()) for e in entries) > n]
        for o in options:
            k = sum(o in e.get("labels", ()) for e in entries)
            if k:
                shares.append(max(k, n - k) / n)
        if chosen:
            final["labels"] = chosen
        ratings = [e["rating"] for e in entries if "rating" in e]
        if ratings:
            final["rating"] = statistics.median_low(ratings)
            shares.append(ratings.count(final["rating"]) / len(ratings))
        if len(final) > 1:
            out.append(final)
    return out, min(shares, default=1.0)
