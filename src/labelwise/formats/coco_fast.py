"""COCO's fast path: a page of items as the database stores them, written without building records.

An export of final results reads, per item, only its key, its data and meta JSON and, when the item has
exactly one submitted annotation and nobody reviewed it, that annotation's result JSON: the final result
of such an item is that result as it is (:func:`labelwise.formats.final.final_result`'s first rule). The
service that reads the database hands these over as a :class:`labelwise.formats.stored.StoredPage`, with a
full record for every other item (several annotations, a review); :func:`stored_page` parses the JSON
and goes through the same :class:`labelwise.formats.coco._Writer` methods as a page of records, so both
give the same bytes (a test holds them equal on generated projects), without the cost of the records
(about a third of the time).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import orjson

from labelwise.formats.base import dumps

if TYPE_CHECKING:
    from labelwise.formats.coco import _Writer
    from labelwise.formats.stored import StoredPage


def stored_page(writer: _Writer, page: StoredPage) -> tuple[list[dict[str, Any]], list[bytes]]:
    """The image entries of ``page`` and each image's annotations serialised, as ``_Writer.records``
    gives them for the same items as records."""
    loads = orjson.loads
    image, add_annotations = writer.image, writer.add_annotations
    metas = writer.parsed_meta  # items often share their meta text (one image size): parsed once
    images: list[dict[str, Any]] = []
    chunks: list[bytes] = []
    records = page.records
    for i, (key, data, meta, result) in enumerate(zip(page.keys, page.data, page.meta, page.results, strict=True)):
        if records and i in records:
            one, anns = writer.records([records[i]])
            images += one
            chunks += anns
            continue
        if meta is not None:
            parsed = metas.get(meta)
            if parsed is None:
                if len(metas) >= 64:
                    metas.clear()
                parsed = metas[meta] = loads(meta)
        images.append(image(key, None if data is None else loads(data), None if meta is None else parsed))
        if result is not None:
            anns: list[dict[str, Any]] = []
            add_annotations("final", loads(result) or {}, key, anns)
            if anns:
                chunks.append(dumps(anns)[1:-1])
    return images, chunks
