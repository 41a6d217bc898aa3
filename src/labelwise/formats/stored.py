"""A page of items as the database stores them, for the label formats' fast paths (COCO, CoNLL).

An export of final results needs, per item, only its key, its data and meta JSON and, when the item has
exactly one submitted annotation and nobody reviewed it, that annotation's result JSON: the item's final
result as it is (:func:`labelwise.formats.final.final_result`'s first rule). Each fast path parses what
its format writes and sends every other item through the same writer as a record.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from labelwise.formats.base import Record


@dataclass(frozen=True, slots=True)
class StoredPage:
    """One page of items in export order, as parallel lists: ``keys``; ``data`` and ``meta`` (JSON text
    or ``None``); ``results``, the JSON of the item's final result (its only annotation's result, not
    reviewed), ``None`` when it has none. ``records`` holds, by position, the native record of every item
    whose final result must be chosen among several annotations or after a review (its entry in
    ``results`` is ignored); these records need no predictions."""

    keys: list[str]
    data: list[str | bytes | None]
    meta: list[str | bytes | None]
    results: list[str | bytes | None]
    records: dict[int, Record] = field(default_factory=dict)
