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

Final labels cover choice labels (above), regions (spans, time ranges, boxes: "match then vote" as
``labelwise.qa.RegionConsensus``; polygons on recompute only), multi_choice (a vote per option), rating and
number (median): on submit by the plain-Python :mod:`labelwise.domain.consensus`, on recompute by the
library for regions. Imported annotations are settled in bulk by :func:`settle_many`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NamedTuple

from sqlalchemy import Connection

from labelwise.domain import consensus
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


def final_labels_of(schema: LabelSchema) -> list[tuple[str, str, tuple[str, ...]]]:
    """``(name, kind, options)`` of the labels that get final labels on submit besides choices."""
    return [(label.name, label.kind, tuple(o.value for o in getattr(label, "options", None) or ()))
            for label in schema.labels
            if label.kind in consensus.SUBMIT_REGION_KINDS or label.kind in consensus.SCALAR_KINDS]


def item_finals(access: ProjectAccess, item_id: int, results: list[tuple[int, dict[str, Any]]]) -> list[dict[str, Any]]:
    """Final labels of one item from its own annotations (plain Python: the submit path)."""
    return (_mv_rows(item_id, results, choice_labels(access.schema))
            + consensus.item_finals(item_id, results, final_labels_of(access.schema)))


def _decide(access: ProjectAccess, q: QualitySettings, item_id: int, n_submitted: int,
            results: list[tuple[int, dict[str, Any]]], finals: list[dict[str, Any]],
            seen: dict[int, int] | None) -> tuple[int, float | None]:
    """(capacity, review priority) of an item with at least ``overlap`` submissions."""
    overlap = int(access.project["overlap"])
    shares = label_agreement([r for _, r in results], access.schema.label_names())
    if n_submitted < max_overlap(q, overlap) and not agrees(shares, q.agreement_threshold):
        return n_submitted + 1, None
    confidence = min((f["confidence"] for f in finals), default=1.0)
    item_risk = 0.0
    if seen is not None:
        users = [u for u, _ in results]
        newcomers = sum(1 for u in users if seen.get(u, 0) < NEW_ANNOTATOR_SUBMISSIONS) / max(len(users), 1)
        item_risk = risk(agreement=min(shares.values(), default=1.0), confidence=confidence,
                         newcomer_share=newcomers)
    return n_submitted, review_priority(q, project_id=access.id, item_id=item_id, item_risk=item_risk,
                                        confidence=confidence)


def _needs_risk(q: QualitySettings) -> bool:
    return q.review_sampling == "risk" or q.review_confidence is not None  # else the risk is never used


class Settled(NamedTuple):
    """What :func:`settle_item` decided for an item."""

    capacity: int  # how many submissions it takes now (open while it has fewer)
    decided: bool = False  # it had enough: its final labels were written and ``priority`` is its new one
    priority: float | None = None  # its review priority (when ``decided``)


def settle_item(conn: Connection, access: ProjectAccess, item_id: int, n_submitted: int, *, gold: bool,
                results: list[tuple[int, dict[str, Any]]] | None = None) -> Settled:
    """After an item's annotations changed: its capacity; once it has enough submissions, writes its
    final labels and gives its review priority for the caller to store (the submit path folds it into
    its item update).

    ``results``: the item's submitted, not rejected ``(user id, result)`` in annotation order, when the
    caller has them already (read here otherwise)."""
    overlap = int(access.project["overlap"])
    if gold:
        return Settled(n_submitted)  # gold items never take a queue slot
    if n_submitted < overlap:
        return Settled(overlap)
    q = settings_of(access.project)
    if results is None:
        results = store.submitted_results(conn, item_id)
    finals = item_finals(access, item_id, results)
    store.replace_item_finals(conn, access.id, item_id, finals)
    users = [u for u, _ in results]
    seen = (store.experience(conn, access.id, users) if users else {}) if _needs_risk(q) else None
    cap, priority = _decide(access, q, item_id, n_submitted, results, finals, seen)
    return Settled(cap, True, priority)


def settle(conn: Connection, access: ProjectAccess, item_id: int, n_submitted: int, *, gold: bool,
           results: list[tuple[int, dict[str, Any]]] | None = None) -> int:
    """:func:`settle_item`, storing the review priority it decided: the item's capacity."""
    settled = settle_item(conn, access, item_id, n_submitted, gold=gold, results=results)
    if settled.decided:
        store.set_priority(conn, item_id, settled.priority)
    return settled.capacity


def settle_many(conn: Connection, access: ProjectAccess,
                entries: list[tuple[int, list[tuple[int, dict[str, Any]]], bool]]) -> dict[int, bool]:
    """:func:`settle` for many items at once (imported annotations): ``(item id, its submitted results in
    order, is gold)`` each; writes final labels and review priorities in bulk and returns item id -> open.

    Each item ends as it would after its annotations were submitted one by one: the decision, the final
    labels and the priority depend only on the item's own results (and, for the risk, on the annotators'
    experience, read once for the batch)."""
    overlap = int(access.project["overlap"])
    q = settings_of(access.project)
    users = sorted({u for _, results, _ in entries for u, _ in results})
    seen = (store.experience(conn, access.id, users) if users else {}) if _needs_risk(q) else None
    finals: list[dict[str, Any]] = []
    priorities: list[tuple[int, float | None]] = []
    is_open: dict[int, bool] = {}
    for item_id, results, gold in entries:
        n = len(results)
        if gold:
            is_open[item_id] = False
            continue
        if n < overlap:
            is_open[item_id] = True
            continue
        mine = item_finals(access, item_id, results)
        finals += mine
        cap, priority = _decide(access, q, item_id, n, results, mine, seen)
        priorities.append((item_id, priority))
        is_open[item_id] = n < cap
    store.write_finals(conn, access.id, finals, replace_items=[])
    store.set_priorities(conn, priorities)
    return is_open


