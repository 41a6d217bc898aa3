"""What the annotation UI reads besides the media file itself: waveform peaks, downsampled time
series and a display-sized image. Each is computed once and cached next to the media
(``MediaStore.derived``; ``publish`` shares it through the bucket when media live in one), then cut to the
requested window with numpy.

- **Peaks**: a base level of min/max per ``PEAK_BLOCK`` samples (first channel, or the mean of all)
  read in blocks through soundfile, so a one-hour file never sits in memory; a request for N buckets
  over [start, end) folds the base level with ``np.minimum.reduceat``.
- **Series**: each numeric column as a float64 ``.npy`` (memory-mapped); a window is reduced to about
  ``points`` points per channel with MinMaxLTTB from ``tsdownsample`` when it is installed, else min and
  max per bucket (numpy), which keeps every spike.
- **Display images**: images larger than ``DISPLAY_MAX`` on a side, or with an EXIF orientation, get a
  transposed, downscaled copy; results keep full-resolution coordinates (the UI scales).
- **Tiles**: ``TILE`` pixel squares of the upright image at level z (scaled by 1 / 2**z, from 0, the full
  resolution, to the level that fits one tile), for zooming into images larger than the display copy.
  The first request for a level decodes the image once into a memory-mapped ``.npy`` (uncompressed:
  width x height x bands bytes, local to each server); each tile is then cut from it when first asked.
"""

from __future__ import annotations

import math
import os
import threading
from pathlib import Path
from typing import Any

import numpy as np

from labelwise.errors import Invalid, NotFound
from labelwise.services.media import MediaStore
from labelwise.services.media_probe import read_table, series_columns

PEAK_BLOCK = 256  # samples per base-level bucket
MAX_BUCKETS = 20_000
MAX_POINTS = 20_000
DISPLAY_MAX = 4096
TILE = 512
_LEVEL_LOCKS: dict[tuple[str, int], threading.Lock] = {}  # one cutter per image level in this process
_LOCKS_LOCK = threading.Lock()
_SIZES: dict[str, tuple[int, int, int]] = {}  # key -> upright width, height and EXIF orientation


def _atomic_save(path: Path, write: Any) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}-{threading.get_ident()}.tmp")
    try:
        write(tmp)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def _save_npy(path: Path, values: np.ndarray) -> None:
    def write(tmp: Path) -> None:
        with tmp.open("wb") as out:
            np.save(out, values)

    _atomic_save(path, write)


