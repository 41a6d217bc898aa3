"""Reading one import row into a new item: its data, key, meta and predictions checked against the schema,
its annotations (when labels come with the rows), a gold answer and media references."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

import orjson

from labelwise.domain.schema import LabelSchema
from labelwise.domain.states import Ordering, sort_key_for
from labelwise.errors import Invalid
from labelwise.services import checks
from labelwise.services.access import ProjectAccess
from labelwise.services.import_labels import LabelPolicy, LabelProblem
from labelwise.services.media import MediaStore
from labelwise.store import items as item_rows

RESERVED = frozenset({"key", "meta", "predictions", "data", "gold"})
KEY_ONLY = frozenset({"key"})
MEDIA_KINDS = frozenset({"image", "audio", "video", "timeseries"})
MEDIA_PREFIX = "media:"
_EMPTY = (None, "")  # a bound field's value that counts as missing
_UNKEYED, _KEYED, _GENERAL = 1, 2, 3  # kinds of row for RowReader.read (never 0: see its lookup)


class RowProblem(Exception):
    def __init__(self, msg: str, loc: list[Any] | None = None) -> None:
        super().__init__(msg)
        self.loc = loc or []


def _as_object(value: Any, what: str) -> dict[str, Any] | None:
    if value is None or value == "":
        return None
    if isinstance(value, str):
        try:
            value = orjson.loads(value)
        except orjson.JSONDecodeError as exc:
            raise RowProblem(f"{what} is not valid JSON ({exc})", [what]) from None
    if not isinstance(value, dict):
        raise RowProblem(f"{what} must be an object", [what])
    return value


Annotations = list[tuple[Any, ...]]  # (user id, result, lead time[, check warnings])


@dataclass(slots=True)
class Extras:
    """What a row brings besides its item: predictions, annotations, a gold answer, media references."""

    predictions: list[tuple[str, float | None, str]] = field(default_factory=list)  # (model, score, result JSON)
    annotations: Annotations = field(default_factory=list)
    gold: dict[str, Any] | None = None
    refs: list[dict[str, Any]] = field(default_factory=list)


# A row read and ready to write: (row number, key, data as JSON text, meta as JSON text, queue position,
# its Extras or None). Atomic values for a plain row: a batch of them costs the garbage collector nothing.
Pending = tuple[int, str | None, str, str | None, float, Extras | None]


class RowReader:
    """Turns input rows into new items: data, key, meta, predictions, checked against the schema.

    Built once per import so the per-row work is only what each row needs.
    """

    def __init__(self, schema: LabelSchema, key_field: str | None, ordering: str,
                 labels: LabelPolicy | None = None, *, access: ProjectAccess | None = None,
                 media: MediaStore | None = None) -> None:
        self.schema = schema
        self.labels = labels
        self.access = access
        self.media = media
        self.media_fields = {f: k for f, k in schema.fields.items() if k in MEDIA_KINDS}
        self.known_keys: set[str] = set()
        self.bound = tuple(sorted(schema.bound_fields()))
        self.key_field = key_field
        self.ordering = Ordering(ordering)
        self.rng = random.Random()
        self._shapes: dict[tuple[str, ...], tuple[bool, frozenset[str]]] = {}
        # rows of data fields and a "key" are read in one pass when nothing else can come with them
        self._plain_rows = labels is None and not self.media_fields and key_field is None
        self._plain_kinds: dict[tuple[str, ...], int] = {}  # a row's keys -> _UNKEYED, _KEYED or _GENERAL
        # the queue position of an item without predictions, when it is the same for all
        self._fixed_sort_key = None if self.ordering is Ordering.random else self._sort_key(None)

    def _shape(self, raw: dict[str, Any]) -> tuple[bool, frozenset[str]]:
        """Whether a row has ``meta.*`` columns, and its reserved keys: worked out once per set of keys
        (the rows of a file mostly share one)."""
        keys = tuple(raw)
        shape = self._shapes.get(keys)
        if shape is None:
            if len(self._shapes) >= 1000:
                self._shapes.clear()
            shape = self._shapes[keys] = (any(k.startswith("meta.") for k in keys), RESERVED.intersection(keys))
        return shape

    def _plain_kind(self, raw: dict[str, Any]) -> int:
        """Whether rows with the keys of ``raw`` are plain rows (data fields, perhaps a ``key``): worked out
        once per set of keys."""
        kinds = self._plain_kinds
        if len(kinds) >= 1000:
            kinds.clear()
        dotted, reserved = self._shape(raw)
        kind = _GENERAL if dotted or not reserved <= KEY_ONLY else _KEYED if reserved else _UNKEYED
        kinds[tuple(raw)] = kind
        return kind

    def _sort_key(self, score: float | None) -> float:
        """The queue position of a new item (0 for sequential projects: ids order them)."""
        if self.ordering is Ordering.sequential:
            return 0.0
        return sort_key_for(self.ordering, random_value=self.rng.random(), score=score)

    def _data(self, raw: dict[str, Any], dotted: bool, reserved: frozenset[str]) -> dict[str, Any]:
        inner = raw.get("data")
        if isinstance(inner, dict):
            return inner
        if isinstance(inner, str) and inner.lstrip().startswith("{"):
            return _as_object(inner, "data") or {}
        if dotted:
            return {k: v for k, v in raw.items() if k not in RESERVED and not k.startswith("meta.")}
        if not reserved:
            return raw
        data = raw.copy()
        for k in reserved:
            del data[k]
        return data

    def _key(self, raw: dict[str, Any], data: dict[str, Any]) -> str | None:
        if self.key_field is None:
            key = raw.get("key")
        else:
            key = data[self.key_field] if self.key_field in data else raw.get(self.key_field)
        if key is None or key == "":
            return None
        if not isinstance(key, str | int) or isinstance(key, bool):
            raise RowProblem(f"key must be a string or a number, not {type(key).__name__}", ["key"])
        key = str(key)
        if len(key) > 512:
            raise RowProblem("key is longer than 512 characters", ["key"])
        if "\x00" in key:  # PostgreSQL cannot store it, and SQLite's JSON functions would not find it again
            raise RowProblem("key contains a NUL character", ["key"])
        return key

    def _predictions(self, raw: dict[str, Any], data: dict[str, Any]) -> list[dict[str, Any]]:
        preds = raw.get("predictions")
        if isinstance(preds, str):
            preds = _as_list(preds, "predictions")
        if preds is None:
            return []
        if not isinstance(preds, list):
            raise RowProblem("predictions must be a list", ["predictions"])
        out = []
        for i, pred in enumerate(preds):
            if not isinstance(pred, dict) or not isinstance(pred.get("result"), dict):
                raise RowProblem("a prediction must be an object with a 'result' object", ["predictions", i])
            score = pred.get("score")
            if score is not None and (not isinstance(score, int | float) or isinstance(score, bool)):
                raise RowProblem("a prediction's score must be a number", ["predictions", i, "score"])
            try:
                result = self.schema.validate_result(pred["result"], data, partial=True)
            except Invalid as exc:
                raise RowProblem(f"prediction {i}: {exc.message}", ["predictions", i, "result"]) from None
            out.append({"model": str(pred.get("model") or ""), "score": score, "result": result})
        return out

    def item(self, raw: dict[str, Any]) -> item_rows.NewItem:
        has_dotted, reserved = self._shape(raw)
        data = self._data(raw, has_dotted, reserved)
        missing = [f for f in self.bound if data.get(f) in (None, "")]
        if missing:
            also = f" (also missing: {', '.join(missing[1:])})" if len(missing) > 1 else ""
            raise RowProblem(f"missing field {missing[0]!r}, which the schema binds{also}", ["data", missing[0]])
        meta = _as_object(raw.get("meta"), "meta")
        if has_dotted and data is not raw:
            meta = {**(meta or {}), **{k[5:]: v for k, v in raw.items() if k.startswith("meta.")}}
        predictions = self._predictions(raw, data) if "predictions" in raw else []
        scores = [p["score"] for p in predictions if p["score"] is not None]
        return item_rows.NewItem(key=self._key(raw, data), data=data, meta=meta, predictions=predictions,
                                 sort_key=self._sort_key(min(scores, default=None)))

    def read(self, raw: dict[str, Any], number: int) -> Pending:
        """The row as it will be written, with the submitted annotations that come with it (see
        ``import_labels``) and its extras."""
        if self._plain_rows:  # a row of data fields and perhaps a key, read in one pass
            kind = self._plain_kinds.get(tuple(raw)) or self._plain_kind(raw)
            if kind != _GENERAL:
                if kind == _KEYED:
                    data = raw.copy()
                    key = data.pop("key")
                    if key.__class__ is not str or not 0 < len(key) <= 512 or "\x00" in key:
                        key = self._key(raw, data)  # a number, nothing, or an error
                else:
                    data, key = raw, None
                for name in self.bound:
                    if data.get(name) in _EMPTY:
                        break  # ``item`` words the error
                else:
                    sort_key = self._fixed_sort_key
                    return (number, key, orjson.dumps(data).decode(), None,
                            self._sort_key(None) if sort_key is None else sort_key, None)
        it = self.item(raw)
        gold = self._gold(raw, it) if "gold" in raw else None
        refs = self._refs(it) if self.media_fields else []
        preds = [(p["model"], p["score"], _json(p["result"])) for p in it.predictions]
        anns: Annotations = []
        if self.labels is not None:
            try:
                anns, more = self.labels.split(raw, number, self.schema, it.data, it.meta)
            except LabelProblem as problem:
                raise RowProblem(f"{self.labels.source}: record {number} (key {it.key!r}): {problem}",
                                  problem.loc) from None
            preds += [(p["model"], p["score"], _json(p["result"])) for p in more]
            anns = self._checked(anns, it.data)
        extras = Extras(preds, anns, gold, refs) if preds or anns or gold is not None or refs else None
        meta = None if it.meta is None else _json(it.meta)
        return number, it.key, _json(it.data), meta, it.sort_key, extras

    def _gold(self, raw: dict[str, Any], it: item_rows.NewItem) -> dict[str, Any] | None:
        """The row's gold answer (an expected result), validated like any result."""
        gold = _as_object(raw["gold"], "gold")
        if gold is None:
            return None
        media = (it.meta or {}).get("media")
        try:
            return self.schema.validate_result(gold, it.data, media if isinstance(media, dict) else None)
        except Invalid as exc:
            raise RowProblem(f"gold: {exc.message}", ["gold"]) from None

    def _refs(self, it: item_rows.NewItem) -> list[dict[str, Any]]:
        """``media_refs`` rows for ``media:<key>`` values of media fields; a key the store lacks is an error."""
        refs = []
        for name, kind in self.media_fields.items():
            value = it.data.get(name)
            if not isinstance(value, str) or not value.startswith(MEDIA_PREFIX):
                continue
            key = value[len(MEDIA_PREFIX):]
            if key not in self.known_keys:
                if self.media is None:
                    raise RowProblem(f"data.{name}: media keys cannot be imported here", ["data", name])
                if not self.media.exists(key):
                    raise RowProblem(f"data.{name}: media {key[:100]!r} is not in this instance's media store "
                                      "(upload the files, or import them as a folder or zip)", ["data", name])
                self.known_keys.add(key)
            media = (it.meta or {}).get("media")
            facts = media.get(name) if isinstance(media, dict) else None
            refs.append({"key": key, "kind": kind, "name": str((it.meta or {}).get("file") or key),
                         "facts": facts if isinstance(facts, dict) else None})
        return refs

    def _checked(self, anns: Annotations, data: dict[str, Any]) -> Annotations:
        """Annotations with the project's automatic-check warnings, as submit would store them; a
        blocking rule makes the row an error naming the rule."""
        if self.access is None or not anns or not checks.rules_of(self.access):
            return anns
        out: Annotations = []
        for user_id, result, lead, *_ in anns:
            try:
                warnings = checks.at_submit(self.access, result, data)
            except Invalid as exc:
                raise RowProblem(f"annotation by user {user_id}: {exc.message}", ["annotations"]) from None
            out.append((user_id, result, lead, warnings))
        return out


def _json(value: Any) -> str:
    return orjson.dumps(value).decode()


def _as_list(value: str, what: str) -> Any:
    if not value.strip():
        return None
    try:
        return orjson.loads(value)
    except orjson.JSONDecodeError as exc:
        raise RowProblem(f"{what} is not valid JSON ({exc})", [what]) from None
