"""The declarative label schema of a project, and validation of annotation results against it.

A schema binds labels to data fields::

    fields: {text: text}
    labels:
      - {name: sentiment, kind: choice, options: [positive, negative, neutral]}
      - {name: entities, kind: spans, field: text, options: [PER, ORG, LOC]}

``parse_schema`` reads it (YAML or JSON text, or a dict) once; each label's definition is a Pydantic
model from :mod:`labelwise.domain.kinds`. ``LabelSchema.validate_result`` runs on every submit, so it is
plain Python over the result dict, collecting every problem before raising one ``Invalid``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    field_validator,
    model_validator,
)

from labelwise.domain.kinds import DATA_KINDS, KINDS, LabelBase, LabelDef, RelationsLabel
from labelwise.domain.kinds.attributes import drop_draft_ok
from labelwise.domain.schema_diff import SchemaDiff, diff_schemas
from labelwise.errors import Invalid, error_at

__all__ = ["LabelDef", "LabelSchema", "SchemaDiff", "parse_schema"]


class LabelSchema(BaseModel):
    """``fields`` (data field name -> kind) and ``labels`` (ordered; names unique)."""

    model_config = ConfigDict(extra="forbid")

    fields: dict[str, str] = Field(default_factory=dict)
    labels: list[LabelDef] = Field(min_length=1)

    _by_name: dict[str, LabelBase] = PrivateAttr(default_factory=dict)
    _check_order: list[LabelBase] = PrivateAttr(default_factory=list)

    @field_validator("fields")
    @classmethod
    def _known_data_kinds(cls, v: dict[str, str]) -> dict[str, str]:
        for name, kind in v.items():
            if kind not in DATA_KINDS:
                raise ValueError(
                    f"field '{name}' has unknown kind '{kind}' (kinds: {', '.join(sorted(DATA_KINDS))})"
                )
        return v

    @model_validator(mode="after")
    def _references(self) -> LabelSchema:
        errors: list[dict[str, Any]] = []
        by_name: dict[str, LabelBase] = {}
        for i, label in enumerate(self.labels):
            if label.name in by_name:
                errors.append(
                    error_at(["labels", i, "name"], f"label name '{label.name}' is used twice", label.name)
                )
            by_name.setdefault(label.name, label)
        for i, label in enumerate(self.labels):
            for loc, msg in label.binding_errors(self.fields, by_name):
                errors.append(error_at(["labels", i, *loc], f"label '{label.name}' {msg}"))
        if errors:
            raise Invalid(f"the label schema is invalid: {errors[0]['msg']}", errors=errors)
        self._by_name = by_name
        # relations read the spans they point at, so they are checked after every other label
        self._check_order = sorted(self.labels, key=lambda lab: isinstance(lab, RelationsLabel))
        return self

    # ---- questions about the schema ------------------------------------------------------------
    def label(self, name: str) -> LabelBase:
        """The definition of label ``name``; ``Invalid`` if there is none."""
        try:
            return self._by_name[name]
        except KeyError:
            raise Invalid(
                f"unknown label '{name}'",
                errors=[
                    error_at([name], f"unknown label '{name}' (labels: {', '.join(self._by_name)})", name)
                ],
            ) from None

    def label_names(self) -> list[str]:
        return [lab.name for lab in self.labels]

    def bound_fields(self) -> set[str]:
        """Data field names the labels bind to: an import row missing one of these is invalid."""
        return {f for lab in self.labels for f in lab.bound_fields()}

    # ---- results -------------------------------------------------------------------------------
    def validate_result(
        self,
        result: dict[str, Any],
        data: dict[str, Any],
        media: dict[str, dict[str, Any]] | None = None,
        *,
        partial: bool = False,
    ) -> dict[str, Any]:
        """Check ``result`` (label name -> value) against the schema and the task's ``data``.

        ``media`` holds known facts per data field (``{"image": {"width": 640, "height": 480}}``); bounds
        that depend on an unknown fact are not checked. ``partial=True`` (drafts) skips the required-label
        and required-attribute checks. Returns the normalised result, labels in schema order; a ``None``
        value counts as absent. Raises ``Invalid`` listing every problem.
        """
        if not isinstance(result, dict):
            raise Invalid(
                "a result must be an object keyed by label name",
                errors=[error_at([], "a result must be an object keyed by label name")],
            )
        if not isinstance(data, dict):
            data = {}
        media = media or {}
        by_name = self._by_name
        errs: list[dict[str, Any]] = []
        for key in result:
            if key not in by_name:
                errs.append(error_at([key], f"unknown label '{key}' (labels: {', '.join(by_name)})", key))
        out: dict[str, Any] = {}
        for label in self._check_order:
            value = result.get(label.name)
            if value is None:
                if label.required and not partial:
                    errs.append(error_at([label.name], f"{label.name}: is required"))
                continue
            out[label.name] = label.check(value, data, media, result, errs)
        errs = drop_draft_ok(errs, partial)
        if errs:
            more = f" (and {len(errs) - 1} more)" if len(errs) > 1 else ""
            raise Invalid(f"the result does not match the schema: {errs[0]['msg']}{more}", errors=errs)
        if len(out) > 1:
            out = {name: out[name] for name in by_name if name in out}
        return out

    def diff(self, old: LabelSchema) -> SchemaDiff:
        """What changed from ``old`` to this schema, and which changes may invalidate stored results."""
        return diff_schemas(old, self)

    def options_used(self, result: dict[str, Any]) -> Iterator[tuple[str, str | None]]:
        """``(label, option)`` for every option a (normalised) result uses; ``option`` is ``None`` for
        labels without options (number, text). Unknown labels are skipped."""
        for name, value in result.items():
            label = self._by_name.get(name)
            if label is None or value is None:
                continue
            for opt in label.used(value):
                yield name, opt


# ---- parsing -----------------------------------------------------------------------------------


def parse_schema(source: str | bytes | dict[str, Any] | LabelSchema) -> LabelSchema:
    """Read a schema from YAML or JSON text, or from a dict. Raises ``Invalid`` naming each problem."""
    if isinstance(source, LabelSchema):
        return source
    if isinstance(source, bytes):
        source = source.decode("utf-8")
    raw = _load_text(source) if isinstance(source, str) else source
    if not isinstance(raw, dict):
        raise Invalid(
            "a label schema must be a mapping with `fields` and `labels`",
            errors=[error_at([], "a label schema must be a mapping with `fields` and `labels`")],
        )
    try:
        return LabelSchema.model_validate(raw)
    except ValidationError as exc:
        errors = [_from_pydantic(e, raw) for e in exc.errors(include_url=False)]
        raise Invalid(f"the label schema is invalid: {errors[0]['msg']}", errors=errors) from None


def _load_text(text: str) -> Any:
    stripped = text.strip()
    if stripped.startswith("{"):
        try:
            return json.loads(stripped)
        except json.JSONDecodeError:
            pass  # YAML flow style, or broken: YAML gives the better message
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        msg = f"the schema is neither valid YAML nor JSON{where}: {problem}"
        raise Invalid(msg, errors=[error_at([], msg)]) from None


def _from_pydantic(e: Any, raw: dict[str, Any]) -> dict[str, Any]:
    """One pydantic error as an ``error_at`` record: label name in the message, no discriminator in loc."""
    loc = list(e["loc"])
    msg = "is required" if e["type"] == "missing" else e["msg"].removeprefix("Value error, ")
    prefix, inner = "", loc
    labels = raw.get("labels")
    if len(loc) >= 2 and loc[0] == "labels" and isinstance(loc[1], int) and isinstance(labels, list):
        lab = labels[loc[1]] if loc[1] < len(labels) else None
        if isinstance(lab, dict):
            if len(loc) >= 3 and loc[2] == lab.get("kind"):
                del loc[2]  # the discriminator tag pydantic inserts
            prefix = f"label '{lab.get('name', loc[1])}': "
        if e["type"] == "union_tag_invalid":
            msg = f"unknown kind {e['ctx']['tag']!r} (kinds: {', '.join(KINDS)})"
            loc.append("kind")
        elif e["type"] == "union_tag_not_found":
            msg = f"needs a `kind` (one of: {', '.join(KINDS)})"
            loc.append("kind")
        inner = loc[2:]
    where = ".".join(str(p) for p in inner)
    value = None if e["type"] in ("missing", "union_tag_not_found") else e.get("input")
    if isinstance(value, dict | list) and len(str(value)) > 200:
        value = None
    return error_at(loc, prefix + (f"{where}: " if where else "") + msg, value)
