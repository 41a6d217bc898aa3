"""What a snapshot's summary says: counts and QA figures, gathered while its file is written.

Counting needs constant memory; agreement needs the labels of items with two or more annotations, so
those are kept for single-value labels (``choice``, ``rating``, ``number``) up to ``QA_LIMIT`` values
per label (beyond that the figure is computed on the items seen first, and says so). Annotators are
counted, never named.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import orjson

from labelwise.domain.schema import LabelSchema

QA_LIMIT = 500_000
QA_KINDS = {"choice": "nominal", "rating": "ordinal", "number": "interval"}


class Stats:
    def __init__(self, schema: LabelSchema) -> None:
        self.items = 0
        self.annotations = 0
        self.reviewed = 0
        self.predictions = 0
        self.unlabeled = 0
        self.states: Counter[str] = Counter()
        self.annotators: set[str] = set()
        self.multi = 0  # items with two or more annotations
        self.labels = {lab.name: QA_KINDS[lab.kind] for lab in schema.labels if lab.kind in QA_KINDS}
        self.qa_rows: dict[str, list[tuple[int, str, Any]]] = {name: [] for name in self.labels}
        self.qa_truncated: set[str] = set()

    def feed(self, chunk: bytes) -> None:
        for line in chunk.split(b"\n"):
            if line:
                self.record(orjson.loads(line))

    def record(self, rec: dict[str, Any]) -> None:
        self.items += 1
        self.states[rec.get("state") or ""] += 1
        anns = rec.get("annotations") or []
        self.predictions += len(rec.get("predictions") or [])
        if not anns:
            self.unlabeled += 1
            return
        self.annotations += len(anns)
        for a in anns:
            self.annotators.add(a.get("annotator") or "")
            if a.get("review"):
                self.reviewed += 1
        if len(anns) < 2:
            return
        self.multi += 1
        for name, rows in self.qa_rows.items():
            if len(rows) >= QA_LIMIT:
                self.qa_truncated.add(name)
                continue
            for a in anns:
                value = (a.get("result") or {}).get(name)
                if value is not None and not isinstance(value, dict | list):
                    rows.append((rec["id"], a.get("annotator") or "", value))

    def agreement(self) -> dict[str, Any]:
        """Per single-value label: Krippendorff's alpha and percent agreement (``labelwise.qa``)."""
        out: dict[str, Any] = {}
        if not self.qa_rows or self.multi == 0:
            return out
        import pandas as pd

        from labelwise import qa

        for name, rows in self.qa_rows.items():
            if not rows:
                continue
            df = pd.DataFrame(rows, columns=["item", "annotator", "label"])
            if self.labels[name] == "nominal":
                df["label"] = df["label"].astype(str)
            entry: dict[str, Any] = {"level": self.labels[name], "values": len(df),
                                     "items": int(df["item"].nunique())}
            try:
                entry["krippendorff_alpha"] = _round(qa.agreement(df, "krippendorff_alpha", level=self.labels[name]))
                entry["percent_agreement"] = _round(qa.agreement(df, "percent_agreement"))
            except (ValueError, qa.QAError) as exc:
                entry["error"] = str(exc)
            if name in self.qa_truncated:
                entry["note"] = f"computed on the first {QA_LIMIT:,} values"
            out[name] = entry
        return out

    def summary(self) -> dict[str, Any]:
        return {
            "items": self.items, "annotations": self.annotations, "predictions": self.predictions,
            "states": dict(sorted(self.states.items())), "unlabeled_items": self.unlabeled,
            "items_with_overlap": self.multi, "annotators": len(self.annotators),
            "reviewed_annotations": self.reviewed,
            "share_reviewed": _round(self.reviewed / self.annotations) if self.annotations else None,
            "agreement": self.agreement(),
        }


def _round(value: float) -> float | None:
    value = float(value)
    return None if value != value else round(value, 4)
