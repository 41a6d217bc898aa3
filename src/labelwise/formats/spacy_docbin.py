"""spaCy ``DocBin`` files (``.spacy``), as ``spacy train`` reads them.

Written: a folder (zip) of shards ``docs-00001.spacy``, ``docs-00002.spacy``... of at most ``shard_size``
docs each, so memory holds one shard, never the project (``spacy train`` accepts the folder as a corpus
path). Texts are tokenized by ``spacy.blank(lang)`` (default ``"en"``). The final spans of one spans
label become ``doc.ents`` through ``doc.char_span(start, end, label, alignment_mode="expand")``: a span
widened to token boundaries is reported, a span overlapping an earlier one is reported and kept out of
``doc.ents``. Every span, overlapping or not, is also stored as written in ``doc.spans[<label name>]``.
The item key is in ``doc.user_data["key"]``.

Read: a ``.spacy`` file, or a folder/zip of them. Spans come from ``doc.spans[<label>]`` when present,
else from ``doc.ents``; keys from ``user_data["key"]``, else ``<file stem>-<n>``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from labelwise.formats.base import (
    ExportReport,
    FormatError,
    Pages,
    Record,
    item_key,
    new_record,
    pick_labels,
    records,
)
from labelwise.formats.final import final_result
from labelwise.formats.folder import Entry, Folder


def write_spacy(pages: Pages, schema: Any, report: ExportReport, *, label: str | None = None,
                lang: str = "en", shard_size: int = 1000) -> Iterator[Entry]:
    """Folder entries ``docs-NNNNN.spacy``."""
    import spacy
    from spacy.tokens import DocBin

    lab = pick_labels(schema, ("spans",), label)[0]
    nlp = spacy.blank(lang)
    shard, n_shard = DocBin(store_user_data=True), 0
    for record in records(pages, report):
        key = item_key(record)
        text = (record.get("data") or {}).get(lab.field)
        if not isinstance(text, str):
            report.warn(key, lab.name, f"no text in data field '{lab.field}'; written as an empty doc")
            text = ""
        doc = nlp.make_doc(text)
        doc.user_data["key"] = key
        ents, group = [], []
        taken = [False] * len(doc)
        for s in sorted(final_result(record, lab.name) or [], key=lambda s: (s["start"], -s["end"])):
            start, end, name = s["start"], s["end"], s["label"]
            shown = f"span {start}:{end} {text[start:end]!r} ({name})"
            span = doc.char_span(start, end, label=name, alignment_mode="expand")
            if span is None or len(span) == 0:
                report.warn(key, lab.name, f"{shown} covers no token; left out")
                continue
            group.append(span)
            if (span.start_char, span.end_char) != (start, end):
                report.warn(key, lab.name, f"{shown} crosses spaCy token boundaries; the entity is "
                                           f"{span.start_char}:{span.end_char} {span.text!r}")
            if any(taken[span.start:span.end]):
                report.warn(key, lab.name, f"{shown} overlaps another entity; kept in doc.spans only")
                continue
            taken[span.start:span.end] = [True] * len(span)
            ents.append(span)
        doc.ents = ents
        doc.spans[lab.name] = group
        shard.add(doc)
        if len(shard) >= shard_size:
            n_shard += 1
            yield f"docs-{n_shard:05d}.spacy", shard.to_bytes()
            shard = DocBin(store_user_data=True)
    if len(shard) or not n_shard:
        yield f"docs-{n_shard + 1:05d}.spacy", shard.to_bytes()


def read_spacy(source: str | Path | IO[bytes], schema: Any, *, label: str | None = None, lang: str = "en",
               annotator: str = "spacy", model: str | None = None) -> Iterator[Record]:
    """Items from a ``.spacy`` file or a folder/zip of them."""
    import spacy

    lab = pick_labels(schema, ("spans",), label)[0]
    vocab = spacy.blank(lang).vocab
    allowed = set(lab.option_values())
    if isinstance(source, str | Path) and str(source).endswith(".spacy") and Path(source).is_file():
        files = [(str(source), Path(source).read_bytes())]
    else:
        folder = Folder(source)
        files = ((folder.where(n), folder.read(n)) for n in folder.names() if n.endswith(".spacy"))
    for where, blob in files:
        yield from _docs(where, blob, vocab, lab, allowed, annotator, model)


def _docs(where: str, blob: bytes, vocab: Any, lab: Any, allowed: set[str], annotator: str,
          model: str | None) -> Iterator[Record]:
    from spacy.tokens import DocBin

    try:
        docs = list(DocBin().from_bytes(blob).get_docs(vocab))
    except Exception as exc:  # spaCy raises ValueError, KeyError, zlib/msgpack errors...
        raise FormatError(where, "", f"not a spaCy DocBin ({type(exc).__name__}: {exc})") from None
    stem = Path(where).stem
    for i, doc in enumerate(docs, start=1):
        spans = doc.spans.get(lab.name, doc.ents)
        out = []
        for span in spans:
            if span.label_ not in allowed:
                raise FormatError(where, f"doc {i}", f"entity label {span.label_!r} is not an option of "
                                                     f"label '{lab.name}' ({', '.join(sorted(allowed))})")
            out.append({"start": span.start_char, "end": span.end_char, "label": span.label_})
        key = str(doc.user_data.get("key") or f"{stem}-{i}")
        yield new_record(key, {lab.field: doc.text}, {lab.name: out}, annotator=annotator, model=model)
