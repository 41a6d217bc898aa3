"""Labels that come with imported items: as submitted annotations by existing users, or as predictions.

An import in any format (native JSONL/JSON/CSV/Parquet rows with an ``annotations`` list, or a
registry format read by :func:`labelwise.formats.registry.read`) hands each row to
:class:`LabelPolicy`. In ``annotations`` mode each annotation's ``annotator`` must be the email of an
existing user (or anything else when ``annotator=EMAIL`` says whom to attribute such annotations to);
the import collects every unknown name and is rejected with the list. In ``predictions`` mode every
annotation becomes a prediction of ``model``, scored by the annotation's ``score`` when it has one (the
Hugging Face reader's confidence). Every result is validated against the schema with the
item's data and media facts; a bad one names the file, the record and the annotation.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from labelwise.domain.schema import LabelSchema
from labelwise.errors import Invalid
from labelwise.formats import registry
from labelwise.formats.base import FormatError
from labelwise.formats.records import Row
from labelwise.services.context import Context
from labelwise.store import users

MODES = ("ignore", "annotations", "predictions")
MAX_UNKNOWN = 50


class LabelProblem(Exception):
    """One annotation of a row that cannot be imported (the import names its row)."""

    def __init__(self, msg: str, loc: list[Any]) -> None:
        super().__init__(msg)
        self.loc = loc


@dataclass
class LabelPolicy:
    """What to do with the labels of imported rows.

    ``mode``: ``ignore`` (the native formats' default: only ``predictions`` are read), ``annotations``
    or ``predictions``. ``model`` names the predictions made from annotations (default: the format).
    ``annotator``: the email that takes every annotation whose annotator is not a user's email.
    """

    ctx: Context
    mode: str = "annotations"
    model: str = ""
    annotator: str | None = None
    source: str = ""
    unknown: dict[str, int] = field(default_factory=dict)  # annotator name -> first row naming it
    _ids: dict[str, int | None] = field(default_factory=dict, repr=False)
    _fallback: int | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise Invalid(f"labels must be one of {', '.join(MODES)}, not {self.mode!r}")
        if self.annotator:
            found = self._lookup(self.annotator.strip())
            if found is None:
                raise Invalid(f"annotator {self.annotator!r} is not a user of this instance")
            self._fallback = found

    def _lookup(self, email: str) -> int | None:
        if email not in self._ids:
            with self.ctx.db.read() as conn:
                user = users.user_by_email(conn, email)
            self._ids[email] = int(user["id"]) if user is not None and user["is_active"] else None
        return self._ids[email]

    def user_id(self, name: Any, row: int) -> int | None:
        """The user taking an annotation by ``name``; None (and remembered) when there is none."""
        text = str(name or "").strip()
        found = self._lookup(text) if "@" in text else None
        if found is None:
            found = self._fallback
        if found is None and text not in self.unknown and len(self.unknown) < MAX_UNKNOWN:
            self.unknown[text] = row
        return found

    def split(self, raw: dict[str, Any], row: int, schema: LabelSchema, data: dict[str, Any],
              meta: dict[str, Any] | None) -> tuple[list[tuple[int, dict[str, Any], float]], list[dict[str, Any]]]:
        """``(annotations as (user id, clean result, lead time), predictions made from annotations)``."""
        anns = raw.get("annotations")
        if self.mode == "ignore" or anns in (None, "", []):
            return [], []
        if isinstance(anns, str):
            import orjson

            try:
                anns = orjson.loads(anns)
            except orjson.JSONDecodeError as exc:
                raise LabelProblem(f"annotations is not valid JSON ({exc})", ["annotations"]) from None
        if not isinstance(anns, list):
            raise LabelProblem("annotations must be a list", ["annotations"])
        media = (meta or {}).get("media") if isinstance((meta or {}).get("media"), dict) else None
        out: list[tuple[int, dict[str, Any], float]] = []
        preds: list[dict[str, Any]] = []
        seen: dict[int, int] = {}
        for i, ann in enumerate(anns):
            where = f"annotation {i}" + (f" by {ann.get('annotator')}" if isinstance(ann, dict) else "")
            if not isinstance(ann, dict) or not isinstance(ann.get("result"), dict):
                raise LabelProblem(f"{where}: an annotation must be an object with a 'result' object",
                                   ["annotations", i])
            try:
                clean = schema.validate_result(ann["result"], data, media, partial=self.mode == "predictions")
            except Invalid as exc:
                raise LabelProblem(f"{where}: {exc.message}", ["annotations", i, "result"]) from None
            if self.mode == "predictions":
                score = ann.get("score")
                if score is not None and (not isinstance(score, int | float) or isinstance(score, bool)):
                    raise LabelProblem(f"{where}: score must be a number", ["annotations", i, "score"])
                preds.append({"model": self.model, "score": score, "result": clean})
                continue
            user_id = self.user_id(ann.get("annotator"), row)
            if user_id is None:
                continue
            if user_id in seen:
                raise LabelProblem(f"{where}: a second annotation of this item by the same user "
                                   f"(annotation {seen[user_id]} is theirs)", ["annotations", i, "annotator"])
            seen[user_id] = i
            lead = ann.get("lead_time")
            lead_time = float(lead) if isinstance(lead, int | float) and not isinstance(lead, bool) \
                and 0 <= lead < 1e9 else 0.0
            out.append((user_id, clean, lead_time))
        return out, preds

    def check_unknown(self) -> None:
        """Reject the import when some annotators are not users, naming each (and the row where first)."""
        if not self.unknown:
            return
        names = ", ".join(repr(n) for n in self.unknown)
        raise Invalid(
            f"annotations by unknown annotators: {names}; nothing was imported. Create these users, attribute "
            "the annotations to one user (annotator=EMAIL), or import them as predictions (labels=predictions)",
            errors=[{"row": row, "loc": ["annotations", "annotator"], "msg": f"unknown annotator {name!r}"}
                    for name, row in self.unknown.items()],
        )


class _Named:
    """A binary stream under the file name the upload had, so that reader errors name it."""

    def __init__(self, stream: IO[bytes], name: str) -> None:
        self._stream, self.name = stream, name

    def __getattr__(self, attr: str) -> Any:
        return getattr(self._stream, attr)

    def __iter__(self) -> Iterator[bytes]:
        return iter(self._stream)


def read_format(name: str, stream: IO[bytes], schema: LabelSchema, *, source: str,
                options: dict[str, Any]) -> Iterator[Row]:
    """Rows ``(record number, record)`` of a registry format; malformed input is an ``Invalid`` naming the
    file, the line or object and the reason (never a server error)."""
    stream = _Named(stream, source or f"upload.{name}")  # type: ignore[assignment]
    try:
        records = registry.read(name, stream, schema, **options)
    except (KeyError, TypeError, ValueError) as exc:
        raise Invalid(str(exc).strip("'\"")) from None
    number = 0
    while True:
        try:
            record = next(records)
        except StopIteration:
            return
        except FormatError as exc:
            raise Invalid(f"{exc.file}: {exc.where}: {exc.reason}" if exc.where else f"{exc.file}: {exc.reason}",
                          errors=[{"row": number + 1, "loc": [exc.file, exc.where], "msg": exc.reason,
                                   "file": exc.file, "where": exc.where}]) from None
        except (ValueError, KeyError, TypeError, OSError) as exc:
            raise Invalid(f"{source or name}: record {number + 1}: cannot read it ({type(exc).__name__}: {exc})",
                          errors=[{"row": number + 1, "loc": [source or name], "msg": str(exc)}]) from None
        number += 1
        yield number, record