def _base_peaks(store: MediaStore, key: str) -> tuple[np.ndarray, int, int]:
    """(array of shape (n, 2) min/max per PEAK_BLOCK samples, sample rate, total samples)."""
    import soundfile

    cache = store.derived(key, "peaks.npy")
    src = store.path(key)
    info = soundfile.info(str(src))
    if not cache.exists():
        parts = []
        for block in soundfile.blocks(str(src), blocksize=PEAK_BLOCK * 4096, dtype="float32", always_2d=True):
            mono = block.mean(axis=1) if block.shape[1] > 1 else block[:, 0]
            n = -(-len(mono) // PEAK_BLOCK)
            padded = np.pad(mono, (0, n * PEAK_BLOCK - len(mono)), mode="edge").reshape(n, PEAK_BLOCK)
            parts.append(np.stack([padded.min(axis=1), padded.max(axis=1)], axis=1))
        base = np.concatenate(parts) if parts else np.zeros((0, 2), np.float32)
        _save_npy(cache, base.astype(np.float32))
        store.publish(cache)
    return np.load(cache, mmap_mode="r"), int(info.samplerate), int(info.frames)


def peaks(store: MediaStore, key: str, *, buckets: int = 2000, start: float = 0.0,
          end: float | None = None) -> dict[str, Any]:
    """Min and max of the waveform in ``buckets`` equal slices of [start, end) seconds."""
    base, rate, total = _base_peaks(store, key)
    duration = total / rate
    end = duration if end is None else min(end, duration)
    start = max(0.0, min(start, end))
    lo = int(start * rate) // PEAK_BLOCK
    hi = max(lo + 1, -(-int(end * rate) // PEAK_BLOCK))
    window = np.asarray(base[lo:hi])
    buckets = max(1, min(buckets, MAX_BUCKETS, len(window) or 1))
    if len(window):
        edges = np.linspace(0, len(window), buckets + 1).astype(np.int64)[:-1]
        edges = np.unique(edges)
        mins = np.minimum.reduceat(window[:, 0], edges)
        maxs = np.maximum.reduceat(window[:, 1], edges)
    else:
        mins = maxs = np.zeros(0, np.float32)
    return {"start": lo * PEAK_BLOCK / rate, "end": min(hi * PEAK_BLOCK, total) / rate, "duration": duration,
            "sample_rate": rate, "min": np.round(mins, 4).tolist(), "max": np.round(maxs, 4).tolist()}


def _columns(store: MediaStore, key: str) -> tuple[list[str], str | None]:
    """Cache every numeric column as ``<name>.npy``; (channel names, the time column)."""
    marker = store.derived(key, "series.json")
    if not marker.exists():
        import orjson

        frame = read_table(store.path(key))
        time, channels = series_columns(frame)
        for i, column in enumerate([*channels, *([time] if time else [])]):
            values = frame[column].to_numpy(dtype=np.float64, na_value=np.nan)
            _save_npy(target := store.derived(key, f"col{i}.npy"), values)
            store.publish(target)
        _atomic_save(marker, lambda tmp: tmp.write_bytes(orjson.dumps({"channels": channels, "time": time})))
        store.publish(marker)  # last: a marker in the bucket means every column is there
    import orjson

    meta = orjson.loads(marker.read_bytes())
    return meta["channels"], meta["time"]


def _column(store: MediaStore, key: str, index: int) -> np.ndarray:
    return np.load(store.derived(key, f"col{index}.npy"), mmap_mode="r")


def _pick(y: np.ndarray, points: int) -> np.ndarray:
    """Indices of about ``points`` points of ``y`` that keep its shape."""
    n = len(y)
    if n <= points:
        return np.arange(n)
    try:
        from tsdownsample import MinMaxLTTBDownsampler

        return np.asarray(MinMaxLTTBDownsampler().downsample(np.ascontiguousarray(y), n_out=points))
    except ImportError:  # numpy only: the min and the max of each bucket, in order
        buckets = max(1, points // 2)
        edges = np.linspace(0, n, buckets + 1).astype(np.int64)
        width = int(np.max(np.diff(edges)))
        idx = np.minimum(edges[:-1, None] + np.arange(width)[None, :], n - 1)
        block = y[idx]
        lo = edges[:-1] + np.nanargmin(block, axis=1)
        hi = edges[:-1] + np.nanargmax(block, axis=1)
        return np.unique(np.concatenate([lo, hi]))


def series(store: MediaStore, key: str, *, start: int = 0, end: int | None = None,
           points: int = 2000) -> dict[str, Any]:
    """Each channel over sample indices [start, end), downsampled to about ``points`` points."""
    channels, time = _columns(store, key)
    first = _column(store, key, 0) if channels else np.zeros(0)
    total = len(first)
    end = total if end is None else max(0, min(end, total))
    start = max(0, min(start, end))
    points = max(10, min(points, MAX_POINTS))
    out: dict[str, Any] = {"samples": total, "start": start, "end": end, "channels": []}
    for i, name in enumerate(channels):
        y = np.asarray(_column(store, key, i)[start:end])
        finite = np.nan_to_num(y, nan=0.0)
        idx = _pick(finite, points)
        out["channels"].append({"name": name, "x": (idx + start).tolist(),
                                "y": [None if v != v else round(float(v), 6) for v in y[idx]]})
    if time is not None:
        out["time_column"] = time
    return out


def display_image(store: MediaStore, key: str) -> Path:
    """The file to show: the original when it is small and upright, else a cached display copy."""
    from PIL import Image, ImageOps

    src = store.path(key)
    if key in _SIZES:
        width, height, orientation = _SIZES[key]
        if orientation == 1 and max(width, height) <= DISPLAY_MAX:
            return src
    cache = store.derived(key, "display.png" if src.suffix.lower() == ".png" else "display.jpg")
    if cache.exists():
        return cache
    with Image.open(src) as img:  # one decode: reading a PNG's EXIF loads the image
        width, height, orientation = _remember(key, img)
        if orientation == 1 and max(width, height) <= DISPLAY_MAX:
            return src
        img.draft("RGB", (DISPLAY_MAX, DISPLAY_MAX))  # JPEG: decode at a reduced scale
        shown = ImageOps.exif_transpose(img)
        if shown.mode not in ("RGB", "RGBA", "L"):
            shown = shown.convert("RGBA" if "A" in shown.getbands() else "RGB")
        shown.thumbnail((DISPLAY_MAX, DISPLAY_MAX))
        fmt = "PNG" if cache.suffix == ".png" else "JPEG"
        if fmt == "JPEG" and shown.mode == "RGBA":
            shown = shown.convert("RGB")
        _atomic_save(cache, lambda tmp: shown.save(tmp, format=fmt, quality=90))
        store.publish(cache)
    return cache


def _remember(key: str, img: Any) -> tuple[int, int, int]:
    """(width, height) upright and the EXIF orientation of an open image, kept per key in this process."""
    orientation = int(img.getexif().get(0x0112, 1) or 1)
    width, height = img.size
    if orientation in (5, 6, 7, 8):
        width, height = height, width
    if len(_SIZES) >= 10_000:
        _SIZES.pop(next(iter(_SIZES)))
    _SIZES[key] = (width, height, orientation)
    return width, height, orientation


def _image_size(store: MediaStore, key: str) -> tuple[int, int, int]:
    """(width, height) upright and the EXIF orientation, read once per key in this process (Pillow decodes
    a whole PNG to find its EXIF)."""
    from PIL import Image

    known = _SIZES.get(key)
    if known is None:
        with Image.open(store.path(key)) as img:
            known = _remember(key, img)
    return known


def tile_levels(width: int, height: int) -> int:
    """How many tile levels an image has: level 0 is full size, the last fits in one tile."""
    return 1 + max(0, math.ceil(math.log2(max(width, height, 1) / TILE)))


def tile(store: MediaStore, key: str, level: int, col: int, row: int) -> Path:
    """The tile at (col, row) of ``level``: upright, at most ``TILE`` pixels a side (edge tiles are smaller)."""
    from PIL import Image

    ext = "png" if store.path(key).suffix.lower() == ".png" else "jpg"
    target = store.derived(key, f"t{level}-{col}-{row}.{ext}")
    if target.exists():
        return target
    width, height, _ = _image_size(store, key)
    if not 0 <= level < tile_levels(width, height):
        raise Invalid(f"level {level} is not between 0 and {tile_levels(width, height) - 1}")
    factor = 2**level
    cols, rows = math.ceil(width / factor / TILE), math.ceil(height / factor / TILE)
    if not (0 <= col < cols and 0 <= row < rows):
        raise NotFound(f"no tile ({col}, {row}) at level {level}: the level has {cols} x {rows}")
    with _LOCKS_LOCK:
        lock = _LEVEL_LOCKS.setdefault((key, level), threading.Lock())
    with lock:
        pixels = _level_pixels(store, key, level, ext)
    part = np.ascontiguousarray(pixels[row * TILE:(row + 1) * TILE, col * TILE:(col + 1) * TILE])
    image = Image.fromarray(part)
    if ext == "png":
        _atomic_save(target, lambda tmp: image.save(tmp, format="PNG", compress_level=1))
    else:
        _atomic_save(target, lambda tmp: image.save(tmp, format="JPEG", quality=88))
    store.publish(target)
    return target


def _level_pixels(store: MediaStore, key: str, level: int, ext: str) -> np.ndarray:
    """The upright image at ``level`` as a memory-mapped (height, width[, bands]) uint8 array, decoded once
    and kept next to the media (not shared through a bucket: each server decodes its own)."""
    from PIL import Image, ImageOps

    path = store.derived(key, f"l{level}.npy")
    if not path.exists():
        upright = _image_size(store, key)[2] == 1
        with Image.open(store.path(key)) as img:
            shown = img if upright else ImageOps.exif_transpose(img)  # a transpose copies: only when needed
            if shown.mode not in ("RGB", "RGBA", "L"):
                shown = shown.convert("RGBA" if "A" in shown.getbands() else "RGB")
            if ext == "jpg" and shown.mode == "RGBA":
                shown = shown.convert("RGB")
            if level:
                shown = shown.reduce(2**level)
            _save_npy(path, np.asarray(shown))
    return np.load(path, mmap_mode="r")
