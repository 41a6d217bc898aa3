"""Label Studio brush masks: its RLE codec, and labelwise masks <-> ``brushlabels`` values. numpy only.

A Label Studio brush region is ``value: {"format": "rle", "rle": [...], "brushlabels": [...]}`` with
``rle`` the bytes (ints 0..255) of the region's RGBA image (``original_height`` rows of ``original_width``
pixels, 4 values a pixel) packed by the binary run-length encoding of thi.ng's ``rle-pack``. The bit stream,
most significant bit first, the last byte padded with zeros:

- header: the number of values (32 bits), the word size minus 1 (5 bits), then four run-size classes, each
  a bit width minus 1 (4 bits each; Label Studio uses word size 8 and classes 3, 4, 8, 16 bits);
- then groups until every value is given: a flag bit, the class ``t`` (2 bits) and ``count - 1`` in class
  ``t``'s width; flag 1 is a run (one value, repeated ``count`` times), flag 0 a literal chunk (``count``
  values).

The decoder reads any such stream (Label Studio's editor packs literal chunks of many values). The
encoder writes what Label Studio's Python SDK writes, byte for byte: a value repeated is a run (the
smallest class that holds ``count - 1``); a run longer than 65,536 values is cut into runs of 65,536
and the rest, all in the largest class; a value alone is a literal chunk of one; a zero byte follows when
the bits fill the last byte.

labelwise writes a mask as Label Studio's SDK does (``mask2rle``): every channel of a mask pixel 255,
the rest 0. Reading takes the alpha channel: a pixel whose alpha is not 0 is in the mask (Label Studio's
editor paints colour and alpha). Masks in labelwise are COCO run lengths, column-major
(:mod:`labelwise.formats.contours`); Label Studio's pixels are row-major.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from labelwise.domain.kinds.pose import MAX_MASK_PIXELS
from labelwise.formats.contours import to_mask, to_runs

WORD_BITS = 8
CLASS_BITS = (3, 4, 8, 16)
_HEADER_BITS = 32 + 5 + 4 * 4


class BrushRLEError(ValueError):
    """A Label Studio brush RLE that cannot be decoded (the message says why)."""


# ---- encoding ----------------------------------------------------------------------------------


def encode(values: np.ndarray) -> list[int]:
    """Label Studio's brush RLE bytes of ``values`` (a 1-D array of ints 0..255)."""
    flat = np.asarray(values).ravel()
    if flat.size == 0:
        raise ValueError("nothing to encode")
    starts = np.flatnonzero(np.concatenate([[True], flat[1:] != flat[:-1]]))
    lengths = np.diff(np.append(starts, flat.size))
    return encode_runs(flat[starts], lengths)


def encode_runs(run_values: np.ndarray, run_lengths: np.ndarray) -> list[int]:
    """:func:`encode` of the values given as runs (neighbouring runs have different values)."""
    vals = np.asarray(run_values, dtype=np.int64)
    lens = np.asarray(run_lengths, dtype=np.int64)
    biggest = 1 << CLASS_BITS[-1]
    full, rest = lens // biggest, lens % biggest
    pieces = full + (rest > 0)  # groups of each run: its full runs, then the rest
    run_of = np.repeat(np.arange(lens.size), pieces)
    first = np.cumsum(pieces) - pieces
    is_full = np.arange(run_of.size) - first[run_of] < full[run_of]
    count = np.where(is_full, biggest, rest[run_of])
    was_cut = full[run_of] > 0
    flag = np.where(was_cut | (count > 1), 1, 0)  # a value alone is a literal chunk of one
    limits = np.array([1 << b for b in CLASS_BITS])
    cls = np.where(was_cut, 3, np.searchsorted(limits, count - 1, side="right"))
    return _pack(flag, cls, count, vals[run_of], int(lens.sum()))


