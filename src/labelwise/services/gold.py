"""Gold items: known answers, a share of every annotator's queue, accuracy, flags and retraining.

- A manager marks an item gold with its expected result (``PUT .../items/{id}/gold``); the item leaves
  the regular queue (it never takes an overlap slot) and is served to **every** annotator.
- The queue serves gold by systematic sampling with a random start per annotator: before a regular
  item, an annotator who has done ``t`` tasks, ``g`` of them gold, gets a gold item when
  ``g < floor(gold_share * (t + 1) + u)``, ``u`` a fixed uniform draw for (project, annotator). Over any
  stretch of work the share is ``gold_share`` within one item, and where gold falls differs per person.
  The task payload of a gold item looks like any other (state ``in_progress``, no other annotations).
- Accuracy per annotator and label: exact match for choices, numbers, text, ...; F1 for spans (exact
  boundaries), boxes (IoU >= 0.5), time ranges and polygons, via ``labelwise.qa.agreement``.
- Below ``gold_min_accuracy`` after ``gold_min_answers`` gold answers an annotator is flagged; with
  ``gold_pause`` their next task is refused (403) and they are shown their mistakes and the guidelines.
- A manager resumes a paused annotator (``POST .../quality/gold/annotators/{id or email}/resume``): from then on
  only the gold answers they submit after the resume count for the flag and the pause, a fresh start.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from labelwise.domain.permissions import Action, Actor, role_allows
from labelwise.domain.quality import QualitySettings, canonical, uniform
from labelwise.domain.schema import LabelSchema
from labelwise.errors import Forbidden, NotFound
from labelwise.services.access import ProjectAccess, open_project
from labelwise.services.context import Context
from labelwise.services.quality import settings_of, settle
from labelwise.store import annotations as rows
from labelwise.store import audit
from labelwise.store import items as item_rows
from labelwise.store import quality as store
from labelwise.store import users as user_rows
from labelwise.store.clock import aware, now

REGION_METRIC = {"spans": ("span_f1", {"match": "exact"}), "bbox": ("box_f1", {}), "polygon": ("polygon_f1", {}),
                 "time_ranges": ("time_f1", {}), "audio_ranges": ("time_f1", {})}


# --- managing gold ---------------------------------------------------------------------------------


def mark_gold(ctx: Context, actor: Actor, ref: int | str, item_id: int, result: dict[str, Any]) -> dict[str, Any]:
    with ctx.db.write() as conn:
        access = open_project(ctx, conn, actor, ref, Action.manage)
        item = item_rows.item_detail(conn, access.id, item_id, lock=True)
        if item is None:
            raise NotFound(f"item {item_id} not found in project {access.name!r}")
        clean = access.schema.validate_result(result, item["data"], (item["meta"] or {}).get("media"))
        store.set_gold(conn, project_id=access.id, item_id=item_id, result=clean, user_id=actor.id)
        audit.record(conn, user_id=actor.id, project_id=access.id, action="gold.set", target=f"item:{item_id}")
    return {"item_id": item_id, "gold": clean}


def unmark_gold(ctx: Context, actor: Actor, ref: int | str, item_id: int) -> dict[str, Any]:
    """The item becomes a regular item again, open if it lacks annotations."""
    with ctx.db.write() as conn:
        access = open_project(ctx, conn, actor, ref, Action.manage)
        if item_rows.item_detail(conn, access.id, item_id, lock=True) is None or not store.unset_gold(conn, item_id):
            raise NotFound(f"item {item_id} is not a gold item of project {access.name!r}")
        n = len([s for s in rows.slots_of(conn, item_id) if s["status"] == "submitted"])
        cap = settle(conn, access, item_id, n, gold=False)
        from labelwise.services.annotation import refresh_state

        refresh_state(conn, item_id, cap)
        audit.record(conn, user_id=actor.id, project_id=access.id, action="gold.unset", target=f"item:{item_id}")
    return {"item_id": item_id, "gold": None}


def is_gold(conn: Connection, item: dict[str, Any]) -> bool:
    """Whether an item (as read by ``item_detail``) is gold: only closed items are looked up."""
    return not item["is_open"] and store.gold_of(conn, item["id"]) is not None


# --- the queue -------------------------------------------------------------------------------------


def serve(conn: Connection, access: ProjectAccess, q: QualitySettings, user_id: int, at: datetime) -> int | None:
    """A gold item for this annotator now, if their share of gold is due (see the module docstring)."""
    if q.gold_share <= 0:
        return None
    total, gold = store.user_counts(conn, access.id, user_id)
    if gold >= int(q.gold_share * (total + 1) + uniform(access.id, -user_id)):
        return None
    return store.pick_gold(conn, access.id, user_id, at)


def resume(ctx: Context, actor: Actor, ref: int | str, annotator: str) -> dict[str, Any]:
    """Let an annotator continue (managers): their gold answers so far stop counting for the pause.

    ``annotator`` is a user id or an email; they must be a member of the project.
    """
    at = now()
    with ctx.db.write() as conn:
        access = open_project(ctx, conn, actor, ref, Action.manage)
        user = user_rows.user_by_id(conn, int(annotator)) if annotator.isdigit() and len(annotator) < 19 else \
            user_rows.user_by_email(conn, annotator)
        if user is None or not store.set_gold_resumed(conn, access.id, user["id"], at):
            raise NotFound(f"no member {annotator!r} in project {access.name!r}")
        audit.record(conn, user_id=actor.id, project_id=access.id, action="gold.resume", target=f"user:{user['id']}")
    return {"user_id": user["id"], "annotator": user["email"], "gold_resumed_at": at, "paused": False}


def counted(answers: list[dict[str, Any]], resumed_at: datetime | None) -> list[dict[str, Any]]:
    """The gold answers that count for the flag and the pause: those submitted after the last resume."""
    if resumed_at is None:
        return answers
    since = aware(resumed_at)
    return [a for a in answers
            if a["submitted_at"] is not None and aware(a["submitted_at"]) > since]  # type: ignore[operator]


def _flagged(q: QualitySettings, s: dict[str, Any]) -> bool:
    return bool(q.gold_min_accuracy is not None and s["answers"] >= q.gold_min_answers
                and s["accuracy"] is not None and s["accuracy"] < q.gold_min_accuracy)


def check_not_paused(conn: Connection, access: ProjectAccess, q: QualitySettings, user_id: int) -> None:
    if not q.gold_pause or q.gold_min_accuracy is None:
        return
    answers = store.gold_answers_of(conn, access.id, user_id)
    if len(answers) < q.gold_min_answers:
        return
    answers = counted(answers, store.gold_resumed_of(conn, access.id, user_id))
    if len(answers) < q.gold_min_answers:
        return
    acc = score_answers(answers, access.schema)["accuracy"]
    if acc is not None and acc < q.gold_min_accuracy:
        raise Forbidden(
            f"you are paused in project {access.name!r}: your accuracy on gold items is {acc:.0%}, under the "
            f"{q.gold_min_accuracy:.0%} this project asks. Read your mistakes next to the guidelines "
            f"(GET /api/v1/projects/{access.id}/quality/gold/mistakes, or the Training page) and ask a manager "
            "to let you continue")


# --- scoring ---------------------------------------------------------------------------------------


def _region_f1(metric: str, options: dict[str, Any], pairs: list[tuple[int, Any, Any]]) -> float | None:
    """Pooled F1 of given vs expected regions over items (None when neither side has a region)."""
    recs = [(i, "expected", e or []) for i, _, e in pairs] + [(i, "given", g or []) for i, g, _ in pairs]
    if not any(v for _, _, v in recs):
        return 1.0 if pairs else None
    import pandas as pd  # heavy: only scoring needs it, not the queue

    from labelwise import qa

    df = pd.DataFrame(recs, columns=["item", "annotator", "label"])
    try:
        return float(qa.agreement(df, metric, **options))
    except qa.QAError:
        return 0.0


def _label_scores(schema: LabelSchema, answers: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for label in schema.labels:
        mine = [(a["item_id"], (a["result"] or {}).get(label.name), a["expected"].get(label.name))
                for a in answers if a["expected"].get(label.name) is not None]
        if not mine:
            continue
        if label.kind in REGION_METRIC:
            metric, options = REGION_METRIC[label.kind]
            out[label.name] = {"n": len(mine), "score": _region_f1(metric, options, mine), "measure": metric}
        else:
            hits = sum(canonical(g) == canonical(e) for _, g, e in mine)
            out[label.name] = {"n": len(mine), "score": hits / len(mine), "measure": "accuracy"}
    return out


def score_answers(answers: list[dict[str, Any]], schema: LabelSchema) -> dict[str, Any]:
    """One annotator's gold answers scored: per label, and overall (weighted by answers per label)."""
    per_label = _label_scores(schema, answers)
    n = sum(v["n"] for v in per_label.values() if v["score"] is not None)
    acc = sum(v["n"] * v["score"] for v in per_label.values() if v["score"] is not None) / n if n else None
    return {"answers": len(answers), "accuracy": acc, "per_label": per_label}


