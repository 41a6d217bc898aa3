"""CoNLL-2003 style NER files with BIO (IOB2) tags.

Written: for each item a ``-DOCSTART- -X- -X- O`` line and a blank line, then its sentences: one token per
line as ``token _ _ tag`` (the CoNLL-2003 columns word, POS, chunk, NER; POS and chunk are ``_``), a
blank line after each sentence. A line break in the text starts a new sentence. Tokens come from
:func:`labelwise.formats.tokens.tokenize`. Only the final result (:mod:`labelwise.formats.final`) of one
spans label is written.

Read: the same layout (any number of columns, whitespace-separated; the first is the token, the last the
tag; ``-DOCSTART-`` separates documents, and without any ``-DOCSTART-`` every sentence is an item). BIO,
IOB1 and BIOES tags are accepted. Tokens are joined by one space and sentences by a line break to
rebuild the text, so export -> import -> export gives the same file.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

from labelwise.formats.base import (
    ExportReport,
    FormatError,
    Record,
    item_key,
    new_record,
    pick_labels,
)
from labelwise.formats.conll_fast import stored_page
from labelwise.formats.final import final_result
from labelwise.formats.ner import TAG, spans_from_tags, tags_for
from labelwise.formats.stored import StoredPage
from labelwise.formats.tokens import ASCII_TOKEN, lines, tokenize

DOCSTART = "-DOCSTART- -X- -X- O"
HEAD = DOCSTART + "\n\n"


def write_conll(pages: Iterable[list[Record] | StoredPage], schema: Any, report: ExportReport, *,
                label: str | None = None) -> Iterator[bytes]:
    """CoNLL-2003 text (UTF-8) of the final spans of ``label`` (default: the schema's first spans label).

    ``pages`` are lists of records, or :class:`~labelwise.formats.stored.StoredPage` (items as stored,
    see :mod:`labelwise.formats.conll_fast`), which give the same bytes faster. The text of a page is
    collected as a list of strings and encoded once (one chunk per page)."""
    lab = pick_labels(schema, ("spans",), label)[0]
    writer = _Writer(lab.field, lab.name, report)
    for page in pages:
        parts: list[str] = []
        if isinstance(page, StoredPage):
            stored_page(writer, page, parts)
        else:
            writer.records(page, parts)
        if parts:
            yield "".join(parts).encode()


class _Writer:
    """An item's lines, appended to its page's list of strings: :meth:`text` then :meth:`lines`, which the
    path over records (:meth:`records`) and the path over items as stored (``conll_fast``) both call."""

    __slots__ = ("field", "name", "report")

    def __init__(self, field: str, name: str, report: ExportReport) -> None:
        self.field, self.name, self.report = field, name, report

    def records(self, page: list[Record], parts: list[str]) -> None:
        text_of, lines, name = self.text, self.lines, self.name
        for record in page:
            key = item_key(record)
            text = text_of(parts, key, record.get("data"))
            if text is not None:
                lines(parts, key, text, final_result(record, name))

    def text(self, parts: list[str], key: str, data: Any) -> str | None:
        """Count the item and write its ``-DOCSTART-``; its text, or ``None`` (reported) when its ``data``
        has none (the item is then an empty document)."""
        self.report.items += 1
        parts.append(HEAD)
        text = (data or {}).get(self.field)
        if isinstance(text, str):
            return text
        self.report.warn(key, self.name, f"no text in data field '{self.field}'; written as an empty document")
        return None

    def lines(self, parts: list[str], key: str, text: str, spans: Any) -> None:
        """The sentences of ``text`` tagged with the final value ``spans`` of the label."""
        if not (text.isascii() and "\n" not in text and _aligned(text, spans, parts)):
            _general(text, spans, parts, self.report, key, self.name)


def _general(text: str, spans: Any, parts: list[str], report: ExportReport, key: str, name: str) -> None:
    """An item's lines, token by token: any text, any spans (problems reported)."""
    tokens = tokenize(text)
    tags = tags_for(text, tokens, spans, report, key, name) if spans else ["O"] * len(tokens)
    for sentence in lines(text, tokens):
        for i in sentence:
            s, e = tokens[i]
            parts.append(f"{text[s:e]} _ _ {tags[i]}\n")
        parts.append("\n")


#: the characters of ASCII words (``\w`` with ``re.ASCII``): a set lookup, not a call per character
_ASCII_WORD = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")
O_LINE = " _ _ O\n"


def _aligned(text: str, spans: Any, parts: list[str]) -> bool:
    """The lines of a one-line ASCII ``text`` written a segment at a time (the tokens between spans all
    ``O``, each span's ``B-``, ``I-``...), appended to ``parts``; the same lines as :func:`_general` gives.
    ``False`` (nothing appended) when a span does not start and end on token boundaries or overlaps
    another, which the general path reports."""
    if not spans:
        return _segments(text, (), parts)
    if _apart(text, spans):  # in order already (they nearly always are): sorting would not change it
        return _segments(text, spans, parts)
    ordered = sorted(spans, key=_span_order)
    return _apart(text, ordered) and _segments(text, ordered, parts)


def _apart(text: str, spans: Any) -> bool:
    """Whether ``spans``, in this order, start and end on token boundaries of ``text``, each after the
    one before."""
    pos, n, word = 0, len(text), _ASCII_WORD
    for span in spans:
        s, e = span["start"], span["end"]
        if not (isinstance(s, int) and isinstance(e, int) and pos <= s < e <= n) or text[s].isspace() \
                or text[e - 1].isspace() or (s and text[s - 1] in word and text[s] in word) \
                or (e < n and text[e - 1] in word and text[e] in word):
            return False
        pos = e
    return True


def _segments(text: str, spans: Any, parts: list[str]) -> bool:
    """The lines of ``text`` with ``spans`` (checked by :func:`_apart`), and the blank line after them
    unless there were none."""
    find, append, before = ASCII_TOKEN.findall, parts.append, len(parts)
    pos = 0
    for span in spans:
        s, e, lab = span["start"], span["end"], span["label"]
        if pos < s and (toks := find(text, pos, s)):
            append(O_LINE.join(toks))
            append(O_LINE)
        toks = find(text, s, e)
        append(toks[0])
        append(f" _ _ B-{lab}\n")
        if len(toks) > 1:
            inside = f" _ _ I-{lab}\n"
            append(inside.join(toks[1:]))
            append(inside)
        pos = e
    if toks := find(text, pos):
        append(O_LINE.join(toks))
        append(O_LINE)
    if len(parts) > before:
        append("\n")
    return True


def _span_order(span: dict[str, Any]) -> tuple[Any, Any]:
    return span["start"], -span["end"]


def read_conll(source: str | Path | IO[bytes], schema: Any, *, label: str | None = None,
               name: str | None = None, annotator: str = "conll", model: str | None = None,
               ) -> Iterator[Record]:
    """Items from a CoNLL file; spans as one annotation by ``annotator`` (or a prediction of ``model``)."""
    lab = pick_labels(schema, ("spans",), label)[0]
    allowed = set(lab.option_values())
    if isinstance(source, str | Path):
        name = name or str(source)
        with open(source, "rb") as fh:
            yield from _read(fh, name, lab, allowed, annotator, model)
    else:
        yield from _read(source, name or getattr(source, "name", "<conll>"), lab, allowed, annotator, model)


def _read(fh: IO[bytes], name: str, lab: Any, allowed: set[str], annotator: str, model: str | None,
          ) -> Iterator[Record]:
    stem = Path(name).stem or "doc"
    doc_mode = False  # True once a -DOCSTART- line was seen
    in_doc = False
    sentences: list[list[tuple[str, str]]] = []
    sentence: list[tuple[str, str]] = []
    n = 0
    for line_no, raw in enumerate(fh, start=1):
        try:
            line = raw.decode("utf-8").rstrip("\r\n")
        except UnicodeDecodeError as exc:
            raise FormatError(name, f"line {line_no}", f"not valid UTF-8 (byte {exc.start})") from None
        cols = line.split()
        if (cols and cols[0] == "-DOCSTART-") or not cols:
            if sentence:
                sentences.append(sentence)
                sentence = []
            if cols:  # -DOCSTART-
                if in_doc or sentences:
                    n += 1
                    yield _record(f"{stem}-{n}", sentences, lab, annotator, model)
                doc_mode = in_doc = True
                sentences = []
            elif sentences and not doc_mode:
                n += 1
                yield _record(f"{stem}-{n}", sentences, lab, annotator, model)
                sentences = []
            continue
        if len(cols) < 2:
            raise FormatError(name, f"line {line_no}", f"expected a token and a tag, got {line.strip()!r}")
        tag = cols[-1]
        m = TAG.match(tag)
        if m is None:
            raise FormatError(name, f"line {line_no}", f"tag {tag!r} is not O, B-X, I-X, E-X or S-X")
        if m.group(2) is not None and m.group(2) not in allowed:
            raise FormatError(name, f"line {line_no}", f"entity type {m.group(2)!r} is not an option of "
                                                       f"label '{lab.name}' ({', '.join(sorted(allowed))})")
        sentence.append((cols[0], tag))
    if sentence:
        sentences.append(sentence)
    if in_doc or sentences:
        n += 1
        yield _record(f"{stem}-{n}", sentences, lab, annotator, model)


def _record(key: str, sentences: list[list[tuple[str, str]]], lab: Any, annotator: str, model: str | None,
            ) -> Record:
    parts: list[str] = []
    offsets: list[tuple[int, int]] = []
    tags: list[str] = []
    pos = 0
    for si, sentence in enumerate(sentences):
        if si:
            parts.append("\n")
            pos += 1
        for ti, (token, tag) in enumerate(sentence):
            if ti:
                parts.append(" ")
                pos += 1
            parts.append(token)
            offsets.append((pos, pos + len(token)))
            tags.append(tag)
            pos += len(token)
    text = "".join(parts)
    return new_record(key, {lab.field: text}, {lab.name: spans_from_tags(offsets, tags)},
                      annotator=annotator, model=model)
