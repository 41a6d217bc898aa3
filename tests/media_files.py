"""Media made in the tests (nothing is downloaded): images, an EXIF-rotated JPEG, WAV, series, video."""

from __future__ import annotations

import io
import wave
from pathlib import Path

import numpy as np


def png(path: Path, width: int, height: int, color: tuple[int, int, int] = (40, 90, 160)) -> Path:
    from PIL import Image, ImageDraw

    img = Image.new("RGB", (width, height), color)
    ImageDraw.Draw(img).rectangle([width // 4, height // 4, width // 2, height // 2], fill=(230, 200, 40))
    img.save(path, format="PNG")
    return path


def exif_jpeg(path: Path, width: int, height: int, orientation: int = 6) -> Path:
    """A JPEG stored ``width`` x ``height`` whose EXIF says to rotate it (6: 90 degrees clockwise)."""
    from PIL import Image

    img = Image.new("RGB", (width, height), (200, 60, 60))
    exif = Image.Exif()
    exif[0x0112] = orientation
    img.save(path, format="JPEG", exif=exif)
    return path


def wav(path: Path, seconds: float, rate: int = 8000, freq: float = 220.0) -> Path:
    """A mono 16-bit WAV (the stdlib ``wave`` module), a tone whose loudness swells every 10 s."""
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        chunk = rate * 60
        total = int(seconds * rate)
        for start in range(0, total, chunk):
            t = np.arange(start, min(total, start + chunk)) / rate
            y = np.sin(2 * np.pi * freq * t) * (0.2 + 0.7 * np.abs(np.sin(np.pi * t / 10)))
            out.writeframes((y * 32000).astype("<i2").tobytes())
    return path


def series_csv(path: Path, n: int, channels: int = 2, seed: int = 7) -> Path:
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    cols = {"time": t / 100.0}
    for c in range(channels):
        cols[f"ch{c}"] = np.sin(t / (500 + 300 * c)) + rng.normal(0, 0.05, n)
    cols["ch0"][n // 2] = 8.0  # one spike the downsampling must keep
    import pandas as pd

    frame = pd.DataFrame(cols)
    if path.suffix == ".parquet":
        frame.to_parquet(path)
    else:
        frame.to_csv(path, index=False, float_format="%.5f")
    return path


def webm(path: Path, frames: int, fps: int = 30, size: tuple[int, int] = (160, 120)) -> Path:
    """A VP8 WebM (PyAV encodes it): a white square moving right one pixel a frame."""
    import av

    with av.open(str(path), "w", format="webm") as out:
        stream = out.add_stream("libvpx", rate=fps)
        stream.width, stream.height = size
        stream.pix_fmt = "yuv420p"
        stream.options = {"deadline": "realtime", "cpu-used": "8", "b": "200k"}
        for i in range(frames):
            img = np.zeros((size[1], size[0], 3), np.uint8)
            x = i % (size[0] - 20)
            img[40:60, x:x + 20] = 255
            for packet in stream.encode(av.VideoFrame.from_ndarray(img, format="rgb24")):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    return path


def as_bytes(path: Path) -> io.BytesIO:
    return io.BytesIO(path.read_bytes())
