"""Consensus inside the platform: dynamic overlap, final labels, the review sample.

Design, kept simple on purpose:

- **On submit** (:func:`settle`, inside the submit transaction): nothing is read while an item has fewer
  submissions than the overlap. From the overlap on, the item's submitted results are read once (one
  indexed query) to decide whether it closes (every label agrees: all equal, or the modal share at
  least ``agreement_threshold``) or stays open for one more annotator, up to ``max_overlap``; its
  final labels are recomputed by **majority vote over that item** (``labelwise.qa.MajorityVote``; a
  tie goes to the first value in sorted order); a closing item gets its review priority.
- **On demand** (:func:`recompute`, ``POST /projects/{ref}/quality/final/recompute``): the project's
  choice labels are aggregated with ``labelwise.qa.aggregate`` over all its submitted annotations:
  Dawid-Skene when the label has at least 3 annotators overall, else majority vote (``method`` forces
  one). This is a synchronous job over the project, not a background refit; final labels written on
  later submits are majority votes again until the next recompute (their ``method`` says which).

Final labels cover choice labels only; other kinds are judged for agreement but not aggregated here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection

from labelwise.domain.permissions import Action, Actor
from labelwise.domain.quality import (
    FORCED,
    NEW_ANNOTATOR_SUBMISSIONS,
    QualitySettings,
    agrees,
    label_agreement,
    majority_vote,
    max_overlap,
    parse_quality,
    review_priority,
    risk,
)
from labelwise.domain.schema import LabelSchema
from labelwise.errors import Invalid
from labelwise.services.access import ProjectAccess, open_project
from labelwise.services.context import Context
from labelwise.store import audit
from labelwise.store import quality as store

if TYPE_CHECKING:
    import pandas as pd

METHODS = ("auto", "majority_vote", "dawid_skene")
DS_MIN_ANNOTATORS = 3


def settings_of(project: dict[str, Any]) -> QualitySettings:
    return parse_quality(project.get("quality"))


def choice_labels(schema: LabelSchema) -> list[str]:
    return [label.name for label in schema.labels if label.kind == "choice"]


def _mv_rows(item_id: int, results: list[tuple[int, dict[str, Any]]], names: list[str]) -> list[dict[str, Any]]:
    """Final labels of one item by majority vote (on the submit path: plain Python, no DataFrame)."""
    rows = []
    for name in names:
        votes = [r[name] for _, r in results if r.get(name) is not None]
        if votes:
            value, confidence = majority_vote(votes)
            rows.append({"item_id": item_id, "label": name, "value": value, "method": "majority_vote",
                         "confidence": confidence, "n_annotations": len(votes)})
    return rows


def _plain(value: Any) -> Any:
    return value.item() if hasattr(value, "item") else value


def settle(conn: Connection, access: ProjectAccess, item_id: int, n_submitted: int, *, gold: bool) -> int:
    """After an item's annotations changed: how many submissions it takes now (its capacity; it is open
    while ``n_submitted`` is below it). Writes its final labels and review priority when it has enough."""
    overlap = int(access.project["overlap"])
    if gold:
        return n_submitted  # gold items never take a queue slot
    if n_submitted < overlap:
        return overlap
    q = settings_of(access.project)
    results = store.submitted_results(conn, item_id)
    finals = _mv_rows(item_id, results, choice_labels(access.schema))
    store.write_finals(conn, access.id, finals, replace_items=[item_id])
    shares = label_agreement([r for _, r in results], access.schema.label_names())
    if n_submitted < max_overlap(q, overlap) and not agrees(shares, q.agreement_threshold):
        store.set_priority(conn, item_id, None)
        return n_submitted + 1
    confidence = min((f["confidence"] for f in finals), default=1.0)
    item_risk = 0.0
    if q.review_sampling == "risk" or q.review_confidence is not None:  # else the risk is never used
        users = [u for u, _ in results]
        seen = store.experience(conn, access.id, users) if users else {}
        newcomers = sum(1 for u in users if seen.get(u, 0) < NEW_ANNOTATOR_SUBMISSIONS) / max(len(users), 1)
        item_risk = risk(agreement=min(shares.values(), default=1.0), confidence=confidence,
                         newcomer_share=newcomers)
    store.set_priority(conn, item_id, review_priority(q, project_id=access.id, item_id=item_id, item_risk=item_risk,
                                                      confidence=confidence))
    return n_submitted


def long_frame(rows: list[dict[str, Any]], label: str) -> pd.DataFrame:
    """item, annotator, label (+ submitted_at, lead_time, user_id) of one label over the given rows."""
    import pandas as pd  # heavy: dashboards and recomputes only, never the submit path

    out = [(r["item_id"], r["annotator"], r["result"].get(label), r["submitted_at"], r["lead_time"], r["user_id"])
           for r in rows if r["review_status"] != "rejected" and (r["result"] or {}).get(label) is not None]
    return pd.DataFrame(out, columns=["item", "annotator", "label", "submitted_at", "lead_time", "user_id"])


def project_rows(conn: Connection, project_id: int, *, exclude_gold: bool = True) -> list[dict[str, Any]]:
    gold = store.gold_ids(conn, project_id) if exclude_gold else set()
    return [r for page in store.submitted_rows(conn, project_id) for r in page if r["item_id"] not in gold]


def recompute(ctx: Context, actor: Actor, ref: int | str, *, method: str = "auto") -> dict[str, Any]:
    """Aggregate every choice label of the project again (Dawid-Skene or majority vote); one transaction."""
    if method not in METHODS:
        raise Invalid(f"method must be one of {', '.join(METHODS)}, not {method!r}")
    from labelwise import qa

    with ctx.db.write() as conn:
        access = open_project(ctx, conn, actor, ref, Action.manage)
        q = settings_of(access.project)
        rows = project_rows(conn, access.id)
        finals: list[dict[str, Any]] = []
        summary: dict[str, Any] = {}
        for name in choice_labels(access.schema):
            df = long_frame(rows, name)
            if df.empty:
                continue
            n_annotators = int(df["annotator"].nunique())
            used = method if method != "auto" else (
                "dawid_skene" if n_annotators >= DS_MIN_ANNOTATORS else "majority_vote")
            out = qa.aggregate(df[["item", "annotator", "label"]], used)
            counts = df.groupby("item").size()
            finals += [{"item_id": int(i), "label": name, "value": _plain(v), "method": used, "confidence": float(c),
                        "n_annotations": int(counts[i])}
                       for i, v, c in zip(out["item"], out["label"], out["confidence"], strict=True)]
            summary[name] = {"method": used, "items": len(out), "annotators": n_annotators}
        items = sorted({r["item_id"] for r in rows})
        store.write_finals(conn, access.id, finals, replace_items=items)
        routed = 0
        if q.review_confidence is not None:
            low: dict[int, float] = {}
            for f in finals:
                low[f["item_id"]] = min(low.get(f["item_id"], 1.0), f["confidence"])
            for item_id, conf in low.items():
                if conf < q.review_confidence:
                    store.set_priority(conn, item_id, FORCED + (1.0 - conf))
                    routed += 1
        audit.record(conn, user_id=actor.id, project_id=access.id, action="quality.recompute", target=method,
                     details={"labels": summary, "routed_to_review": routed})
    return {"labels": summary, "items": len(items), "routed_to_review": routed}


def list_finals(ctx: Context, actor: Actor, ref: int | str, *, after: int = 0, limit: int = 100) -> dict[str, Any]:
    """Final labels a page of items at a time (item id order)."""
    with ctx.db.read() as conn:
        access = open_project(ctx, conn, actor, ref, Action.browse)
        ids = store.final_page(conn, access.id, after=after, limit=min(max(limit, 1), 1000))
        finals = store.finals_for(conn, ids)
    return {"items": [{"item_id": i, "final": finals.get(i, {})} for i in ids],
            "next": ids[-1] if len(ids) == min(max(limit, 1), 1000) else None}
