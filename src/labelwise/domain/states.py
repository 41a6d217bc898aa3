"""Item states and the rules that move items between them."""

from __future__ import annotations

from enum import StrEnum


class ItemState(StrEnum):
    new = "new"  # nobody has touched it
    in_progress = "in_progress"  # leased, or fewer submissions than the overlap asks
    annotated = "annotated"  # enough submissions, not yet reviewed
    in_review = "in_review"  # a reviewer has acted on some but not all annotations
    accepted = "accepted"  # every submitted annotation accepted (or corrected)
    rejected = "rejected"  # an annotation went back to its annotator


class AnnotationStatus(StrEnum):
    leased = "leased"
    submitted = "submitted"
    skipped = "skipped"


class ReviewAction(StrEnum):
    accept = "accept"
    reject = "reject"
    correct = "correct"


class Ordering(StrEnum):
    sequential = "sequential"
    random = "random"
    uncertainty = "uncertainty"  # lowest prediction score first


def item_state(*, n_submitted: int, overlap: int, leased: bool, review_statuses: list[str | None]) -> ItemState:
    """The state of an item from its submitted annotations' review outcomes.

    ``review_statuses`` has one entry per submitted annotation: None (not reviewed yet),
    "accepted", "corrected" or "rejected".
    """
    if "rejected" in review_statuses:
        return ItemState.rejected
    if n_submitted < overlap:
        return ItemState.in_progress if (leased or n_submitted) else ItemState.new
    reviewed = [s for s in review_statuses if s is not None]
    if not reviewed:
        return ItemState.annotated
    if len(reviewed) == len(review_statuses):
        return ItemState.accepted
    return ItemState.in_review


def sort_key_for(ordering: Ordering | str, *, random_value: float, score: float | None) -> float:
    """Queue position of an item: the queue hands out the smallest key first, ties by item id.

    Sequential keeps import order (all keys equal, so the id decides); random uses a uniform draw;
    uncertainty puts the least confident prediction first and items without one last.
    """
    ordering = Ordering(ordering)
    if ordering is Ordering.random:
        return random_value
    if ordering is Ordering.uncertainty:
        return 2.0 if score is None else float(score)
    return 0.0