def gold_table(conn: Connection, access: ProjectAccess) -> dict[int, dict[str, Any]]:
    """Per annotator (user id): gold answers, accuracy, per-label scores and whether they are flagged."""
    q = settings_of(access.project)
    resumed = store.gold_resumed(conn, access.id)
    by_user: dict[int, list[dict[str, Any]]] = {}
    for a in store.gold_answers_of(conn, access.id):
        by_user.setdefault(a["user_id"], []).append(a)
    out = {}
    for user_id, answers in by_user.items():
        s = score_answers(answers, access.schema)  # accuracy over every gold answer; the flag since the resume
        since = counted(answers, resumed.get(user_id))
        s["flagged"] = _flagged(q, s if since is answers else score_answers(since, access.schema))
        s["paused"] = s["flagged"] and q.gold_pause
        s["resumed_at"] = aware(resumed.get(user_id))
        out[user_id] = s
    return out


def _is_mistake(kind: str, given: Any, expected: Any) -> tuple[bool, float | None]:
    if kind in REGION_METRIC:
        metric, options = REGION_METRIC[kind]
        f1 = _region_f1(metric, options, [(0, given, expected)])
        return (f1 is not None and f1 < 1.0), f1
    return canonical(given) != canonical(expected), None


def mistakes(ctx: Context, actor: Actor, ref: int | str, *, annotator: str | None = None) -> dict[str, Any]:
    """An annotator's wrong gold answers with the expected answer, next to the guidelines.

    Annotators see their own; reviewers and managers may name an ``annotator`` (email).
    """
    with ctx.db.read() as conn:
        access = open_project(ctx, conn, actor, ref, Action.annotate)
        user_id, email = actor.id, actor.email
        if annotator and annotator != actor.email:
            if not (actor.is_admin or role_allows(access.role, Action.browse)):
                raise Forbidden("only reviewers and managers may read another annotator's gold mistakes")
            user = user_rows.user_by_email(conn, annotator)
            if user is None:
                raise NotFound(f"no user {annotator!r}")
            user_id, email = user["id"], user["email"]
        q = settings_of(access.project)
        answers = store.gold_answers_of(conn, access.id, user_id)
        resumed_at = aware(store.gold_resumed_of(conn, access.id, user_id))
        summary = score_answers(answers, access.schema)
        since = counted(answers, resumed_at)
        wrong = []
        for a in answers:
            for label in access.schema.labels:
                expected = a["expected"].get(label.name)
                if expected is None:
                    continue
                given = (a["result"] or {}).get(label.name)
                bad, f1 = _is_mistake(label.kind, given, expected)
                if bad:
                    wrong.append({"item_id": a["item_id"], "annotation_id": a["id"], "label": label.name,
                                  "given": given, "expected": expected, "f1": f1, "submitted_at": a["submitted_at"]})
        ids = sorted({m["item_id"] for m in wrong})
        data = {i["id"]: i["data"] for i in item_rows.list_items(conn, access.id, item_rows.ItemFilter(ids=ids),
                                                                   limit=len(ids) or 1)} if ids else {}
    for m in wrong:
        m["data"] = data.get(m["item_id"])
    flagged = _flagged(q, summary if since is answers else score_answers(since, access.schema))
    return {"annotator": email, "answers": summary["answers"], "accuracy": summary["accuracy"],
            "resumed_at": resumed_at, "per_label": summary["per_label"], "flagged": flagged,
            "paused": flagged and q.gold_pause,
            "min_accuracy": q.gold_min_accuracy, "guidelines": access.project["guidelines"], "mistakes": wrong,
            "at": now()}
