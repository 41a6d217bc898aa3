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

import re
import unicodedata
from bisect import bisect_left, bisect_right
from collections.abc import Iterator
from functools import cache


@cache
def _token_re() -> re.Pattern[str]:
    r"""The tokenizer as one regular expression, compiled on first use (never at import).

    ``\w`` is exactly ``str.isalnum() or "_"`` and ``\s`` exactly ``str.isspace()`` for ``str``
    patterns; the code points of categories M and Cf that ``\w`` misses are added as ranges (no
    whitespace is in M or Cf), so a match of the first branch is a word as the module docstring defines it, and ``\\S``
    any other single character."""
    ranges: list[tuple[int, int]] = []
    for cp in range(0x80, 0x110000):
        ch = chr(cp)
        cat = unicodedata.category(ch)
        if (cat[0] == "M" or cat == "Cf") and not (ch.isalnum() or ch.isspace()):
            if ranges and ranges[-1][1] == cp - 1:
                ranges[-1] = (ranges[-1][0], cp)
            else:
                ranges.append((cp, cp))
    extra = "".join(f"\\U{a:08x}" if a == b else f"\\U{a:08x}-\\U{b:08x}" for a, b in ranges)
    return re.compile(f"[\\w{extra}]+|\\S")


#: the tokenizer for ASCII text: the same tokens (every code point of categories M and Cf is above 127),
#: found about three times faster than through the full pattern's long character class
ASCII_TOKEN = re.compile(r"\w+|\S", re.ASCII)


def token_re(text: str) -> re.Pattern[str]:
    """The pattern that tokenizes ``text``: :data:`ASCII_TOKEN` for ASCII text, else the full one."""
    return ASCII_TOKEN if text.isascii() else _token_re()


def tokenize(text: str) -> list[tuple[int, int]]:
    """``[(start, end)]`` character offsets of the tokens of ``text``."""
    return [m.span() for m in token_re(text).finditer(text)]


def lines(text: str, tokens: list[tuple[int, int]]) -> Iterator[list[int]]:
    """Token indices grouped by line of ``text`` (a line break starts a new sentence); empty lines skipped."""
    if "\n" not in text:
        if tokens:
            yield list(range(len(tokens)))
        return
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
    return covering_sorted([s for s, _ in tokens], [e for _, e in tokens], start, end)


def covering_sorted(starts: list[int], ends: list[int], start: int, end: int) -> tuple[int, int] | None:
    """:func:`covering` over the tokens' ``starts`` and ``ends`` (both ascending, as tokens never overlap),
    by bisection: tokens with ``e > start`` begin at ``bisect_right(ends, start)``, those with ``s < end``
    stop before ``bisect_left(starts, end)``."""
    first, stop = bisect_right(ends, start), bisect_left(starts, end)
    return (first, stop) if first < stop else None
