"""Errors raised by :mod:`labelwise.qa`."""

from __future__ import annotations

__all__ = ["QAError"]


class QAError(ValueError):
    """A quality measure or aggregation is undefined for the data given.

    Raised, with a message naming the cause, for: a single annotator, no item labelled by two
    annotators (nothing pairable), a single category where the measure divides by zero, unknown
    metric or method names and malformed input columns.
    """
