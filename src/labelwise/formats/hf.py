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
(JSON text: every annotation with its annotator, result and review status, in the order they were submitted,
so that a tie of the final rule falls the same way once they are imported). Written one row group per page.

Read (:func:`read_hf_parquet`): each row's ``annotations`` back as annotations by their annotators, else its
final values as one annotation (or prediction) carrying the row's lowest confidence as its score.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import orjson

from labelwise.formats.base import ExportReport, FormatError, Pages, Record, dumps, item_key, new_record, records
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
        anns = record.get("annotations") or []
        order = sorted(range(len(anns)), key=lambda i: (str(anns[i].get("submitted_at") or ""), i))
        row["annotations"] = dumps([{"annotator": anns[i].get("annotator"), "result": anns[i].get("result"),
                                     "review": (anns[i].get("review") or {}).get("status")}
                                    for i in order]).decode()
    return row


# ---- reading -----------------------------------------------------------------------------------


def read_hf_parquet(source: str | Path | IO[bytes], schema: Any, *, annotator: str = "hf",
                    model: str | None = None) -> Iterator[Record]:
    """Items from a Parquet file as :func:`write_hf_parquet` writes it (or any Parquet file with a ``key``
    column, data field columns and label columns). Streamed a row group at a time.

    A row whose ``annotations`` cell holds a list (``annotations=True`` on export) gives those annotations,
    each by its own annotator with its result as written (review statuses are not read). Otherwise each label
    column's value goes back to the schema's form (``ClassLabel`` indices to option names by the names in the
    file's ``huggingface`` metadata, else the label's options; joined taxonomy paths split; JSON text parsed;
    nulls left out) and the values become one annotation by ``annotator`` whose ``score`` is the row's
    lowest ``<label>_confidence`` (an import keeps it when it makes the annotation a prediction). With
    ``model``, every row's final values become one prediction of ``model`` with that score instead.
    Malformed cells raise :class:`FormatError` naming the file, the row and the column."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    name = str(source) if isinstance(source, str | Path) else str(getattr(source, "name", "<hf.parquet>"))
    try:
        parquet = pq.ParquetFile(source)
    except (pa.ArrowInvalid, OSError) as exc:
        raise FormatError(name, "", f"not a readable Parquet file ({exc})") from None
    columns = set(parquet.schema_arrow.names)
    features = _features(parquet.schema_arrow.metadata or {})
    fields = [f for f in schema.fields if f in columns]
    labels = [lab for lab in schema.labels if lab.name in columns]
    confidences = [f"{lab.name}_confidence" for lab in schema.labels if f"{lab.name}_confidence" in columns]
    names = {lab.name: _class_names(features.get(lab.name)) or lab.option_values() for lab in labels}
    stem = Path(name).stem or "row"
    n = 0
    for batch in parquet.iter_batches(batch_size=2048):
        for row in batch.to_pylist():
            n += 1
            where = f"row {n}"
            key = row.get("key")
            key = str(key) if key is not None else f"{stem}-{n}"
            data = {f: row[f] for f in fields if row[f] is not None}
            score = _lowest_confidence(row, confidences, name, where)
            listed = _annotations(row.get("annotations"), name, where)
            if listed is not None and model is None:
                yield {"key": key, "data": data, "meta": {}, "annotations": listed, "predictions": []}
                continue
            result = {}
            for lab in labels:
                if row[lab.name] is not None:
                    result[lab.name] = _read_value(lab, row[lab.name], names[lab.name], name, where)
            record = new_record(key, data, result, annotator=annotator, model=model, score=score)
            if model is None:
                record["annotations"][0]["score"] = score  # kept when the import makes it a prediction
            yield record


def _lowest_confidence(row: dict[str, Any], columns: list[str], file: str, where: str) -> float | None:
    lowest = None
    for column in columns:
        value = row[column]
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
            raise FormatError(file, where, f"{column}: expected a number from 0 to 1, got {str(value)[:60]!r}")
        lowest = value if lowest is None else min(lowest, value)
    return None if lowest is None else float(lowest)


def _annotations(cell: Any, file: str, where: str) -> list[dict[str, Any]] | None:
    """The annotations of an ``annotations`` cell (JSON text of ``[{annotator, result, review}]``); None when
    the cell is null or the file has no such column."""
    if cell is None:
        return None
    if not isinstance(cell, str):
        raise FormatError(file, where, f"annotations: expected JSON text, got {type(cell).__name__}")
    try:
        listed = orjson.loads(cell)
    except orjson.JSONDecodeError as exc:
        raise FormatError(file, where, f"annotations: not valid JSON ({exc})") from None
    if not isinstance(listed, list):
        raise FormatError(file, where, "annotations: expected a JSON list of annotations")
    out = []
    for i, ann in enumerate(listed):
        if not isinstance(ann, dict) or not isinstance(ann.get("result"), dict) \
                or not isinstance(ann.get("annotator"), str):
            raise FormatError(file, where, f"annotations: annotation {i} must be an object with an 'annotator' "
                                           "string and a 'result' object")
        out.append({"annotator": ann["annotator"], "result": ann["result"]})
    return out


def _features(metadata: dict[bytes, bytes]) -> dict[str, Any]:
    try:
        info = json.loads(metadata.get(b"huggingface", b"{}"))
        return dict(info.get("info", {}).get("features") or {})
    except (ValueError, AttributeError):
        return {}


def _class_names(feature: Any) -> list[str] | None:
    if isinstance(feature, dict) and feature.get("_type") in ("List", "Sequence"):
        feature = feature.get("feature")
    if isinstance(feature, dict) and feature.get("_type") == "ClassLabel" and isinstance(feature.get("names"), list):
        return [str(n) for n in feature["names"]]
    return None


def _read_value(lab: Any, value: Any, names: list[str], file: str, where: str) -> Any:
    def name_of(i: Any) -> str:
        if not isinstance(i, int) or not 0 <= i < len(names):
            raise FormatError(file, where, f"{lab.name}: class {i!r} is not one of 0..{len(names) - 1}")
        return names[i]

    def wrong(expected: str) -> FormatError:
        return FormatError(file, where, f"{lab.name}: expected {expected}, got {str(value)[:60]!r}")

    if lab.kind == "choice":
        return name_of(value)
    if lab.kind == "multi_choice":
        if not isinstance(value, list):
            raise wrong("a list of class indices")
        return [name_of(i) for i in value]
    if lab.kind in ("rating", "number", "text"):
        return value
    if lab.kind == "taxonomy":
        paths = value if lab.multiple else [value]
        if not isinstance(paths, list) or not all(isinstance(p, str) for p in paths):
            raise wrong("a list of paths" if lab.multiple else "a path")
        split = [p.split(lab.separator) for p in paths]
        return split if lab.multiple else split[0]
    try:
        return orjson.loads(value)
    except (orjson.JSONDecodeError, TypeError):
        raise wrong("JSON text") from None
