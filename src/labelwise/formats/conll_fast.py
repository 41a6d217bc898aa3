"""CoNLL's fast path: a page of items as the database stores them, written without building records.

The service hands over items as COCO's fast path reads them (:class:`labelwise.formats.stored.StoredPage`):
per item its key, its data JSON and, when the item has exactly one submitted annotation and nobody
reviewed it, that annotation's result JSON, which is then the item's final result as it is
(:func:`labelwise.formats.final.final_result`'s first rule); every other item (several annotations, a
review) comes as a record. :func:`stored_page` parses only the data and the result, and goes through the
same :class:`labelwise.formats.conll._Writer` methods as a page of records, so both give the same bytes
and the same report (a test holds them equal on generated items), without the cost of the records
(about a third of the time of an export of short texts).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import orjson

if TYPE_CHECKING:
    from labelwise.formats.conll import _Writer
    from labelwise.formats.stored import StoredPage


def stored_page(writer: _Writer, page: StoredPage, parts: list[str]) -> None:
    """The lines of the items of ``page`` appended to ``parts``, as ``_Writer.records`` appends them for
    the same items as records."""
    loads = orjson.loads
    text_of, lines, name = writer.text, writer.lines, writer.name
    records = page.records
    for i, (key, data, result) in enumerate(zip(page.keys, page.data, page.results, strict=True)):
        if records and i in records:
            writer.records([records[i]], parts)
            continue
        text = text_of(parts, key, None if data is None else loads(data))
        if text is not None:
            lines(parts, key, text, None if result is None else (loads(result) or {}).get(name))
