"""What each export option means: its kind, a one-line help, its choices for a given schema.

Options arrive from a query string as text (``opt.voices=true``, ``opt.labels=boxes,shapes``);
:func:`coerce` turns text into what the writer takes (a bool, an int, a list), by the option's kind.
:func:`describe` lists a format's options for a schema, so that a page can offer them (a label option's
choices are the schema's labels of the format's kinds).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Option:
    """``kind``: ``label`` (one label), ``labels`` (several, comma-separated), ``field`` (a data field),
    ``choice`` (one of ``choices``), ``bool``, ``int`` or ``text``."""

    name: str
    kind: str
    help: str
    choices: tuple[str, ...] = ()
    default: Any = None


OPTIONS: dict[str, Option] = {o.name: o for o in [
    Option("label", "label", "the label to write (default: the schema's first label of this kind)"),
    Option("labels", "labels", "the labels to write (default: every label of these kinds)"),
    Option("field", "field", "the data field whose labels are written (default: the first labels' field)"),
    Option("which", "choice", "final: one result per item (the final label); all: every annotation not rejected",
           ("final", "all"), "final"),
    Option("voices", "bool", "write each cue's label as its voice (<v Label>)", default=False),
    Option("annotations", "bool", "add an annotations column with every annotation", default=False),
    Option("lang", "text", "the spaCy language whose tokenizer splits the text", default="en"),
    Option("shard_size", "int", "documents per .spacy file", default=1000),
]}

_TRUE, _FALSE = ("1", "true", "yes", "on"), ("0", "false", "no", "off", "")


def coerce(name: str, value: Any) -> Any:
    """``value`` as the writer takes it; text is read by the option's kind (``ValueError`` when it cannot
    be). Values that are not text pass unchanged."""
    option = OPTIONS.get(name)
    if option is None or not isinstance(value, str):
        return value
    text = value.strip()
    if option.kind == "bool":
        if text.lower() not in _TRUE + _FALSE:
            raise ValueError(f"option {name} is true or false, not {value!r}")
        return text.lower() in _TRUE
    if option.kind == "int":
        try:
            return int(text)
        except ValueError:
            raise ValueError(f"option {name} is a whole number, not {value!r}") from None
    if option.kind == "labels":
        return [part.strip() for part in text.split(",") if part.strip()] or None
    if option.kind == "choice" and text not in option.choices:
        raise ValueError(f"option {name} is one of {', '.join(option.choices)}, not {value!r}")
    return text


def describe(names: tuple[str, ...], kinds: tuple[str, ...], schema: Any) -> list[dict[str, Any]]:
    """``[{name, kind, help, choices, default}]`` of the options ``names`` for ``schema``."""
    labels = [lab for lab in schema.labels if not kinds or lab.kind in kinds]
    out = []
    for name in names:
        option = OPTIONS[name]
        choices: list[str] = list(option.choices)
        if option.kind in ("label", "labels"):
            choices = [lab.name for lab in labels]
        elif option.kind == "field":
            choices = list(dict.fromkeys(str(lab.field) for lab in labels if getattr(lab, "field", None)))
        out.append({"name": name, "kind": option.kind, "help": option.help, "choices": choices,
                    "default": option.default})
    return out
