"""What changed between two label schemas, and which changes may invalidate results already stored.

Breaking changes are reported as ``(label, option, reason)``. ``option`` is set when only results using
that option are affected (an option removed); it is ``None`` when any result of the label may be (a label
removed, its kind changed, a bound tightened). ``SchemaDiff.affects`` applies this to the
``(label, option)`` pairs of ``LabelSchema.options_used(result)``, so a service can count the stored
annotations a change would invalidate before applying it.

Per-object attributes use the option slot with a marker, ``"attribute:<name>"``: object labels yield it
for every attribute a result's objects set, so removing an attribute (or narrowing its values) breaks only
results that use it. Adding an optional attribute is safe; adding a required one breaks every result
with objects of that label.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Protocol

from pydantic import BaseModel, Field

from labelwise.domain.kinds.attributes import diff_attributes
from labelwise.domain.kinds.base import LabelBase

_IDENTITY = {"name", "kind"}


class _Schema(Protocol):
    fields: dict[str, str]
    labels: list[Any]


class SchemaDiff(BaseModel):
    """The changes from an old schema to a new one. Falsy when nothing changed."""

    fields_added: list[str] = Field(default_factory=list)
    fields_removed: list[str] = Field(default_factory=list)
    fields_changed: dict[str, tuple[str, str]] = Field(default_factory=dict)
    labels_added: list[str] = Field(default_factory=list)
    labels_removed: list[str] = Field(default_factory=list)
    kinds_changed: dict[str, tuple[str, str]] = Field(default_factory=dict)
    options_added: dict[str, list[str]] = Field(default_factory=dict)
    options_removed: dict[str, list[str]] = Field(default_factory=dict)
    settings_changed: dict[str, list[str]] = Field(default_factory=dict)
    attributes_added: dict[str, list[str]] = Field(default_factory=dict)
    attributes_removed: dict[str, list[str]] = Field(default_factory=dict)
    attributes_changed: dict[str, list[str]] = Field(default_factory=dict)
    breaking: list[tuple[str, str | None, str]] = Field(default_factory=list)

    def __bool__(self) -> bool:
        return any(getattr(self, name) for name in type(self).model_fields)

    def breaking_labels(self) -> set[str]:
        return {label for label, _, _ in self.breaking}

    def affects(self, used: Iterable[tuple[str, str | None]]) -> bool:
        """Whether a result using these ``(label, option)`` pairs may be invalidated by a breaking change."""
        whole = {label for label, opt, _ in self.breaking if opt is None}
        opts = {(label, opt) for label, opt, _ in self.breaking if opt is not None}
        return any(label in whole or (label, opt) in opts for label, opt in used)


def diff_schemas(old: _Schema, new: _Schema) -> SchemaDiff:
    d = SchemaDiff()
    for name, kind in new.fields.items():
        if name not in old.fields:
            d.fields_added.append(name)
        elif old.fields[name] != kind:
            d.fields_changed[name] = (old.fields[name], kind)
    d.fields_removed = [name for name in old.fields if name not in new.fields]

    old_labels: dict[str, LabelBase] = {lab.name: lab for lab in old.labels}
    new_labels: dict[str, LabelBase] = {lab.name: lab for lab in new.labels}
    for name, lab in new_labels.items():
        if name not in old_labels:
            d.labels_added.append(name)
            if lab.required:
                d.breaking.append((name, None, "new required label: stored results do not have it"))
    for name in old_labels:
        if name not in new_labels:
            d.labels_removed.append(name)
            d.breaking.append((name, None, "label removed"))
    for name, lab in new_labels.items():
        if name in old_labels:
            _diff_label(d, old_labels[name], lab)
    for field, (was, now) in d.fields_changed.items():
        for lab in new.labels:
            if field in lab.bound_fields():
                d.breaking.append(
                    (lab.name, None, f"its data field '{field}' changed kind from {was} to {now}")
                )
    return d


def _diff_label(d: SchemaDiff, old: LabelBase, new: LabelBase) -> None:
    name = new.name
    if old.kind != new.kind:  # type: ignore[attr-defined]
        d.kinds_changed[name] = (old.kind, new.kind)  # type: ignore[attr-defined]
        d.breaking.append((name, None, f"kind changed from {old.kind} to {new.kind}"))  # type: ignore[attr-defined]
        return
    before, after = old.option_values(), new.option_values()
    removed = [o for o in before if o not in set(after)]
    added = [o for o in after if o not in set(before)]
    if removed:
        d.options_removed[name] = removed
        d.breaking.extend((name, o, "option removed") for o in removed)
    if added:
        d.options_added[name] = added
        if getattr(new, "options_closed", False):
            d.breaking.append(
                (
                    name,
                    None,
                    f"option(s) {', '.join(added)} added: every result must list "
                    "every option, so stored results are incomplete",
                )
            )
    _diff_attributes(d, old, new)
    skip = _IDENTITY | new.cosmetic | {"attributes"}
    a = old.model_dump(mode="json", exclude=skip)
    b = new.model_dump(mode="json", exclude=skip)
    changes = []
    for key in b:
        if a.get(key) != b[key]:
            reason = f"{key} changed from {a.get(key)!r} to {b[key]!r}"
            changes.append(reason)
            if not new.is_loosening(key, a.get(key), b[key]):
                d.breaking.append((name, None, reason))
    if changes:
        d.settings_changed[name] = changes


def _diff_attributes(d: SchemaDiff, old: LabelBase, new: LabelBase) -> None:
    name = new.name
    added, removed, changed, breaking = diff_attributes(old, new)
    pairs = ((d.attributes_added, added), (d.attributes_removed, removed), (d.attributes_changed, changed))
    for target, found in pairs:
        if found:
            target[name] = found
    d.breaking.extend((name, marker, reason) for marker, reason in breaking)