def long_frame(rows: list[dict[str, Any]], label: str) -> pd.DataFrame:
    """item, annotator, label (+ submitted_at, lead_time, user_id) of one label over the given rows."""
    import pandas as pd  # heavy: dashboards and recomputes only, never the submit path

    out = [(r["item_id"], r["annotator"], r["result"].get(label), r["submitted_at"], r["lead_time"], r["user_id"])
           for r in rows if r["review_status"] != "rejected" and (r["result"] or {}).get(label) is not None]
    return pd.DataFrame(out, columns=["item", "annotator", "label", "submitted_at", "lead_time", "user_id"])


def project_rows(conn: Connection, project_id: int, *, exclude_gold: bool = True) -> list[dict[str, Any]]:
    gold = store.gold_ids(conn, project_id) if exclude_gold else set()
    return [r for page in store.submitted_rows(conn, project_id) for r in page if r["item_id"] not in gold]


def _region_finals(rows: list[dict[str, Any]], name: str, kind: str) -> list[dict[str, Any]]:
    """Final labels of one region label over the project with ``labelwise.qa.RegionConsensus``
    (annotators by user id, the order the submit path visits them in)."""
    import pandas as pd

    from labelwise import qa

    recs = [(r["item_id"], r["user_id"], _regions(kind, (r["result"] or {}).get(name))) for r in rows
            if r["review_status"] != "rejected"]
    if not recs:
        return []
    df = pd.DataFrame(recs, columns=["item", "annotator", "label"])
    out = qa.RegionConsensus(kind=consensus.REGION_KINDS[kind], iou_threshold=consensus.IOU_THRESHOLD).fit_predict(df)
    coords = {"polygon": ["points"], "bbox": ["x", "y", "width", "height"]}.get(kind, ["start", "end"])
    kept: dict[int, list[tuple[tuple[Any, ...], str, int]]] = {}
    for rec in out.itertuples(index=False):
        kept.setdefault(int(rec.item), []).append(
            (tuple(_plain(getattr(rec, c)) for c in coords), str(rec.label), int(rec.votes)))
    totals: dict[int, list[int]] = {}
    for item, _, regions in recs:
        t = totals.setdefault(item, [0, 0])
        t[0] += len(regions)
        t[1] += 1
    return [{"item_id": int(item), "label": name, "method": consensus.REGION_METHOD,
             "value": consensus.region_value(kind, [(c, lab) for c, lab, _ in kept.get(item, [])]),
             "confidence": consensus.region_confidence(sum(v for _, _, v in kept.get(item, [])), total),
             "n_annotations": n} for item, (total, n) in totals.items()]


def _regions(kind: str, value: Any) -> list[dict[str, Any]]:
    """A result's regions as the library reads them (polygons: closed ones with three points or more)."""
    regions = list(value or [])
    if kind == "polygon":
        regions = [r for r in regions if r.get("closed", True) and len(r.get("points") or []) >= 3]
    return regions


def _per_item_finals(access: ProjectAccess, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """multi_choice, rating and number final labels, item by item (the same rule as on submit)."""
    labels = [lab for lab in final_labels_of(access.schema) if lab[1] in consensus.SCALAR_KINDS]
    if not labels:
        return []
    by_item: dict[int, list[tuple[int, dict[str, Any]]]] = {}
    for r in rows:
        if r["review_status"] != "rejected":
            by_item.setdefault(r["item_id"], []).append((r["user_id"], r["result"] or {}))
    return [f for item, results in by_item.items() for f in consensus.item_finals(item, results, labels)]


def recompute(ctx: Context, actor: Actor, ref: int | str, *, method: str = "auto") -> dict[str, Any]:
    """Final labels of the whole project again, in one transaction: choice labels by Dawid-Skene or
    majority vote, region labels by ``RegionConsensus``, the others item by item as on submit."""
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
        for label in access.schema.labels:
            if label.kind in consensus.REGION_KINDS:
                try:
                    mine = _region_finals(rows, label.name, label.kind)
                except qa.QAError as exc:  # a self-intersecting polygon, for instance
                    summary[label.name] = {"method": consensus.REGION_METHOD, "items": 0, "error": str(exc)}
                    continue
                finals += mine
                summary[label.name] = {"method": consensus.REGION_METHOD, "items": len(mine)}
        scalar = _per_item_finals(access, rows)
        finals += scalar
        for f in scalar:
            summary.setdefault(f["label"], {"method": f["method"], "items": 0})["items"] += 1
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