def _pack(flag: np.ndarray, cls: np.ndarray, count: np.ndarray, value: np.ndarray, total: int) -> list[int]:
    """The bytes of the header and the groups (flag, class, count - 1, one value each), plus a zero byte
    when the bits fill the last byte (as Label Studio's SDK writes)."""
    header = [(total, 32), (WORD_BITS - 1, 5), *((b - 1, 4) for b in CLASS_BITS)]
    fields = np.stack([flag, cls, count - 1, value], axis=1).ravel()
    widths = np.stack([np.ones_like(cls), np.full_like(cls, 2), np.array(CLASS_BITS)[cls],
                       np.full_like(cls, WORD_BITS)], axis=1).ravel()
    fields = np.concatenate([[v for v, _ in header], fields]).astype(np.int64)
    widths = np.concatenate([[w for _, w in header], widths]).astype(np.int64)
    ends = np.cumsum(widths)
    field_of_bit = np.repeat(np.arange(widths.size), widths)
    shift = ends[field_of_bit] - 1 - np.arange(int(ends[-1]))
    bits = ((fields[field_of_bit] >> shift) & 1).astype(np.uint8)
    packed: list[int] = np.packbits(bits).tolist()
    return [*packed, 0] if bits.size % 8 == 0 else packed


# ---- decoding ----------------------------------------------------------------------------------


def decode(rle: Any) -> np.ndarray:
    """The values of a Label Studio brush RLE (a list of ints 0..255); :class:`BrushRLEError` if malformed."""
    _, vals, lens = _tokens(rle)
    return np.repeat(vals, lens)


