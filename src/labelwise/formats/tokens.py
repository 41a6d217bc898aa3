"""The word tokenizer of the token-based NER formats (CoNLL), with character offsets.

Rules, in order, over the text's code points (the offsets spans use):

- whitespace (``str.isspace``) separates tokens and is never part of one;
- a *word* is a maximal run of letters, digits, ``_``, combining marks (Unicode category M, e.g. Arabic
  and Hebrew vowel points) and format characters (category Cf, e.g. the zero-width non-joiner of
  Persian), so right-to-left words stay whole;
- every other character (punctuation, symbols, emoji) is a token of its own.

So ``"Dr. O'Neil"`` is ``Dr | . | O | ' | Neil``. Joining tokens with single spaces and tokenizing again
gives the same tokens, which is what makes CoNLL round trips exact.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator


def _wordish(ch: str) -> bool:
    return ch.isalnum() or ch == "_" or unicodedata.category(ch)[0] == "M" or unicodedata.category(ch) == "Cf"


def tokenize(text: str) -> list[tuple[int, int]]:
    """``[(start, end)]`` character offsets of the tokens of ``text``."""
    out: list[tuple[int, int]] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch.isspace():
            i += 1
            continue
        if _wordish(ch):
            j = i + 1
            while j < n and not text[j].isspace() and _wordish(text[j]):
                j += 1
            out.append((i, j))
            i = j
        else:
            out.append((i, i + 1))
            i += 1
    return out


def lines(text: str, tokens: list[tuple[int, int]]) -> Iterator[list[int]]:
    """Token indices grouped by line of ``text`` (a line break starts a new sentence); empty lines skipped."""
    current: list[int] = []
    prev_end = 0
    for i, (start, end) in enumerate(tokens):
        if current and "\n" in text[prev_end:start]:
            yield current
            current = []
        current.append(i)
        prev_end = end
    if current:
        yield current


def covering(tokens: list[tuple[int, int]], start: int, end: int) -> tuple[int, int] | None:
    """``(first, last + 1)`` token indices overlapping the character range, or ``None`` if none does."""
    hit = [i for i, (s, e) in enumerate(tokens) if s < end and e > start]
    return (hit[0], hit[-1] + 1) if hit else None
