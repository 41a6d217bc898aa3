"""Quality dashboards: agreement (Krippendorff's alpha via ``labelwise.qa``) per label and over time,
the annotator table, confusion matrices against consensus, label distributions (bias and drift).

Computed on request from the project's submitted annotations of choice labels (gold items left
out) and the stored final labels as consensus: one read of those rows, then pandas. Cost grows
with the number of annotations; meant for projects up to a few hundred thousand of them.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from labelwise import qa
from labelwise.domain.permissions import Action, Actor
from labelwise.errors import Invalid
from labelwise.services.access import open_project
from labelwise.services.context import Context
from labelwise.services.gold import gold_table
from labelwise.services.quality import choice_labels, long_frame, project_rows
from labelwise.store import quality as store
from labelwise.store.clock import aware

BUCKETS = {"hour": "h", "day": "D", "week": "W-MON"}


def _alpha(df: pd.DataFrame) -> float | None:
    try:
        return float(qa.agreement(df[["item", "annotator", "label"]], "krippendorff_alpha"))
    except (qa.QAError, ValueError):
        return None


def _num(value: Any) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


def dashboard(ctx: Context, actor: Actor, ref: int | str, *, bucket: str = "day") -> dict[str, Any]:
    if bucket not in BUCKETS:
        raise Invalid(f"bucket must be one of {', '.join(BUCKETS)}, not {bucket!r}")
    with ctx.db.read() as conn:
        access = open_project(ctx, conn, actor, ref, Action.browse)
        rows = project_rows(conn, access.id)
        gold = gold_table(conn, access)
        finals = store.finals_for(conn, sorted({r["item_id"] for r in rows}))
        all_rows = [r for page in store.submitted_rows(conn, access.id) for r in page]
    labels: dict[str, Any] = {}
    frames = []
    for name in choice_labels(access.schema):
        df = long_frame(rows, name)
        if df.empty:
            continue
        df["when"] = pd.to_datetime([aware(t) for t in df["submitted_at"]], utc=True)
        df["period"] = df["when"].dt.tz_localize(None).dt.to_period(BUCKETS[bucket]).dt.start_time
        df["consensus"] = [finals.get(i, {}).get(name, {}).get("value") for i in df["item"]]
        df["name"] = name
        frames.append(df)
        # an item's period is that of its last submission
        last = df.groupby("item")["period"].max()
        over_time = []
        for period, item_ids in last.groupby(last).groups.items():
            part = df[df["item"].isin(item_ids)]
            over_time.append({"period": period.isoformat(), "items": len(item_ids), "alpha": _alpha(part)})
        with_consensus = df[df["consensus"].notna()]
        confusion: dict[str, dict[str, dict[str, int]]] = {}
        for (who, truth, given), n in with_consensus.groupby(["annotator", "consensus", "label"]).size().items():
            confusion.setdefault(str(who), {}).setdefault(str(truth), {})[str(given)] = int(n)
        dist = df.groupby(["annotator", "label"]).size()
        drift = df.groupby(["period", "label"]).size()
        labels[name] = {
            "alpha": _alpha(df),
            "options": sorted({str(v) for v in df["label"]}),
            "per_option": [{"option": k, **{kk: _num(vv) for kk, vv in v.items()}} for k, v in _per_option(df).items()],
            "over_time": over_time,
            "confusion": confusion,
            "distribution": {str(a): {str(v): int(n) for (aa, v), n in dist.items() if aa == a}
                             for a in df["annotator"].unique()},
            "drift": [{"period": p.isoformat(), **{str(v): int(n) for (pp, v), n in drift.items() if pp == p}}
                      for p in sorted(df["period"].unique())],
        }
    return {"bucket": bucket, "labels": labels, "annotators": _annotators(all_rows, frames, gold)}


def _per_option(df: pd.DataFrame) -> dict[str, dict[str, Any]]:
    try:
        table = qa.agreement_per_label(df[["item", "annotator", "label"]])
    except (qa.QAError, ValueError):
        return {}
    return {str(k): {c: v for c, v in row.items()} for k, row in table.iterrows()}


def _annotators(all_rows: list[dict[str, Any]], frames: list[pd.DataFrame], gold: dict[int, dict[str, Any]]
                ) -> list[dict[str, Any]]:
    """Volume, speed (median lead time), agreement with consensus, gold accuracy, review acceptance and
    a score: the mean of the last three that are known."""
    labelled = pd.concat(frames) if frames else pd.DataFrame(columns=["annotator", "label", "consensus"])
    known = labelled[labelled["consensus"].notna()]
    agree = (known["label"] == known["consensus"]).groupby(known["annotator"]).mean() if len(known) else {}
    people: dict[str, dict[str, Any]] = {}
    for r in all_rows:
        p = people.setdefault(r["annotator"], {"annotator": r["annotator"], "user_id": r["user_id"], "volume": 0,
                                               "lead_times": [], "reviewed": 0, "accepted": 0, "warnings": 0})
        p["volume"] += 1
        p["lead_times"].append(float(r["lead_time"] or 0.0))
        if r["review_status"]:
            p["reviewed"] += 1
            p["accepted"] += r["review_status"] == "accepted"
        p["warnings"] += len(r["checks"] or [])
    out = []
    for email, p in sorted(people.items()):
        g = gold.get(p["user_id"], {})
        times = sorted(p.pop("lead_times"))
        acceptance = p["accepted"] / p["reviewed"] if p["reviewed"] else None
        agreement = _num(agree.get(email)) if len(known) else None
        parts = [v for v in (agreement, g.get("accuracy"), acceptance) if v is not None]
        out.append({**p, "median_lead_time": times[len(times) // 2] if times else None,
                    "agreement_with_consensus": agreement, "gold_answers": g.get("answers", 0),
                    "gold_accuracy": g.get("accuracy"), "flagged": g.get("flagged", False),
                    "paused": g.get("paused", False), "gold_resumed_at": g.get("resumed_at"),
                    "review_acceptance": acceptance,
                    "score": sum(parts) / len(parts) if parts else None})
    return out
