"""Hugging Face datasets as Parquet: class labels that ``datasets.load_dataset("parquet", ...)`` reads as
``ClassLabel``.

One row per item: ``key``, one column per data field (text as is; anything that is not a string as JSON
text), then per label its final value (:mod:`labelwise.formats.final`) and ``<label>_confidence``, the
share of annotators who agree with it (null when nobody labelled the item). Column types:

========================  ==========================================  =========================
label kind                column                                      ``datasets`` feature
========================  ==========================================  =========================
choice                    option index (null when none)               ``ClassLabel(names=...)``
multi_choice              list of option indices                      ``List(ClassLabel(...))``
rating                    int64                                       ``Value("int64")``
number                    float64                                     ``Value("float64")``
text                      string                                      ``Value("string")``
taxonomy                  joined path ("Animal/Dog"; multiple: list)  ``Value("string")``/``List``
anything else             JSON text                                   ``Value("string")``
========================  ==========================================  =========================

The features are embedded the way ``datasets`` does it: JSON ``{"info": {"features": ...}}`` under the
``huggingface`` key of the Arrow schema metadata. ``annotations=True`` adds an ``annotations`` column
(JSON text: every annotation with its annotator and result). Written one row group per page.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from typing import Any

from labelwise.formats.base import ExportReport, Pages, Record, dumps, item_key, records
from labelwise.formats.final import agreement, final_result


def _column(lab: Any) -> tuple[Any, dict[str, Any]]:
    import pyarrow as pa

    string = {"dtype": "string", "_type": "Value"}
    if lab.kind == "choice":
        return pa.int64(), {"names": lab.option_values(), "_type": "ClassLabel"}
    if lab.kind == "multi_choice":
        return pa.list_(pa.int64()), {"feature": {"names": lab.option_values(), "_type": "ClassLabel"},
                                      "_type": "List"}
    if lab.kind == "rating":
        return pa.int64(), {"dtype": "int64", "_type": "Value"}
    if lab.kind == "number":
        return pa.float64(), {"dtype": "float64", "_type": "Value"}
    if lab.kind == "taxonomy" and lab.multiple:
        return pa.list_(pa.string()), {"feature": string, "_type": "List"}
    return pa.string(), string


def _value(lab: Any, value: Any, index: dict[str, int]) -> Any:
    if value is None:
        return None
    if lab.kind == "choice":
        return index[value]
    if lab.kind == "multi_choice":
        return [index[v] for v in value]
    if lab.kind in ("rating", "number", "text"):
        return value
    if lab.kind == "taxonomy":
        return [lab.separator.join(p) for p in value] if lab.multiple else lab.separator.join(value)
    return dumps(value).decode()


def write_hf_parquet(pages: Pages, schema: Any, report: ExportReport, *, annotations: bool = False,
                     ) -> Iterator[bytes]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    string = {"dtype": "string", "_type": "Value"}
    cols: list[tuple[str, Any]] = [("key", pa.string())]
    features: dict[str, Any] = {"key": string}
    for name in schema.fields:
        cols.append((name, pa.string()))
        features[name] = string
    labels = list(schema.labels)
    indexes = {lab.name: {v: i for i, v in enumerate(lab.option_values())} for lab in labels}
    for lab in labels:
        if lab.name in features or f"{lab.name}_confidence" in features:
            raise ValueError(f"label '{lab.name}' has the name of a data field column")
        typ, feat = _column(lab)
        cols += [(lab.name, typ), (f"{lab.name}_confidence", pa.float64())]
        features[lab.name] = feat
        features[f"{lab.name}_confidence"] = {"dtype": "float64", "_type": "Value"}
    if annotations:
        cols.append(("annotations", pa.string()))
        features["annotations"] = string
    meta = {b"huggingface": json.dumps({"info": {"features": features}}).encode()}
    arrow = pa.schema(cols, metadata=meta)
    sink = io.BytesIO()
    with pq.ParquetWriter(sink, arrow, compression="zstd") as writer:
        for page in pages:
            rows = [_row(r, schema, labels, indexes, annotations) for r in records([page], report)]
            writer.write_table(pa.Table.from_pylist(rows, schema=arrow))
            yield sink.getvalue()
            sink.seek(0)
            sink.truncate()
    yield sink.getvalue()


def _row(record: Record, schema: Any, labels: list[Any], indexes: dict[str, dict[str, int]],
         annotations: bool) -> dict[str, Any]:
    data = record.get("data") or {}
    row: dict[str, Any] = {"key": item_key(record)}
    for name in schema.fields:
        v = data.get(name)
        row[name] = v if isinstance(v, str) or v is None else dumps(v).decode()
    for lab in labels:
        value = final_result(record, lab.name)
        row[lab.name] = _value(lab, value, indexes[lab.name])
        row[f"{lab.name}_confidence"] = None if value is None else agreement(record, lab.name, value)
    if annotations:
        row["annotations"] = dumps([{"annotator": a.get("annotator"), "result": a.get("result"),
                                     "review": (a.get("review") or {}).get("status")}
                                    for a in record.get("annotations") or []]).decode()
    return row
