"""Every dataset format by name: what it writes, how, and how to read it back.

A service exports with::

    report = ExportReport()
    fmt = registry.get(name)                       # KeyError -> unknown format
    chunks = registry.export(name, pages, schema, report, **options)   # bytes, streamed
    filename = fmt.filename(project_name)          # "<base>.json", "<base>.zip" for folder formats
    media_type = fmt.media_type

``pages`` is any iterable of lists of native records (``services.exports.iter_records``). Folder formats
are zipped on the fly (:func:`labelwise.formats.folder.zip_stream`) and carry their problems as
``export_report.json`` inside the zip; for single-file formats read ``report`` once the stream is
consumed (e.g. log it or store it with the export job). ``registry.available(schema)`` lists the formats
a project's schema can use. Imports: ``registry.read(name, source, schema, **options)`` yields native-
record-like dicts; ``source`` is a path, a directory, or a binary stream (a zip for folder formats).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import partial
from itertools import chain
from typing import Any

from labelwise.formats import (
    coco,
    conll,
    hf,
    labelstudio,
    labelstudio_read,
    ner_jsonl,
    ranges,
    ranges_read,
    spacy_docbin,
    subtitles,
    voc,
    yolo,
)
from labelwise.formats.base import ExportReport, Pages, Record, dumps
from labelwise.formats.folder import Entry, zip_stream
from labelwise.formats.options import coerce, describe


@dataclass(frozen=True)
class Format:
    """One format. ``layout`` is ``"file"`` (one file, ``extension``) or ``"folder"`` (a zip)."""

    name: str
    description: str
    layout: str
    extension: str
    media_type: str
    kinds: tuple[str, ...]  # the schema needs a label of one of these kinds ("" = any schema)
    writer: Callable[..., Iterable[bytes] | Iterable[Entry]]
    reader: Callable[..., Iterator[Record]] | None = None
    options: tuple[str, ...] = field(default=())
    #: the writer reads the whole native record (lead times, final labels, annotation ids); when false it
    #: reads only ``id, key, data, meta``, annotations' ``annotator, result, submitted_at, review`` and
    #: predictions, and the export service hands it lean records (cheaper to read)
    full_records: bool = False

    def filename(self, base: str) -> str:
        return f"{base}.zip" if self.layout == "folder" else f"{base}{self.extension}"


ZIP = "application/zip"
JSON = "application/json"
NDJSON = "application/x-ndjson"
IMAGE = ("bbox", "polygon", "keypoints", "mask")
RANGES = ("audio_ranges", "time_ranges")

FORMATS: dict[str, Format] = {f.name: f for f in [
    Format("conll", "CoNLL-2003 BIO tags, one token per line", "file", ".conll", "text/plain; charset=utf-8",
           ("spans",), conll.write_conll, conll.read_conll, ("label",)),
    Format("spacy", "spaCy DocBin shards (.spacy) for spacy train", "folder", ".spacy", ZIP, ("spans",),
           spacy_docbin.write_spacy, spacy_docbin.read_spacy, ("label", "lang", "shard_size")),
    Format("ner-jsonl", "NER JSON Lines with character offsets", "file", ".jsonl", NDJSON, ("spans",),
           ner_jsonl.write_ner_jsonl, ner_jsonl.read_ner_jsonl, ("label", "which")),
    Format("coco", "COCO instances JSON: boxes, polygons, RLE masks, keypoints", "file", ".json", JSON, IMAGE,
           coco.write_coco, coco.read_coco, ("labels", "field", "which")),
    Format("yolo", "YOLO detection: labels/*.txt + data.yaml", "folder", ".txt", ZIP, ("bbox",),
           partial(yolo.write_yolo, task="detect"), yolo.read_yolo, ("labels", "field")),
    Format("yolo-seg", "YOLO segmentation polygons (masks as their outlines)", "folder", ".txt", ZIP,
           ("polygon", "mask"),
           partial(yolo.write_yolo, task="segment"), yolo.read_yolo, ("labels", "field")),
    Format("yolo-pose", "YOLO pose keypoints", "folder", ".txt", ZIP, ("keypoints",),
           partial(yolo.write_yolo, task="pose"), yolo.read_yolo, ("labels", "field")),
    Format("voc", "Pascal VOC XML, one file per image", "folder", ".xml", ZIP, ("bbox",),
           voc.write_voc, voc.read_voc, ("labels", "field")),
    Format("hf-parquet", "Hugging Face dataset (Parquet with ClassLabel features)", "file", ".parquet",
           "application/vnd.apache.parquet", (), hf.write_hf_parquet, hf.read_hf_parquet, ("annotations",), True),
    Format("ranges-jsonl", "time ranges, one JSON line per range", "file", ".jsonl", NDJSON, RANGES,
           ranges.write_ranges_jsonl, ranges_read.read_ranges_jsonl, ("labels",)),
    Format("ranges-csv", "time ranges, one CSV row per range", "file", ".csv", "text/csv; charset=utf-8", RANGES,
           ranges.write_ranges_csv, ranges_read.read_ranges_csv, ("labels",)),
    Format("webvtt", "WebVTT transcripts, one file per item", "folder", ".vtt", ZIP, RANGES,
           partial(subtitles.write_subtitles, style="vtt"), ranges_read.read_subtitles, ("label", "voices")),
    Format("srt", "SRT subtitles, one file per item", "folder", ".srt", ZIP, RANGES,
           partial(subtitles.write_subtitles, style="srt"), ranges_read.read_subtitles, ("label",)),
    Format("labelstudio", "Label Studio JSON export", "file", ".json", JSON, (),
           labelstudio.write_labelstudio, labelstudio_read.read_labelstudio, (), True),
]}


def get(name: str) -> Format:
    try:
        return FORMATS[name]
    except KeyError:
        raise KeyError(f"unknown format {name!r} (formats: {', '.join(FORMATS)})") from None


def available(schema: Any) -> list[Format]:
    """The formats ``schema`` has labels for."""
    kinds = {lab.kind for lab in schema.labels}
    return [f for f in FORMATS.values() if not f.kinds or kinds & set(f.kinds)]


def _check_options(fmt: Format, options: dict[str, Any]) -> dict[str, Any]:
    """The options, checked against the format's and read from text by their kind."""
    unknown = sorted(set(options) - set(fmt.options))
    if unknown:
        allowed = ", ".join(fmt.options) or "none"
        raise ValueError(f"format '{fmt.name}' has no option {', '.join(unknown)} (options: {allowed})")
    return {name: coerce(name, value) for name, value in options.items()}


