"""Which result a single-label format writes for an item: :func:`final_result`.

The rule, per label:

1. a reviewer's correction, if any annotation was corrected (the latest correction wins, by review
   time, then by annotation order);
2. else an accepted annotation (the earliest accepted one, by submission time then list order);
3. else the majority value over the submitted annotations that are not rejected, compared as canonical
   JSON; a tie goes to the value given earliest (by submission time, then list order).

Annotations that do not set the label are ignored; ``None`` means nobody gave the label a value.
:func:`agreement` is the share of those annotations whose value equals the final one (the
"confidence" some formats write); it is ``None`` when no annotator gave the label a value.
"""

from __future__ import annotations

from typing import Any

from labelwise.formats.base import Record, dumps


def _order(i: int, ann: dict[str, Any]) -> tuple[str, int]:
    return (str(ann.get("submitted_at") or ""), i)


def _valued(record: Record, label: str) -> list[tuple[tuple[str, int], dict[str, Any], Any]]:
    out = []
    for i, ann in enumerate(record.get("annotations") or []):
        value = (ann.get("result") or {}).get(label)
        review = ann.get("review") or {}
        if value is not None and review.get("status") != "rejected":
            out.append((_order(i, ann), ann, value))
    out.sort(key=lambda t: t[0])
    return out


def final_result(record: Record, label: str) -> Any | None:
    """The value of ``label`` an item is exported with (see the module docstring for the rule)."""
    anns = record.get("annotations") or []
    if len(anns) == 1 and not anns[0].get("review"):  # the common case: one annotation, not reviewed
        return (anns[0].get("result") or {}).get(label)
    corrected = []
    for i, ann in enumerate(anns):
        review = ann.get("review") or {}
        if review.get("status") == "corrected" and isinstance(review.get("result"), dict):
            corrected.append(((str(review.get("at") or ""), i), review["result"]))
    if corrected:
        corrected.sort(key=lambda t: t[0])
        return corrected[-1][1].get(label)
    valued = _valued(record, label)
    for _, ann, value in valued:
        if (ann.get("review") or {}).get("status") == "accepted":
            return value
    counts: dict[bytes, int] = {}
    first: dict[bytes, Any] = {}
    for _, _, value in valued:
        key = dumps(value)
        counts[key] = counts.get(key, 0) + 1
        first.setdefault(key, value)
    if not counts:
        return None
    best = max(counts.values())
    return next(first[k] for k in first if counts[k] == best)  # dicts keep insertion (= time) order


def final_results(record: Record, labels: list[str]) -> dict[str, Any]:
    """``{label: final value}`` for the labels that have one."""
    out = {}
    for name in labels:
        value = final_result(record, name)
        if value is not None:
            out[name] = value
    return out


def agreement(record: Record, label: str, value: Any) -> float | None:
    """Share of the annotators who gave ``label`` a value that agree with ``value``."""
    valued = _valued(record, label)
    if not valued:
        return None
    target = dumps(value)
    return sum(dumps(v) == target for _, _, v in valued) / len(valued)


def chosen_results(record: Record, labels: list[str], which: str = "final",
                   ) -> list[tuple[str, dict[str, Any]]]:
    """``[(source, result)]`` to write for an item: ``which="final"`` gives one ``("final", ...)`` entry;
    ``which="all"`` gives every annotation that is not rejected, as ``(annotator, its result)``."""
    if which == "final":
        return [("final", final_results(record, labels))]
    if which != "all":
        raise ValueError(f"which must be 'final' or 'all', not {which!r}")
    out = []
    for ann in record.get("annotations") or []:
        if (ann.get("review") or {}).get("status") == "rejected":
            continue
        result = ann.get("result") or {}
        kept = {k: result[k] for k in labels if result.get(k) is not None}
        out.append((str(ann.get("annotator") or ""), kept))
    return out
