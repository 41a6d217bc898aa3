"""Comparing two snapshots, and describing one: the diff (a streamed merge) and the dataset card.

Both snapshot files hold items in id order, so the diff walks them side by side, one record of each in
memory: an id only in the newer one was added, only in the older one removed, in both with other
labels (annotations, their reviews, predictions) relabelled.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import orjson

from labelwise.domain.permissions import Action, Actor
from labelwise.services.context import Context
from labelwise.services.snapshots import _load, frozen_lines, frozen_name
from labelwise.store import snapshots as rows
from labelwise.store.clock import aware

DIFF_LIMIT = 100_000


def _entries(ctx: Context, name: str) -> Iterator[tuple[int, str | None, bytes]]:
    """``(item id, key, fingerprint of its labels)`` per item, in id order."""
    for line in frozen_lines(ctx, name):
        if not line.strip():
            continue
        rec = orjson.loads(line)
        labels = {"annotations": sorted(
            ([a.get("annotator"), a.get("result"),
              None if not a.get("review") else [a["review"].get("status"), a["review"].get("result")]]
             for a in rec.get("annotations") or []), key=lambda x: str(x[0])),
            "predictions": [[p.get("model"), p.get("result")] for p in rec.get("predictions") or []]}
        yield rec["id"], rec.get("key"), orjson.dumps(labels, option=orjson.OPT_SORT_KEYS)


def diff_snapshots(ctx: Context, actor: Actor, ref: int | str, snapshot_id: int, other_id: int, *,
                   limit: int = 1000) -> dict[str, Any]:
    """What changed from snapshot ``snapshot_id`` to ``other_id``: items added, removed and relabelled
    (each list holds at most ``limit`` entries ``{id, key}``; the counts are always complete)."""
    limit = max(0, min(limit, DIFF_LIMIT))
    _, old_row, _ = _load(ctx, actor, ref, snapshot_id, Action.manage)
    _, new_row, _ = _load(ctx, actor, ref, other_id, Action.manage)
    out: dict[str, Any] = {"from": snapshot_id, "to": other_id, "added": [], "removed": [], "relabelled": [],
                           "counts": {"added": 0, "removed": 0, "relabelled": 0, "unchanged": 0}}

    def note(kind: str, item_id: int, key: str | None) -> None:
        out["counts"][kind] += 1
        if len(out[kind]) < limit:
            out[kind].append({"id": item_id, "key": key})

    old, new = _entries(ctx, frozen_name(ctx, old_row)), _entries(ctx, frozen_name(ctx, new_row))
    a, b = next(old, None), next(new, None)
    while a is not None or b is not None:
        if b is None or (a is not None and a[0] < b[0]):
            assert a is not None
            note("removed", a[0], a[1])
            a = next(old, None)
        elif a is None or b[0] < a[0]:
            note("added", b[0], b[1])
            b = next(new, None)
        else:
            if a[2] != b[2]:
                note("relabelled", b[0], b[1])
            else:
                out["counts"]["unchanged"] += 1
            a, b = next(old, None), next(new, None)
    out["truncated"] = any(out["counts"][k] > len(out[k]) for k in ("added", "removed", "relabelled"))
    return out


def dataset_card(ctx: Context, actor: Actor, ref: int | str, snapshot_id: int) -> str:
    """A markdown description of a snapshot: sources, schema, guidelines, annotators (counted), QA, limits."""
    access, row, schema = _load(ctx, actor, ref, snapshot_id, Action.browse)
    with ctx.db.read() as conn:
        sources = rows.import_sources(conn, access.id)
    s = row["summary"] or {}
    title = row["name"] or f"snapshot {row['id']}"
    lines = [f"# {access.name}: {title}", "",
             f"{access.project.get('description') or ''}".strip() or "_No description._", "",
             "## Version", "",
             f"- Snapshot {row['id']}, made {aware(row['created_at']):%Y-%m-%d %H:%M} UTC",
             f"- Content SHA-256 (JSON Lines): `{row['content_sha256']}`",
             f"- {row['items']:,} items, {row['annotations']:,} annotations, {s.get('predictions', 0):,} predictions",
             f"- Item states: {', '.join(f'{k} {v:,}' for k, v in (s.get('states') or {}).items()) or 'none'}",
             "", "## Sources", ""]
    if sources:
        for src in sources:
            report = src["report"] or {}
            lines.append(f"- `{src['source'] or 'records'}`: {report.get('created', 0):,} items "
                         f"({aware(src['created_at']):%Y-%m-%d})")
    else:
        lines.append("- No import recorded.")
    lines += ["", "## Schema", "", f"Schema version {row['schema_version']}; fields: "
              + ", ".join(f"`{n}` ({k})" for n, k in schema.fields.items()) + ".", "",
              "| label | kind | options |", "|---|---|---|"]
    for lab in schema.labels:
        options = ", ".join(str(o) for o in lab.option_values()) if hasattr(lab, "option_values") else ""
        lines.append(f"| {lab.name} | {lab.kind} | {options[:200]} |")
    g = s.get("guidelines") or {}
    lines += ["", "## Guidelines", "",
              f"Guidelines version `{str(g.get('sha256', ''))[:12]}` ({g.get('chars', 0):,} characters, "
              f"project last changed {str(g.get('updated_at', ''))[:10]})." if g.get("chars") else
              "No guidelines were written for this project.",
              "", "## Annotators", "",
              f"{s.get('annotators', 0)} annotators (counted, not named); "
              f"{s.get('items_with_overlap', 0):,} items have two or more annotations.",
              "", "## Quality", ""]
    share = s.get("share_reviewed")
    lines.append(f"- Share of annotations reviewed: {share:.1%}" if share is not None else
                 "- Share of annotations reviewed: no annotations")
    for name, qa in (s.get("agreement") or {}).items():
        if "error" in qa:
            lines.append(f"- `{name}`: agreement not computed ({qa['error']})")
        else:
            lines.append(f"- `{name}`: Krippendorff's alpha ({qa['level']}) {qa['krippendorff_alpha']}, "
                         f"percent agreement {qa['percent_agreement']} over {qa['items']:,} items"
                         + (f" ({qa['note']})" if qa.get("note") else ""))
    if not s.get("agreement"):
        lines.append("- Agreement: not applicable (no single-value label with two or more annotations per item)")
    lines += ["", "## Known limits", ""]
    limits = []
    if s.get("unlabeled_items"):
        limits.append(f"{s['unlabeled_items']:,} items have no submitted annotation.")
    if not s.get("items_with_overlap"):
        limits.append("Each item was labeled by at most one annotator: agreement cannot be measured.")
    if share is not None and share < 1:
        limits.append("Not every annotation was reviewed.")
    limits.append("Exports in other formats follow docs/formats.md (e.g. CoNLL drops the text's original "
                  "whitespace and overlapping spans; the export report lists what a format could not hold).")
    lines += [f"- {x}" for x in limits]
    return "\n".join(lines) + "\n"
