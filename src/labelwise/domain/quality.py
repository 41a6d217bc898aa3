"""Quality rules without I/O: the project's quality settings, when an item has enough annotations,
how risky a closed item is, and its place in the review sample.

Settings live in one JSON object on the project (``projects.quality``); :class:`QualitySettings`
parses and checks it. Every field has a default that leaves the platform as it was without QA:
fixed overlap, no gold, every annotated item in the review queue, no checks.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any, Literal

import orjson
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from labelwise.errors import Invalid

#: an annotator with fewer submissions than this in the project counts as new (review risk)
NEW_ANNOTATOR_SUBMISSIONS = 20
#: review priorities at or above this are forced into review (low final confidence)
FORCED = 2.0


class QualitySettings(BaseModel):
    """Quality settings of a project. Top-level project settings of the same names set them."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    max_overlap: int | None = Field(None, ge=1, le=100)  # None: the overlap (fixed overlap)
    agreement_threshold: float | None = Field(None, gt=0, le=1)  # None: all annotations must be equal
    gold_share: float = Field(0.0, ge=0, le=1)
    gold_min_accuracy: float | None = Field(None, ge=0, le=1)
    gold_min_answers: int = Field(5, ge=1, le=10_000)
    gold_pause: bool = False
    review_share: float | None = Field(None, ge=0, le=1)  # None: every annotated item goes to review
    review_sampling: Literal["random", "risk"] = "random"
    review_confidence: float | None = Field(None, gt=0, le=1)  # final confidence below it: always reviewed
    checks: tuple[dict[str, Any], ...] = ()

    @model_validator(mode="after")
    def _checks_parse(self) -> QualitySettings:
        from labelwise.domain.checks import parse_rules

        parse_rules(self.checks)  # raises ValueError naming the bad rule
        return self


QUALITY_KEYS = tuple(QualitySettings.model_fields)


def parse_quality(raw: dict[str, Any] | None) -> QualitySettings:
    try:
        return QualitySettings.model_validate(raw or {})
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "quality"
        raise Invalid(f"{where}: {first['msg']}") from None


def merge_quality(current: dict[str, Any] | None, changes: dict[str, Any]) -> dict[str, Any]:
    """The stored JSON after applying ``changes`` (a value of None resets a setting to its default)."""
    merged = {**(current or {}), **changes}
    merged = {k: v for k, v in merged.items() if v is not None}
    parse_quality(merged)
    return merged


def max_overlap(q: QualitySettings, overlap: int) -> int:
    return max(q.max_overlap or overlap, overlap)


def capacity(overlap: int, n_submitted: int, is_open: bool) -> int:
    """How many submissions an item takes now: the overlap, or one more than it has while dynamic
    overlap keeps it open after a disagreement, or what it has once closed."""
    if n_submitted < overlap:
        return overlap
    return n_submitted + 1 if is_open else n_submitted


def canonical(value: Any) -> str:
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode()


def label_agreement(results: Sequence[dict[str, Any]], labels: Iterable[str]) -> dict[str, float]:
    """Per label: the share of annotations giving the most frequent value (an absent value counts as one)."""
    out: dict[str, float] = {}
    n = len(results)
    for name in labels:
        counts = Counter(canonical(r.get(name)) for r in results)
        out[name] = counts.most_common(1)[0][1] / n if n else 1.0
    return out


def agrees(shares: dict[str, float], threshold: float | None) -> bool:
    """All labels agree: every annotation equal (no threshold) or every modal share >= threshold."""
    need = 1.0 if threshold is None else threshold
    return all(s >= need - 1e-12 for s in shares.values())


def risk(*, agreement: float, confidence: float, newcomer_share: float) -> float:
    """Review risk in [0, 1]: 0.5 (1 - agreement) + 0.25 (1 - confidence) + 0.25 newcomer share.

    ``agreement`` is the lowest modal share over the item's labels, ``confidence`` the lowest final-label
    confidence, ``newcomer_share`` the share of its annotators with fewer than
    :data:`NEW_ANNOTATOR_SUBMISSIONS` submissions in the project.
    """
    value = 0.5 * (1.0 - agreement) + 0.25 * (1.0 - confidence) + 0.25 * newcomer_share
    return min(max(value, 0.0), 1.0)


def uniform(project_id: int, item_id: int) -> float:
    """A reproducible uniform draw in [0, 1) for an item (the random review sample)."""
    digest = hashlib.blake2b(f"{project_id}:{item_id}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64


def review_priority(q: QualitySettings, *, project_id: int, item_id: int, item_risk: float,
                    confidence: float) -> float:
    """The item's place in the review sample: the review queue holds the ``review_share`` of closed
    items with the highest priority, plus every item at or above :data:`FORCED`.

    random: a uniform draw (so the top share is a simple random sample); risk: the risk, ties broken by
    the draw. Items whose final confidence is below ``review_confidence`` get FORCED + risk.
    """
    u = uniform(project_id, item_id)
    if q.review_confidence is not None and confidence < q.review_confidence:
        return FORCED + item_risk
    if q.review_sampling == "risk":
        return item_risk + 1e-6 * u
    return u


def majority_vote(votes: list[Any]) -> tuple[Any, float]:
    """The most frequent value and its share of the votes; a tie goes to the first value in sorted
    order (the same answer as ``labelwise.qa.MajorityVote`` on one item)."""
    counts = Counter(votes)
    best = max(counts.values())
    value = min(v for v, n in counts.items() if n == best)
    return value, best / len(votes)