def describe_options(fmt: Format, schema: Any) -> list[dict[str, Any]]:
    """The format's options for ``schema`` (see :func:`labelwise.formats.options.describe`)."""
    return describe(fmt.options, fmt.kinds, schema)


def export(name: str, pages: Pages, schema: Any, report: ExportReport | None = None, **options: Any,
           ) -> Iterator[bytes]:
    """The bytes of ``pages`` in format ``name``, streamed; folder formats as a zip with
    ``export_report.json``. Options are checked here, before any page is read."""
    fmt = get(name)
    options = _check_options(fmt, options)
    report = report if report is not None else ExportReport()
    out = fmt.writer(pages, schema, report, **options)
    if fmt.layout == "file":
        stream: Iterator[bytes] = iter(out)  # type: ignore[arg-type]
    else:
        def with_report() -> Iterator[Entry]:
            yield from out  # type: ignore[misc]
            yield "export_report.json", dumps(report.to_dict())

        stream = zip_stream(with_report())
    first = next(stream, b"")  # a wrong label or option raises here, before a response starts
    return chain([first], stream)


def read(name: str, source: Any, schema: Any, **options: Any) -> Iterator[Record]:
    """Records from ``source`` in format ``name``; :class:`~labelwise.formats.base.FormatError` on bad input."""
    fmt = get(name)
    if fmt.reader is None:
        raise ValueError(f"format '{fmt.name}' can be exported but not imported")
    return fmt.reader(source, schema, **options)