def _tokens(rle: Any, expect: int | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(start, value, count)`` of the stream's runs and literal values, in order. ``expect``: the number
    of values the header must give (checked before anything is decoded)."""
    try:
        data = np.array(rle) if isinstance(rle, list) else None
    except ValueError:  # nested lists of different lengths
        data = None
    if data is None or data.ndim != 1 or data.dtype.kind not in "iu" or not data.size \
            or data.min() < 0 or data.max() > 255:
        raise BrushRLEError("rle must be a non-empty list of whole numbers 0..255")
    data = data.astype(np.uint8)
    text = (np.unpackbits(data) + 48).tobytes().decode("ascii")  # '0'/'1' a bit: int(text[a:b], 2) is a field
    if len(text) < _HEADER_BITS:
        raise BrushRLEError(f"rle has {len(rle)} bytes, fewer than its {_HEADER_BITS}-bit header")
    total, word = int(text[:32], 2), int(text[32:37], 2) + 1
    if expect is not None and total != expect:
        raise BrushRLEError(f"rle holds {total} values, but the image has {expect} (4 a pixel)")
    sizes = [int(text[37 + 4 * i:41 + 4 * i], 2) + 1 for i in range(4)]
    runs: tuple[list[int], list[int], list[int]] = ([], [], [])  # output position, value, count
    chunks: tuple[list[int], list[int], list[int]] = ([], [], [])  # output position, bit position, count
    p, done, end = _HEADER_BITS, 0, len(text)
    short = f"rle ends after {{}} of the {total} values its header gives"
    while done < total:
        head = p + 3
        if head > end:
            raise BrushRLEError(short.format(done))
        is_run, body = text[p] == "1", head + sizes[int(text[p + 1:head], 2)]
        if body > end:
            raise BrushRLEError(short.format(done))
        count = int(text[head:body], 2) + 1
        stop = body + (word if is_run else word * count)
        if stop > end:
            raise BrushRLEError(short.format(done))
        if done + count > total:
            raise BrushRLEError(f"rle gives more values than the {total} its header gives")
        dest = runs if is_run else chunks
        dest[0].append(done)
        dest[1].append(int(text[body:stop], 2) if is_run else body)
        dest[2].append(count)
        done += count
        p = stop
    return _in_order(data, word, runs, chunks)


def _in_order(data: np.ndarray, word: int, runs: tuple[list[int], list[int], list[int]],
              chunks: tuple[list[int], list[int], list[int]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The runs and the literal values (read from ``data`` all at once) as ``(start, value, count)``."""
    chunk_out, chunk_bit, chunk_n = (np.array(c, dtype=np.int64) for c in chunks)
    first = np.cumsum(chunk_n) - chunk_n
    k = np.arange(int(chunk_n.sum())) - np.repeat(first, chunk_n)  # index within its chunk
    bit = np.repeat(chunk_bit, chunk_n) + k * word
    padded = np.concatenate([data, np.zeros(5, dtype=np.uint8)]).astype(np.int64)
    window = np.zeros(bit.size, dtype=np.int64)  # the 40 bits from the byte holding a value's first bit
    for i in range(5):
        window = (window << 8) | padded[(bit >> 3) + i]
    lit_vals = (window >> (40 - (bit & 7) - word)) & ((1 << word) - 1)
    start = np.concatenate([np.array(runs[0], dtype=np.int64), np.repeat(chunk_out, chunk_n) + k])
    vals = np.concatenate([np.array(runs[1], dtype=np.int64), lit_vals])
    lens = np.concatenate([np.array(runs[2], dtype=np.int64), np.ones(lit_vals.size, dtype=np.int64)])
    order = np.argsort(start, kind="stable")
    return start[order], vals[order].astype(np.uint8 if word <= 8 else np.uint32), lens[order]


# ---- masks -------------------------------------------------------------------------------------


def mask_rle(mask: np.ndarray) -> list[int]:
    """The brush RLE of a boolean ``(height, width)`` mask, as Label Studio's SDK writes it."""
    flat = np.ascontiguousarray(mask, dtype=bool).ravel()
    starts = np.flatnonzero(np.concatenate([[True], flat[1:] != flat[:-1]]))
    lengths = np.diff(np.append(starts, flat.size))
    return encode_runs(np.where(flat[starts], 255, 0), lengths * 4)


def rle_mask(rle: Any, width: int, height: int) -> np.ndarray:
    """The boolean ``(height, width)`` mask of a brush RLE: the pixels whose alpha is not 0. Only the alpha
    values are expanded: pixel ``i``'s alpha is value ``4i + 3``, so a run or literal value covering
    values ``[s, e)`` gives the alphas of pixels ``[s // 4, e // 4)``."""
    start, vals, lens = _tokens(rle, expect=width * height * 4)
    pixels = (start + lens) // 4 - start // 4
    return np.repeat(vals > 0, pixels).reshape(height, width)


def brush_value(rle: dict[str, Any], label: str) -> dict[str, Any]:
    """A ``brushlabels`` value from a labelwise mask's COCO RLE ``{"counts", "size": [h, w]}``."""
    return {"format": "rle", "rle": mask_rle(to_mask(rle)), "brushlabels": [label]}


def coco_rle(value: dict[str, Any], width: Any, height: Any) -> dict[str, Any]:
    """A labelwise mask's COCO RLE (run lengths) from a ``brushlabels`` value of a ``width`` x ``height`` image."""
    if value.get("format", "rle") != "rle":
        raise BrushRLEError(f"value.format is {value.get('format')!r}; only \"rle\" brush masks can be read")
    if "rle" not in value:
        raise BrushRLEError("value.rle is missing")
    w, h = _whole(width), _whole(height)
    if w is None or h is None:
        raise BrushRLEError(f"original_width/height must be positive whole numbers; got {width!r}x{height!r}")
    if w * h > MAX_MASK_PIXELS:  # checked before anything is decoded
        raise BrushRLEError(f"an image of {w}x{h} has {w * h:,} pixels, more than the {MAX_MASK_PIXELS:,} a mask may "
                            "have")
    return {"counts": to_runs(rle_mask(value["rle"], w, h)), "size": [h, w]}


def _whole(v: Any) -> int | None:
    return int(v) if isinstance(v, int | float) and not isinstance(v, bool) and v == int(v) and v > 0 else None
