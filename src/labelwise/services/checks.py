"""Automatic checks (rules in the project's ``checks`` setting, see :mod:`labelwise.domain.checks`):
at submit, and in bulk over a project's submitted annotations."""

from __future__ import annotations

from typing import Any

from labelwise.domain.checks import Rule, evaluate, parse_rules
from labelwise.domain.permissions import Action, Actor
from labelwise.errors import Invalid
from labelwise.services.access import ProjectAccess, open_project
from labelwise.services.context import Context
from labelwise.store import items as item_rows
from labelwise.store import quality as store

_PARSED: dict[str, list[Rule]] = {}


def rules_of(access: ProjectAccess) -> list[Rule]:
    raw = (access.project.get("quality") or {}).get("checks") or []
    if not raw:
        return []
    from labelwise.domain.quality import canonical

    key = canonical(raw)
    rules = _PARSED.get(key)
    if rules is None:
        if len(_PARSED) > 256:
            _PARSED.clear()
        rules = _PARSED[key] = parse_rules(raw)
    return rules


def _fields(access: ProjectAccess) -> dict[str, str | None]:
    return {label.name: getattr(label, "field", None) for label in access.schema.labels}


def at_submit(access: ProjectAccess, result: dict[str, Any], data: dict[str, Any]) -> list[dict[str, Any]]:
    """Run the project's checks on a result about to be stored. A ``block`` violation raises Invalid
    (422) naming the rule; ``warn`` violations are returned to be stored with the annotation."""
    rules = rules_of(access)
    if not rules:
        return []
    found = evaluate(rules, result, data, _fields(access))
    blocking = [v for v in found if v["mode"] == "block"]
    if blocking:
        first = blocking[0]
        raise Invalid(f"check {first['rule']!r} failed: {first['message']}",
                      errors=[{"loc": ["result", v["label"] or ""], "msg": v["message"], "value": v["rule"]}
                              for v in blocking])
    return found


def bulk(ctx: Context, actor: Actor, ref: int | str, *, limit: int = 10_000) -> dict[str, Any]:
    """Every violation of the current checks by the project's submitted annotations (up to ``limit``)."""
    with ctx.db.read() as conn:
        access = open_project(ctx, conn, actor, ref, Action.browse)
        rules = rules_of(access)
        fields = _fields(access)
        violations: list[dict[str, Any]] = []
        checked = 0
        by_rule: dict[str, int] = {}
        for page in store.submitted_rows(conn, access.id) if rules else ():
            ids = sorted({r["item_id"] for r in page})
            data = {i["id"]: i["data"] for i in item_rows.list_items(
                conn, access.id, item_rows.ItemFilter(ids=ids), limit=len(ids))}
            for r in page:
                checked += 1
                for v in evaluate(rules, r["result"] or {}, data.get(r["item_id"]) or {}, fields):
                    by_rule[v["rule"]] = by_rule.get(v["rule"], 0) + 1
                    if len(violations) < limit:
                        violations.append({"annotation_id": r["id"], "item_id": r["item_id"],
                                           "annotator": r["annotator"], **v})
    return {"rules": [{"name": r.name, "rule": r.kind, "mode": r.mode, "label": r.label} for r in rules],
            "checked": checked, "counts": by_rule, "violations": violations,
            "truncated": sum(by_rule.values()) > len(violations)}
