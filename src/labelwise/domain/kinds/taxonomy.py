"""``taxonomy``: a choice in a tree of options. Values are paths such as ``["Animal", "Dog"]``."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, model_serializer, model_validator

from labelwise.domain.kinds.base import Errs, LabelBase, type_name


class TaxonomyNode(BaseModel):
    """One option of the tree, with its children."""

    model_config = ConfigDict(extra="forbid")

    value: str = Field(min_length=1)
    description: str | None = None
    shortcut: str | None = Field(default=None, min_length=1)
    color: str | None = None
    children: list[TaxonomyNode] = Field(default_factory=list)

    @model_serializer(mode="wrap")
    def _drop_unset(self, handler: Any) -> Any:
        return {k: v for k, v in handler(self).items() if v is not None and v != []}


def _merge(nodes: list[dict[str, Any]], item: Any, sep: str) -> None:
    """Insert ``item`` (an "A/B/C" path string or a ``{value, children}`` dict) into ``nodes``."""
    if isinstance(item, str | int | float) and not isinstance(item, bool):
        parts = [p.strip() for p in str(item).split(sep)]
        head, rest = parts[0], sep.join(parts[1:])
        node = _find_or_add(nodes, {"value": head})
        if rest:
            _merge(node["children"], rest, sep)
    elif isinstance(item, dict) and isinstance(item.get("value"), str):
        children = item.get("children") or []
        node = _find_or_add(nodes, {k: v for k, v in item.items() if k != "children"})
        for child in children if isinstance(children, list) else [children]:
            _merge(node["children"], child, sep)
    else:
        nodes.append(item)  # let pydantic report it


def _find_or_add(nodes: list[dict[str, Any]], attrs: dict[str, Any]) -> dict[str, Any]:
    for node in nodes:
        if isinstance(node, dict) and node.get("value") == attrs["value"]:
            node.update(attrs)
            return node
    node = {**attrs, "children": []}
    nodes.append(node)
    return node


class TaxonomyLabel(LabelBase):
    """Options as a nested tree ``[{value, children: [...]}]`` or as ``"A/B/C"`` paths (``separator``).

    Result: one path (list of values from the root; ``"A/B"`` strings are accepted) or, with
    ``multiple: true``, a list of distinct paths. ``leaf_only: true`` forbids stopping at an inner node.
    Option values in diffs, shortcuts and ``options_used`` are the joined paths (``"Animal/Dog"``).
    """

    kind: Literal["taxonomy"] = "taxonomy"
    field: str | None = None
    separator: str = Field(default="/", min_length=1)
    multiple: bool = False
    leaf_only: bool = False
    options: list[TaxonomyNode] = Field(min_length=1)
    _paths: dict[tuple[str, ...], TaxonomyNode] = PrivateAttr(default_factory=dict)

    @model_validator(mode="before")
    @classmethod
    def _paths_to_tree(cls, data: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("options"), list):
            sep = data.get("separator") or "/"
            tree: list[dict[str, Any]] = []
            for item in data["options"]:
                _merge(tree, item, sep if isinstance(sep, str) else "/")
            data = {**data, "options": tree}
        return data

    def model_post_init(self, __context: Any) -> None:
        for path, node in self._walk(self.options, ()):
            if self.separator in node.value:
                raise ValueError(f"option '{node.value}' contains the separator {self.separator!r}")
            self._paths[path] = node
        joined = {self.separator.join(p): n for p, n in self._paths.items()}
        for value, key in self.shortcuts.items():
            if value not in joined:
                raise ValueError(f"shortcut for '{value}', which is not an option path")
            joined[value].shortcut = key
        self.shortcuts = {}
        keys = [n.shortcut for n in self._paths.values() if n.shortcut]
        if len(keys) != len(set(keys)):
            raise ValueError("a shortcut is used by more than one option")

    def _walk(
        self, nodes: list[TaxonomyNode], prefix: tuple[str, ...]
    ) -> Iterator[tuple[tuple[str, ...], Any]]:
        for node in nodes:
            path = (*prefix, node.value)
            yield path, node
            yield from self._walk(node.children, path)

    def option_values(self) -> list[str]:
        return [self.separator.join(p) for p in self._paths]

    def is_loosening(self, setting: str, old: Any, new: Any) -> bool:
        if setting == "leaf_only":
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
        if not self.multiple:
            return self._path(value, [], errs)
        if not isinstance(value, list):
            self.err(errs, [], f"expected a list of paths (multiple: true), got {type_name(value)}", value)
            return value
        out, seen = [], set()
        for i, v in enumerate(value):
            path = self._path(v, [i], errs)
            key = tuple(path) if isinstance(path, list) else None
            if key in seen:
                self.err(errs, [i], f"path {self.separator.join(path)!r} is chosen twice", v)
            seen.add(key)
            out.append(path)
        return out

    def _path(self, value: Any, loc: list[Any], errs: Errs) -> Any:
        if isinstance(value, str):
            value = value.split(self.separator)
        if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
            self.err(errs, loc, f"expected a path (a list of option values), got {type_name(value)}", value)
            return value
        node = self._paths.get(tuple(value))
        shown = self.separator.join(value)
        if node is None:
            self.err(errs, loc, f"path {shown!r} is not in the taxonomy", value)
        elif self.leaf_only and node.children:
            self.err(errs, loc, f"path {shown!r} stops at an inner node; choose one of its children", value)
        return list(value)

    def used(self, value: Any) -> Iterable[str | None]:
        for path in value if self.multiple else [value]:
            yield self.separator.join(path)
